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
      model.addAttribute("mapping", mapping);
      model.addAttribute("targets", targets(org.id()));
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

  private List<String> targets(long orgId) {
    List<String> all = new java.util.ArrayList<>(List.of("ignore", "email", "name", "first_name", "last_name", "tags", "status",
        "unsubscribed_at", "bounced_at", "attributes", "optin_time", "optin_ip", "confirm_time", "confirm_ip"));
    fields.list(orgId).forEach(f -> all.add("field:" + f.key()));
    return all;
  }

}
