package dev.herald.privacy;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationClosures;
import dev.herald.tenancy.OrganizationContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The organization's closure page (billing:write, which of the built-in roles only owners hold): export all its data
 * (a background job with a progress bar), close it with its slug typed, and, once closed, reopen it within the grace
 * period. It stays open to the members' sessions after the closure, when every other page and API key is refused.
 * The operator's list of purges and their certificates is here too.
 */
@PanelController
class ClosureController {
  private static final String PAGE = "/o/{org}/closure";
  private final AccountExports exports;
  private final AccountClosure closure;
  private final OrganizationClosures closures;
  private final AccountPurgeWorker purges;

  ClosureController(AccountExports exports, AccountClosure closure, OrganizationClosures closures, AccountPurgeWorker purges) {
    this.exports = exports;
    this.closure = closure;
    this.closures = closures;
    this.purges = purges;
  }

  @GetMapping(PAGE)
  String page(OrganizationContext org, Model model) {
    model.addAttribute("closure", closures.of(org.id()).orElseThrow(() -> Refused.notFound("Organization")));
    model.addAttribute("exports", exports.recent(org.id()));
    return "privacy/closure";
  }

  @PostMapping(PAGE + "/exports")
  @OnRefused(PAGE + "#export")
  String startExport(OrganizationContext org, @AuthenticationPrincipal HeraldUser me, RedirectAttributes flash) {
    exports.start(org.id(), me == null ? null : me.id());
    flash.addFlashAttribute("notice", "The export has started; this page shows its progress.");
    return "redirect:/o/" + org.slug() + "/closure#export";
  }

  /** The progress fragment, polled by htmx while the export is queued or running. */
  @GetMapping(PAGE + "/exports/{id}/progress")
  String progress(OrganizationContext org, @PathVariable long id, Model model) {
    // The fragment is the row of the page's table, which iterates over "exports": here over this one export.
    model.addAttribute("exports", java.util.List.of(exports.get(org.id(), id).orElseThrow(() -> Refused.notFound("Export " + id))));
    return "privacy/closure :: exportRow";
  }

  @GetMapping(PAGE + "/exports/{id}/download")
  void download(OrganizationContext org, @PathVariable long id, HttpServletResponse response) throws IOException {
    AccountExports.ExportView export = exports.downloadable(org.id(), id);
    response.setContentType("application/zip");
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
        ContentDisposition.attachment().filename(AccountExports.fileName(org.slug(), export)).build().toString());
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    response.setContentLengthLong(export.sizeBytes());
    exports.write(org.id(), id, response.getOutputStream());
  }

  @PostMapping(PAGE + "/close")
  @OnRefused(PAGE + "#close")
  String close(OrganizationContext org, @RequestParam(defaultValue = "") String confirm, RedirectAttributes flash) {
    OrganizationClosures.Closure closed = closure.close(org.id(), confirm);
    flash.addFlashAttribute("notice", closed.name() + " is closed: its sending and API access have stopped. You can reopen it until "
        + dev.herald.platform.Dates.time(closed.purgeAfter()) + ".");
    return "redirect:/o/" + org.slug() + "/closure";
  }

  @PostMapping(PAGE + "/reopen")
  @OnRefused(PAGE)
  String reopen(OrganizationContext org, RedirectAttributes flash) {
    OrganizationClosures.Closure reopened = closure.reopen(org.id());
    flash.addFlashAttribute("notice", reopened.name() + " is open again; its held mail and jobs go on.");
    return "redirect:/o/" + org.slug();
  }

  // ---- the operator ------------------------------------------------------------------------------

  @GetMapping("/operator/purges")
  String operatorPurges(Model model) {
    model.addAttribute("purges", purges.certificates(200));
    return "privacy/operator-purges";
  }

  @GetMapping("/operator/purges/{id}/certificate")
  void certificate(@PathVariable long id, HttpServletResponse response) throws IOException {
    AccountPurgeWorker.Certificate c = purges.certificate(id).filter(p -> p.purgedAt() != null)
        .orElseThrow(() -> Refused.notFound("Purge certificate " + id));
    response.setContentType("application/json");
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
        ContentDisposition.attachment().filename("purge-certificate-" + c.slug() + "-" + c.id() + ".json").build().toString());
    response.getOutputStream().write(purges.document(c));
  }
}
