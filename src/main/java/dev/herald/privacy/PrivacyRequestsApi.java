package dev.herald.privacy;

import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST API for data-subject requests. {org} is the organization's slug. */
@RestController
@Tag(name = "Privacy requests", description = "Data-subject requests: access, portability, rectification, erasure, restriction, objection")
class PrivacyRequestsApi {
  private final DataSubjectRequests requests;
  private final RequestCompletion completion;
  private final Archives archives;
  private final dev.herald.audiences.Subscribers subscribers;

  PrivacyRequestsApi(DataSubjectRequests requests, RequestCompletion completion, Archives archives,
      dev.herald.audiences.Subscribers subscribers) {
    this.subscribers = subscribers;
    this.requests = requests;
    this.completion = completion;
    this.archives = archives;
  }

  @GetMapping("/api/v1/orgs/{org}/privacy/requests")
  @Operation(summary = "The organization's requests, newest first; flag is open, overdue or due_soon (within 7 days)")
  DataSubjectRequests.Page list(OrganizationContext org,
      @Parameter(schema = @Schema(implementation = RequestStatus.class)) @RequestParam(defaultValue = "") String status,
      @Parameter(schema = @Schema(implementation = RequestType.class)) @RequestParam(defaultValue = "") String type,
      @Parameter(schema = @Schema(allowableValues = {"open", "overdue", "due_soon"})) @RequestParam(defaultValue = "") String flag,
      @RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    return requests.search(org.id(), new DataSubjectRequests.Filter(TextEnum.parse(RequestStatus.class, "status", status),
        TextEnum.parse(RequestType.class, "type", type), flag, q), page, size);
  }

  record OpenRequest(@Schema(implementation = RequestType.class) String type, String address, String note) {}

  @PostMapping("/api/v1/orgs/{org}/privacy/requests")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Record a request received now; due one calendar month later")
  DataSubjectRequests.Request open(OrganizationContext org, @RequestBody OpenRequest body) {
    if (body == null) throw Refused.invalid("type", "Send type and address.");
    RequestType type = TextEnum.parse(RequestType.class, "type", body.type());
    if (type == null) throw Refused.invalid("type", "type is one of " + TextEnum.texts(RequestType.class) + ".");
    return requests.open(org.id(), type, body.address(), RequestChannel.API, Actors.current(), body.note());
  }

  record ArchiveInfo(String fileName, long size, Instant expiresAt, String download) {}

  record Detail(DataSubjectRequests.Request request, List<DataSubjectRequests.Step> history, ArchiveInfo archive) {}

  @GetMapping("/api/v1/orgs/{org}/privacy/requests/{id}")
  @Operation(summary = "One request with its history and, for a completed access or portability request, its archive")
  Detail get(OrganizationContext org, @PathVariable long id) {
    DataSubjectRequests.Request r = requests.get(org.id(), id);
    ArchiveInfo archive = archives.available(org.id(), id).map(a -> new ArchiveInfo(a.fileName(), a.size(), a.expiresAt(),
        "/api/v1/orgs/" + org.slug() + "/privacy/requests/" + id + "/archive")).orElse(null);
    return new Detail(r, requests.history(org.id(), id), archive);
  }

  record Note(String note) {}

  record Reason(String reason) {}

  @PostMapping("/api/v1/orgs/{org}/privacy/requests/{id}/start")
  @Operation(summary = "Mark a received request as in progress")
  DataSubjectRequests.Request start(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) Note body) {
    return requests.start(org.id(), id, Actors.current(), body == null ? null : body.note());
  }

  @PostMapping("/api/v1/orgs/{org}/privacy/requests/{id}/extension")
  @Operation(summary = "Extend the due date once, by two further months, with the reason the person is told")
  DataSubjectRequests.Request extend(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) Reason body) {
    return requests.extend(org.id(), id, Actors.current(), body == null ? null : body.reason());
  }

  @PostMapping("/api/v1/orgs/{org}/privacy/requests/{id}/rejection")
  @Operation(summary = "Reject the request, with the reason the person is told")
  DataSubjectRequests.Request reject(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) Reason body) {
    return requests.reject(org.id(), id, Actors.current(), body == null ? null : body.reason());
  }

  record Complete(String note, @Schema(description = "rectification: the corrected address") String email,
      @Schema(description = "rectification: the corrected name") String name,
      @Schema(description = "rectification: fields to correct (merged; null removes one)") Map<String, Object> fields) {}

  @PostMapping("/api/v1/orgs/{org}/privacy/requests/{id}/completion")
  @Operation(summary = "Carry the request out and complete it",
      description = "access and portability: builds the archive (download it from .../archive); erasure: erases the person in"
          + " every capability and forgets the address; rectification: applies email, name and fields; restriction and"
          + " objection: restricts the address.")
  DataSubjectRequests.Request complete(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) Complete body) {
    Complete c = body == null ? new Complete(null, null, null, null) : body;
    return completion.complete(org.id(), id, Actors.current(), c.note(), new RequestCompletion.Rectification(c.email(), c.name(), c.fields()));
  }

  @PostMapping("/api/v1/orgs/{org}/privacy/requests/{id}/lift")
  @Operation(summary = "Lift the restriction or objection a completed request put in place")
  DataSubjectRequests.Request lift(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) Note body) {
    return completion.lift(org.id(), id, Actors.current(), body == null ? null : body.note());
  }

  @PostMapping("/api/v1/orgs/{org}/privacy/requests/{id}/notes")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Add a note to the request's history")
  void note(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) Note body) {
    requests.note(org.id(), id, Actors.current(), body == null ? null : body.note());
  }

  @GetMapping("/api/v1/orgs/{org}/privacy/requests/{id}/archive")
  @Operation(summary = "The ZIP of a completed access or portability request, while it is kept (14 days)")
  ResponseEntity<byte[]> archive(OrganizationContext org, @PathVariable long id) {
    return download(requests, archives, org.id(), id);
  }

  /** The archive as a download, recorded in the request's history; 404 once it expired. */
  static ResponseEntity<byte[]> download(DataSubjectRequests requests, Archives archives, long organizationId, long id) {
    requests.get(organizationId, id);
    Archives.Archive a = archives.find(organizationId, id).orElseThrow(() -> Refused.notFound("No archive: it expired, or the request made none."));
    requests.step(id, RequestAction.ARCHIVE_DOWNLOADED, Actors.current(), a.fileName());
    return ResponseEntity.ok()
        .contentType(MediaType.parseMediaType("application/zip"))
        .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(a.fileName()).build().toString())
        // Someone's personal data: no copy in a shared or browser cache.
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .body(a.content());
  }

  /**
   * The subscribers API's erasure call (its URL and 204 kept from audiences, which cannot reach the capabilities to its
   * right): the person is erased in every capability through the personal-data map, recorded as a completed request.
   */
  @PostMapping("/api/v1/orgs/{org}/subscribers/{idOrEmail}/erasure")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Tag(name = "Subscribers")
  @Operation(summary = "Erase a person (right to erasure) in every part of Herald: subscriber, subscriptions, consent records,"
      + " messages, tracking, feedback...; only a keyed hash of the address is kept so no import or API call adds it back."
      + " Recorded as a completed erasure request. Needs the privacy scope.")
  void eraseSubscriber(OrganizationContext org, @PathVariable String idOrEmail) {
    var found = idOrEmail.matches("\\d{1,18}") ? subscribers.find(org.id(), Long.parseLong(idOrEmail))
        : subscribers.findByEmail(org.id(), idOrEmail);
    String address = found.orElseThrow(() -> Refused.notFound("Subscriber " + idOrEmail)).email();
    completion.eraseNow(org.id(), address, RequestChannel.API, Actors.current());
  }

  record Settings(boolean selfServiceCompletes) {}

  @GetMapping("/api/v1/orgs/{org}/privacy/settings")
  @Operation(summary = "Whether verified self-service requests complete themselves")
  Settings settings(OrganizationContext org) {
    return new Settings(requests.selfServiceCompletes(org.id()));
  }

  @PutMapping("/api/v1/orgs/{org}/privacy/settings")
  @Operation(summary = "Set whether verified self-service requests complete themselves or wait for a member")
  Settings saveSettings(OrganizationContext org, @RequestBody Settings body) {
    requests.setSelfServiceCompletes(org.id(), body != null && body.selfServiceCompletes());
    return new Settings(requests.selfServiceCompletes(org.id()));
  }
}
