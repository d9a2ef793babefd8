package dev.herald.reports;

import dev.herald.campaigns.Campaign;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.platform.Words;
import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.Permission;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;

/**
 * A campaign's report page under the campaign ({@code /o/{org}/campaigns/{id}/report}): the figures, the timeline chart
 * (drawn by {@code /assets/campaign-report-chart.js} from the table that shows the same numbers without scripts), the
 * clicks per link, the feedback by class and reason and the top recipient domains; and the two CSV downloads.
 */
@PanelController
class CampaignReportsController {
  private final CampaignReports reports;
  private final CampaignReportCsv csv;

  CampaignReportsController(CampaignReports reports, CampaignReportCsv csv) {
    this.reports = reports;
    this.csv = csv;
  }

  /**
   * The report; a large campaign's is its snapshot, and the page says how often that is refreshed. While the first
   * snapshot is being computed the page says so and reloads itself when it may be ready.
   */
  @GetMapping("/o/{org}/campaigns/{id}/report")
  String report(OrganizationContext org, @PathVariable long id, Model model, HttpServletResponse response) {
    Campaign campaign = reports.campaign(org.id(), id);
    model.addAttribute("snapshotAge", reports.fromSnapshot(campaign) ? words(reports.snapshotAge()) : null);
    try {
      model.addAttribute("report", reports.of(campaign));
    } catch (Refused e) {
      if (!(e.refusal() instanceof Refusal.Unavailable u)) throw e;
      model.addAttribute("campaign", campaign);
      model.addAttribute("preparing", e.getMessage());
      response.setHeader("Refresh", Long.toString(u.retryAfter().toSeconds()));
      return "reports/campaign-report-preparing";
    }
    model.addAttribute("canExportRecipients", org.can(Permission.CAMPAIGNS_READ));
    return "reports/campaign-report";
  }

  @GetMapping("/o/{org}/campaigns/{id}/report/figures.csv")
  void figures(OrganizationContext org, @PathVariable long id, HttpServletResponse response) throws IOException {
    CampaignReport report = reports.of(org.id(), id);
    attachment(response, CampaignReportCsv.fileName(id, "report"));
    csv.figures(report, response.getOutputStream());
  }

  @GetMapping("/o/{org}/campaigns/{id}/report/recipients.csv")
  void recipients(OrganizationContext org, @PathVariable long id, HttpServletResponse response) throws IOException {
    var campaign = reports.campaign(org.id(), id);
    attachment(response, CampaignReportCsv.fileName(id, "recipients"));
    csv.recipients(campaign, response.getOutputStream());
  }

  /** A snapshot's age in words: "5 minutes", "90 seconds", "2 hours". */
  static String words(java.time.Duration d) {
    if (d.toSeconds() < 120) return Words.count(d.toSeconds(), "second", "seconds");
    if (d.toMinutes() < 120) return Words.count(d.toMinutes(), "minute", "minutes");
    return Words.count(d.toHours(), "hour", "hours");
  }

  /** A CSV download: saved under {@code name}, and never kept by a cache (the recipients' export holds addresses). */
  static void attachment(HttpServletResponse response, String name) {
    response.setContentType(CampaignReportCsv.MEDIA_TYPE);
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString());
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
  }
}
