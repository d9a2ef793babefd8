package dev.herald.suppression;

import dev.herald.platform.Refused;
import dev.herald.platform.PanelController;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Panel pages of a suppression list: an organization's ({@code /o/{org}/suppressions}) and the
 * installation's, kept by the operator ({@code /operator/suppressions}). Both are one template; the
 * operator's has no export and always may write.
 */
@PanelController
class SuppressionsController {
  private static final int PAGE_SIZE = 50;
  private static final String OPERATOR_BASE = "/operator/suppressions";
  private final Suppressions suppressions;
  private final Clock clock;

  SuppressionsController(Suppressions suppressions, Clock clock) {
    this.suppressions = suppressions;
    this.clock = clock;
  }

  // ---- an organization's list ------------------------------------------------------------------

  @GetMapping("/o/{org}/suppressions")
  String list(OrganizationContext org, @RequestParam(defaultValue = "") String q,
      @RequestParam(defaultValue = "") String reason, @RequestParam(defaultValue = "0") int page, Model model) {
    page(model, org.id(), base(org), org.can(Permission.SUPPRESSIONS_WRITE), q, reason, page);
    return "suppression/suppressions";
  }

  @PostMapping("/o/{org}/suppressions")
  String add(OrganizationContext org, @AuthenticationPrincipal HeraldUser me,
      @RequestParam(defaultValue = "") String entries, @RequestParam(defaultValue = "manual") String reason,
      @RequestParam(defaultValue = "") String note, @RequestParam(defaultValue = "") String expires, RedirectAttributes flash) {
    addLines(org.id(), me, entries, reason, note, expires, flash);
    return "redirect:" + base(org);
  }

  @GetMapping("/o/{org}/suppressions/check")
  String check(OrganizationContext org, @RequestParam(required = false) String address,
      @RequestHeader(name = "HX-Request", required = false) String htmx, Model model) {
    checkInto(model, org.id(), address);
    if (htmx != null) return "suppression/suppressions :: check-result";
    page(model, org.id(), base(org), org.can(Permission.SUPPRESSIONS_WRITE), "", "", 0);
    return "suppression/suppressions";
  }

  @GetMapping("/o/{org}/suppressions/export")
  void export(OrganizationContext org, HttpServletResponse response) throws IOException {
    response.setContentType("text/csv; charset=UTF-8");
    String name = org.slug() + "-suppressions-" + LocalDate.now(clock) + ".csv";
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString());
    // Addresses of people: no copy in a shared or browser cache.
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    suppressions.exportCsv(org.id(), response.getOutputStream());
  }

  @PostMapping("/o/{org}/suppressions/{id}/delete")
  String delete(OrganizationContext org, @PathVariable long id, RedirectAttributes flash) {
    if (!suppressions.remove(org.id(), id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "Suppression removed.");
    return "redirect:" + base(org);
  }

  private static String base(OrganizationContext org) {
    return "/o/" + org.slug() + "/suppressions";
  }

  // ---- the installation's list (operator) ------------------------------------------------------

  @GetMapping(OPERATOR_BASE)
  String operatorList(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "") String reason,
      @RequestParam(defaultValue = "0") int page, Model model) {
    page(model, null, OPERATOR_BASE, true, q, reason, page);
    return "suppression/suppressions";
  }

  @PostMapping(OPERATOR_BASE)
  String operatorAdd(@AuthenticationPrincipal HeraldUser me, @RequestParam(defaultValue = "") String entries,
      @RequestParam(defaultValue = "manual") String reason, @RequestParam(defaultValue = "") String note,
      @RequestParam(defaultValue = "") String expires, RedirectAttributes flash) {
    addLines(null, me, entries, reason, note, expires, flash);
    return "redirect:" + OPERATOR_BASE;
  }

  @GetMapping(OPERATOR_BASE + "/check")
  String operatorCheck(@RequestParam(required = false) String address,
      @RequestHeader(name = "HX-Request", required = false) String htmx, Model model) {
    checkInto(model, null, address);
    if (htmx != null) return "suppression/suppressions :: check-result";
    page(model, null, OPERATOR_BASE, true, "", "", 0);
    return "suppression/suppressions";
  }

  @PostMapping(OPERATOR_BASE + "/{id}/delete")
  String operatorDelete(@PathVariable long id, RedirectAttributes flash) {
    if (!suppressions.remove(null, id)) throw new ResponseStatusException(HttpStatus.NOT_FOUND);
    flash.addFlashAttribute("notice", "Suppression removed.");
    return "redirect:" + OPERATOR_BASE;
  }

  // ---- shared ------------------------------------------------------------------------------------

  /** {@code organizationId} null: the installation's list. */
  private void page(Model model, Long organizationId, String base, boolean canWrite, String q, String reason, int page) {
    // A filter is a link anyone may have edited: an unknown reason shows every entry rather than an error.
    SuppressionReason r = TextEnum.find(SuppressionReason.class, reason).orElse(null);
    model.addAttribute("page", suppressions.search(organizationId, q, r, Math.max(0, page), PAGE_SIZE));
    model.addAttribute("q", q);
    model.addAttribute("reason", r);
    model.addAttribute("reasons", SuppressionReason.values());
    model.addAttribute("addReasons", SuppressionReason.GIVEN);
    model.addAttribute("base", base);
    model.addAttribute("installation", organizationId == null);
    model.addAttribute("canWrite", canWrite);
  }

  private void checkInto(Model model, Long organizationId, String address) {
    model.addAttribute("installation", organizationId == null);
    if (address == null) return;
    model.addAttribute("checkAddress", address);
    try {
      String key = Target.address("address", address).key();
      model.addAttribute("checkKey", key);
      model.addAttribute("matches", organizationId == null ? suppressions.checkInstallation(key) : suppressions.check(organizationId, key));
    } catch (Refused p) {
      model.addAttribute("checkError", address.isBlank() ? "Enter an address to check." : p.getMessage());
    }
  }

  /**
   * The add form: one address or domain per line. Bad lines are reported by their line number and
   * put back in the form for correction; the good ones are added all the same.
   */
  private void addLines(Long organizationId, HeraldUser me, String text, String reasonText, String note, String expiresText,
      RedirectAttributes flash) {
    Map<String, String> formErrors = new java.util.LinkedHashMap<>();
    SuppressionReason reason = TextEnum.find(SuppressionReason.class, reasonText).filter(SuppressionReason.GIVEN::contains).orElse(null);
    if (reason == null) {
      formErrors.put("reason", "Choose one of " + SuppressionReason.GIVEN.stream().map(SuppressionReason::text)
          .collect(java.util.stream.Collectors.joining(", ")) + ".");
    }
    if (note.strip().length() > Suppressions.MAX_NOTE) formErrors.put("note", "A note is at most " + Suppressions.MAX_NOTE + " characters.");
    Instant expires = null;
    try {
      expires = expiry(expiresText);
    } catch (Refused p) {
      formErrors.put("expires", p.getMessage());
    }
    String[] lines = text.split("\r\n|\r|\n", -1);
    long filled = java.util.Arrays.stream(lines).filter(l -> !l.isBlank()).count();
    if (filled == 0) formErrors.put("entries", "Enter at least one address or domain.");
    if (filled > Suppressions.MAX_ENTRIES) formErrors.put("entries", "At most " + Suppressions.MAX_ENTRIES + " lines at a time.");
    if (!formErrors.isEmpty()) {
      flash.addFlashAttribute("errors", formErrors);
      keepForm(flash, text, reasonText, note, expiresText);
      return;
    }

    List<Suppressions.NewEntry> good = new ArrayList<>();
    List<String> lineErrors = new ArrayList<>();
    List<String> badLines = new ArrayList<>();
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) continue;
      // "@example.com", or anything without an @, is a domain.
      boolean domain = line.startsWith("@") || !line.contains("@");
      Suppressions.NewEntry entry = new Suppressions.NewEntry(domain ? null : line, domain ? line : null, reason, note, expires);
      try {
        suppressions.checkEntry(entry);
        good.add(entry);
      } catch (Refused p) {
        lineErrors.add("Line " + (i + 1) + " (" + line + "): " + p.getMessage());
        badLines.add(line);
      }
    }
    List<Suppressions.Added> added = good.isEmpty() ? List.of()
        : suppressions.addAll(organizationId, good, "panel:" + (me == null ? "unknown" : me.email()));
    long n = added.stream().filter(Suppressions.Added::added).count();
    flash.addFlashAttribute("notice", n + " added, " + (added.size() - n) + " already suppressed.");
    if (!lineErrors.isEmpty()) {
      flash.addFlashAttribute("lineErrors", lineErrors);
      keepForm(flash, String.join("\n", badLines), reasonText, note, expiresText);
    }
  }

  /**
   * The form's "until" day, when the entries end (at 00:00 UTC that day); blank keeps them for good. Checked here, in
   * the form's words: the service's own check names the API's field.
   */
  private Instant expiry(String day) {
    if (day.isBlank()) return null;
    LocalDate date;
    try {
      date = LocalDate.parse(day.strip());
    } catch (java.time.format.DateTimeParseException e) {
      throw Refused.invalid("expires", "Give the day as YYYY-MM-DD, or leave it empty to keep the entries for good.");
    }
    Instant at = date.atStartOfDay(ZoneOffset.UTC).toInstant();
    if (!at.isAfter(clock.instant()) || date.getYear() > 9999) {
      throw Refused.invalid("expires", "Choose a day in the future (before the year 10000), or leave it empty to keep the entries for good.");
    }
    return at;
  }

  private static void keepForm(RedirectAttributes flash, String entries, String reason, String note, String expires) {
    flash.addFlashAttribute("addExpires", expires);
    flash.addFlashAttribute("addEntries", entries);
    flash.addFlashAttribute("addReason", reason);
    flash.addFlashAttribute("addNote", note);
  }
}
