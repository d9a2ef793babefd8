package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.io.IOException;
import java.security.Principal;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** REST API for imports: upload a file as a job, follow its progress, read the rows it set aside. */
@RestController
@Tag(name = "Imports", description = "Background imports of subscriber files (CSV, XLSX, JSON)")
class ImportsApi {
  private final Imports imports;
  private final ObjectMapper json;

  ImportsApi(Imports imports, ObjectMapper json) {
    this.imports = imports;
    this.json = json;
  }

  record Created(long id, String status, String progressUrl) {}

  @PostMapping(value = "/api/v1/orgs/{org}/imports", consumes = "multipart/form-data")
  @Operation(summary = "Import a CSV, XLSX or JSON file of subscribers into a list, as a background job")
  ResponseEntity<Created> apiCreate(OrganizationContext org, Principal caller,
      @RequestParam(required = false) MultipartFile file, @RequestParam(defaultValue = "0") long listId,
      @RequestParam(required = false) String format, @RequestParam(required = false) String mapping,
      @Parameter(schema = @Schema(implementation = SubscriptionStatus.class, allowableValues = {"subscribed", "unconfirmed", "unsubscribed"}))
      @RequestParam(defaultValue = "subscribed") String importAs, @RequestParam(defaultValue = "") String consentBasis,
      @RequestParam(defaultValue = "false") boolean overwrite, @RequestParam(required = false) List<String> tags) throws IOException {
    if (file == null) throw Refused.invalid("file", "Send the file in the 'file' part.");
    Map<String, String> map = parseMapping(mapping);
    long id = imports.create(org.id(), caller instanceof HeraldUser u ? u.id() : null,
        new Imports.Request(listId, file.getOriginalFilename(), file.getBytes(), format, map, importAs, consentBasis, overwrite, tags));
    return ResponseEntity.status(HttpStatus.ACCEPTED)
        .body(new Created(id, "queued", "/api/v1/orgs/" + org.slug() + "/imports/" + id));
  }

  /**
   * The same call without a multipart body. Spring refuses it while choosing a handler, before any advice of the API
   * applies, with a JSON body of its own; every error of the API is problem+json.
   */
  @PostMapping("/api/v1/orgs/{org}/imports")
  @Operation(hidden = true)
  ResponseEntity<ProblemDetail> apiCreateWithoutFile(OrganizationContext org) {
    String detail = "Send the import as multipart/form-data, with the file in the 'file' part.";
    ProblemDetail body = ProblemDetail.forStatusAndDetail(HttpStatus.UNSUPPORTED_MEDIA_TYPE, detail);
    body.setProperty("errors", List.of(Map.of("field", "file", "message", detail)));
    return ResponseEntity.status(HttpStatus.UNSUPPORTED_MEDIA_TYPE).header(HttpHeaders.ACCEPT, MediaType.MULTIPART_FORM_DATA_VALUE)
        .body(body);
  }

  @GetMapping("/api/v1/orgs/{org}/imports")
  @Operation(summary = "The organization's imports, newest first, with status, counts and times")
  Imports.Page apiJobs(OrganizationContext org, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size) {
    Refused.checkPage(page, size);
    return imports.page(org.id(), page, size);
  }

  @GetMapping("/api/v1/orgs/{org}/imports/{id}")
  @Operation(summary = "An import's progress and results")
  Imports.Job apiJob(OrganizationContext org, @PathVariable long id) {
    return imports.find(org.id(), id).orElseThrow(() -> Refused.notFound("Import " + id));
  }

  @GetMapping("/api/v1/orgs/{org}/imports/{id}/errors")
  @Operation(summary = "Rows an import set aside, with line number and reason")
  List<Imports.ImportError> apiErrors(OrganizationContext org, @PathVariable long id,
      @RequestParam(defaultValue = "1000") int limit) {
    imports.find(org.id(), id).orElseThrow(() -> Refused.notFound("Import " + id));
    return imports.errors(org.id(), id, Math.max(1, Math.min(limit, 10_000)));
  }

  /**
   * The mapping as column name to target. Every value must be a JSON string: read as a plain map, a
   * number ({"email":1}) got through as an Integer and failed later with a ClassCastException.
   */
  private Map<String, String> parseMapping(String mapping) {
    if (mapping == null || mapping.isBlank()) return null;
    String usage = "mapping is a JSON object of column name to target, e.g. {\"E-Mail\":\"email\"}.";
    JsonNode tree;
    try {
      tree = json.readTree(mapping);
    } catch (RuntimeException e) {
      throw Refused.invalid("mapping", usage);
    }
    if (tree == null || !tree.isObject()) throw Refused.invalid("mapping", usage);
    Map<String, String> out = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> e : tree.properties()) {
      if (!e.getValue().isString()) {
        throw Refused.invalid("mapping", "The target of column '" + Text.visible(e.getKey()) + "' is " + e.getValue().getNodeType()
            .toString().toLowerCase(java.util.Locale.ROOT) + "; each target is a string such as \"email\", \"name\" or \"field:city\".");
      }
      out.put(e.getKey(), e.getValue().asString());
    }
    return out;
  }
}
