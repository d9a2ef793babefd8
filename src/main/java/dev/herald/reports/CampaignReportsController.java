package dev.herald.reports;

import dev.herald.platform.PanelController;
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

  @GetMapping("/o/{org}/campaigns/{id}/report")
  String report(OrganizationContext org, @PathVariable long id, Model model) {
    model.addAttribute("report", reports.of(org.id(), id));
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

  /** A CSV download: saved under {@code name}, and never kept by a cache (the recipients' export holds addresses). */
  static void attachment(HttpServletResponse response, String name) {
    response.setContentType(CampaignReportCsv.MEDIA_TYPE);
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(name).build().toString());
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
  }
}
