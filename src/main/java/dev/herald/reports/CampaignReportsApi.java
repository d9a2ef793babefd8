package dev.herald.reports;

import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST API of a campaign's report: the figures as JSON (scope {@code reports:read}), the same figures as CSV, and one
 * row per recipient as CSV (scope {@code campaigns:read}, which also lists a campaign's recipients). {org} is the
 * organization's slug; another organization's campaign is a 404.
 */
@RestController
@Tag(name = "Reports", description = "What happened to what an organization sent: per campaign, per organization")
class CampaignReportsApi {
  private final CampaignReports reports;
  private final CampaignReportCsv csv;

  CampaignReportsApi(CampaignReports reports, CampaignReportCsv csv) {
    this.reports = reports;
    this.csv = csv;
  }

  @GetMapping("/api/v1/orgs/{org}/campaigns/{id}/report")
  @Operation(summary = "A campaign's report: sent, delivered, deferred, bounced by class and reason, opens and clicks (people's and "
      + "machines' apart, clicks per link), unsubscribes, complaints, forwards, a timeline and the top recipient domains")
  CampaignReport report(OrganizationContext org, @PathVariable long id) {
    return reports.of(org.id(), id);
  }

  @GetMapping("/api/v1/orgs/{org}/campaigns/{id}/report/figures.csv")
  @Operation(summary = "The report's figures as CSV, one number per row: section, item, measure, value")
  @ApiResponse(responseCode = "200", description = "The file, as an attachment", content = @Content(mediaType = "text/csv"))
  void figures(OrganizationContext org, @PathVariable long id, HttpServletResponse response) throws IOException {
    CampaignReport report = reports.of(org.id(), id);
    CampaignReportsController.attachment(response, CampaignReportCsv.fileName(id, "report"));
    csv.figures(report, response.getOutputStream());
  }

  @GetMapping("/api/v1/orgs/{org}/campaigns/{id}/report/recipients.csv")
  @Operation(summary = "One row per recipient of the campaign: address, delivery state, attempts, when it ended, the last reply, "
      + "opens, clicks, machines' events, feedback and whether they unsubscribed; streamed in queue order")
  @ApiResponse(responseCode = "200", description = "The file, as an attachment", content = @Content(mediaType = "text/csv"))
  void recipients(OrganizationContext org, @PathVariable long id, HttpServletResponse response) throws IOException {
    var campaign = reports.campaign(org.id(), id);
    CampaignReportsController.attachment(response, CampaignReportCsv.fileName(id, "recipients"));
    csv.recipients(campaign, response.getOutputStream());
  }
}
