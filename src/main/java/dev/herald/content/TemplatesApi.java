package dev.herald.content;

import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST API for templates, snippets and their categories, and the editors' format conversion (permissions templates:read and templates:write, which the scopes campaigns:read and campaigns:write also grant). */
@RestController
@Tag(name = "Templates", description = "Campaign templates (wrapping the body at {{ content }}), snippets included by name, categories")
class TemplatesApi {
  private final Templates templates;
  private final TemplateCategories categories;

  TemplatesApi(Templates templates, TemplateCategories categories) {
    this.templates = templates;
    this.categories = categories;
  }

  /** Kind and format are text here, not the enums, so that a wrong one is refused naming its field. */
  record TemplateRequest(String name,
      @Schema(implementation = TemplateKind.class, description = "campaign or snippet; fixed once created") String kind,
      @Schema(description = "A category of the organization, or null for none") Long categoryId,
      @Schema(implementation = ContentFormat.class, description = "html when absent") String format,
      @Schema(description = "The template's source in its format, in the template language (Liquid)") String source) {
    Templates.Draft draft() {
      return new Templates.Draft(name, TextEnum.parse(TemplateKind.class, "kind", kind), categoryId, TextEnum.parse(ContentFormat.class, "format", format), source);
    }
  }

  record CategoryRequest(String name) {}

  record ConvertRequest(String source, @Schema(implementation = ContentFormat.class) String from,
      @Schema(implementation = ContentFormat.class) String to) {}

  record Conversion(String source, @Schema(description = "What the target format cannot hold, in words; null when nothing is lost") String warning) {}

  @GetMapping("/api/v1/orgs/{org}/templates")
  @Operation(summary = "List the organization's templates, by kind and name")
  List<Templates.Template> list(OrganizationContext org,
      @RequestParam(required = false) @Schema(implementation = TemplateKind.class) String kind,
      @RequestParam(required = false) Long categoryId) {
    return templates.list(org.id(), TextEnum.parse(TemplateKind.class, "kind", kind), categoryId);
  }

  @PostMapping("/api/v1/orgs/{org}/templates")
  @Operation(summary = "Create a template or snippet; its source must compile (errors name line and column)")
  @ResponseStatus(HttpStatus.CREATED)
  Templates.Template create(OrganizationContext org, @RequestBody TemplateRequest body) {
    return templates.create(org.id(), body.draft());
  }

  @GetMapping("/api/v1/orgs/{org}/templates/{id}")
  @Operation(summary = "Get a template with its source")
  Templates.Template get(OrganizationContext org, @PathVariable long id) {
    return templates.get(org.id(), id);
  }

  @PutMapping("/api/v1/orgs/{org}/templates/{id}")
  @Operation(summary = "Replace a template's name, category, format and source (its kind is fixed)")
  Templates.Template update(OrganizationContext org, @PathVariable long id, @RequestBody TemplateRequest body) {
    return templates.update(org.id(), id, body.draft());
  }

  @DeleteMapping("/api/v1/orgs/{org}/templates/{id}")
  @Operation(summary = "Delete a template; a snippet still included by another template is a 409")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(OrganizationContext org, @PathVariable long id) {
    templates.delete(org.id(), id);
  }

  @PostMapping("/api/v1/orgs/{org}/templates/convert")
  @Operation(summary = "Convert a source between formats (what the editors' format switch does), with a warning when something is lost")
  Conversion convert(OrganizationContext org, @RequestBody ConvertRequest body) {
    ContentFormat from = required("from", body.from());
    ContentFormat to = required("to", body.to());
    if (body.source() != null && body.source().length() > Templates.MAX_SOURCE) {
      throw Refused.invalid("source", "A source is at most " + Templates.MAX_SOURCE + " characters.");
    }
    ContentFormatConversion.Converted converted = ContentFormatConversion.convert(body.source(), from, to);
    return new Conversion(converted.source(), converted.warning());
  }

  private static ContentFormat required(String field, String text) {
    ContentFormat format = TextEnum.parse(ContentFormat.class, field, text);
    if (format == null) throw Refused.invalid(field, field + " is one of richtext, html, markdown, text.");
    return format;
  }

  @GetMapping("/api/v1/orgs/{org}/template-categories")
  @Operation(summary = "List the template categories with how many templates each has")
  List<TemplateCategories.Category> categories(OrganizationContext org) {
    return categories.list(org.id());
  }

  @PostMapping("/api/v1/orgs/{org}/template-categories")
  @Operation(summary = "Create a template category")
  @ResponseStatus(HttpStatus.CREATED)
  TemplateCategories.Category createCategory(OrganizationContext org, @RequestBody CategoryRequest body) {
    return categories.create(org.id(), body.name());
  }

  @GetMapping("/api/v1/orgs/{org}/template-categories/{id}")
  @Operation(summary = "Get a template category")
  TemplateCategories.Category category(OrganizationContext org, @PathVariable long id) {
    return categories.get(org.id(), id);
  }

  @PutMapping("/api/v1/orgs/{org}/template-categories/{id}")
  @Operation(summary = "Rename a template category")
  TemplateCategories.Category renameCategory(OrganizationContext org, @PathVariable long id, @RequestBody CategoryRequest body) {
    return categories.rename(org.id(), id, body.name());
  }

  @DeleteMapping("/api/v1/orgs/{org}/template-categories/{id}")
  @Operation(summary = "Delete a template category; its templates stay, without a category")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void deleteCategory(OrganizationContext org, @PathVariable long id) {
    categories.delete(org.id(), id);
  }
}
