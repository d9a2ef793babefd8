package dev.herald.audiences;

import dev.herald.platform.OnRefused;
import dev.herald.platform.Refused;
import dev.herald.platform.PanelController;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Imports in the panel: upload → mapping → progress → report. The API is {@link ImportsApi}. */
@PanelController
class ImportsController {
  private final Imports imports;
  private final MailingLists lists;
  private final CustomFields fields;

  ImportsController(Imports imports, MailingLists lists, CustomFields fields) {
    this.imports = imports;
    this.lists = lists;
    this.fields = fields;
  }

  // ---- panel -------------------------------------------------------------------------------

  @GetMapping("/o/{org}/imports")
  String list(OrganizationContext org, Model model) {
    model.addAttribute("jobs", imports.recent(org.id()));
    model.addAttribute("lists", lists.names(org.id()));
    return "audiences/imports";
  }

  @PostMapping("/o/{org}/imports")
  @OnRefused("/o/{org}/imports")
  String upload(OrganizationContext org, @AuthenticationPrincipal HeraldUser me,
      @RequestParam(required = false) MultipartFile file, @RequestParam(defaultValue = "0") long listId, RedirectAttributes flash)
      throws IOException {
    if (file == null || file.getOriginalFilename() == null || file.getOriginalFilename().isEmpty()) {
      throw Refused.invalid("file", "Choose a file to import (CSV, XLSX or JSON).");
    }
    long id = imports.upload(org.id(), me.id(), listId, file.getOriginalFilename(), file.getBytes(), null);
    return "redirect:/o/" + org.slug() + "/imports/" + id;
  }

  @GetMapping("/o/{org}/imports/{id}")
  String job(OrganizationContext org, @PathVariable long id, Model model) {
    Imports.Job job = imports.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND));
    model.addAttribute("job", job);
    model.addAttribute("list", job.listId() == null ? null : lists.basic(org.id(), job.listId()).orElse(null));
    if (job.status() == ImportStatus.DRAFT) {
      Map<String, String> mapping = imports.mapping(org.id(), id);
      // After a refused start, what the person chose comes back (flashed as "values", see OnRefused), so
      // nothing they set has to be set again.
      if (model.getAttribute("values") instanceof Map<?, ?> submitted) {
        mapping.replaceAll((header, target) -> submitted.get("map." + header) instanceof String chosen ? chosen : "ignore");
      }
      List<Target> targets = targets(org.id());
      Map<String, Target> unknown = new LinkedHashMap<>();
      mapping.values().stream().filter(t -> targets.stream().noneMatch(o -> o.value().equals(t)))
          .forEach(t -> unknown.put(t, newField(t)));
      model.addAttribute("mapping", mapping);
      model.addAttribute("targets", targets);
      model.addAttribute("newFields", unknown);
      model.addAttribute("samples", imports.samples(org.id(), id));
    } else {
      model.addAttribute("importErrors", imports.errors(org.id(), id, 500));
    }
    return "audiences/import";
  }

  /** The progress fragment the import page polls (htmx) while the job runs. */
  @GetMapping("/o/{org}/imports/{id}/progress")
  String progress(OrganizationContext org, @PathVariable long id, Model model) {
    model.addAttribute("job", imports.find(org.id(), id).orElseThrow(() -> new ResponseStatusException(HttpStatus.NOT_FOUND)));
    return "audiences/import :: progress";
  }

  @PostMapping("/o/{org}/imports/{id}/start")
  @OnRefused(value = "/o/{org}/imports/{id}", notFoundIsPage = true)
  String start(OrganizationContext org, @PathVariable long id, HttpServletRequest request,
      @RequestParam(defaultValue = "subscribed") String importAs, @RequestParam(defaultValue = "") String consentBasis,
      @RequestParam(defaultValue = "false") boolean overwrite, @RequestParam(defaultValue = "") String tags, RedirectAttributes flash) {
    Map<String, String> mapping = new LinkedHashMap<>();
    imports.mapping(org.id(), id).keySet().forEach(header -> {
      String target = request.getParameter("map." + header);
      mapping.put(header, target == null ? "ignore" : target);
    });
    imports.start(org.id(), id, mapping, importAs, consentBasis, overwrite, Tags.parse(tags));
    return "redirect:/o/" + org.slug() + "/imports/" + id;
  }

  /** What a column can go to, as the mapping's select offers it: the code it submits and the words it shows. */
  public record Target(String value, String label) {}

  /** Every target of {@link ImportFiles#TARGETS} in the select's order, named for people rather than by its code. */
  static final Map<String, String> TARGET_LABELS = labels(
      "ignore", "Don't import",
      "email", "Email address",
      "name", "Full name",
      "first_name", "First name",
      "last_name", "Last name",
      "tags", "Tags",
      "status", "Status",
      "unsubscribed_at", "Unsubscribed at (time)",
      "bounced_at", "Bounced at (time)",
      "attributes", "Custom fields (a JSON object)",
      "optin_time", "Opt-in time",
      "optin_ip", "Opt-in IP address",
      "confirm_time", "Confirmation time",
      "confirm_ip", "Confirmation IP address");

  private static Map<String, String> labels(String... codesAndLabels) {
    Map<String, String> labels = new LinkedHashMap<>();
    for (int i = 0; i < codesAndLabels.length; i += 2) labels.put(codesAndLabels[i], codesAndLabels[i + 1]);
    return java.util.Collections.unmodifiableMap(labels);
  }

  private List<Target> targets(long orgId) {
    List<Target> all = new java.util.ArrayList<>();
    TARGET_LABELS.forEach((code, label) -> all.add(new Target(code, label)));
    fields.list(orgId).forEach(f -> all.add(new Target("field:" + f.key(), "Custom field: " + f.label())));
    return all;
  }

  /**
   * A mapped target the select does not offer: a column the suggestion sent to a custom field that does not exist yet,
   * which the import creates as a text field.
   */
  static Target newField(String target) {
    return new Target(target, "New custom field: " + (target.startsWith("field:") ? target.substring(6) : target) + " (text)");
  }

}
