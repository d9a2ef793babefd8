package dev.herald.reports;

import dev.herald.platform.Refused;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The organization report and the deliverability panel for programs ({@code reports:read}). {org} is the organization's slug. */
@RestController
@Tag(name = "Reports")
class OrganizationReportApi {
  private final OrganizationReports reports;
  private final Deliverability deliverability;

  OrganizationReportApi(OrganizationReports reports, Deliverability deliverability) {
    this.reports = reports;
    this.deliverability = deliverability;
  }

  @GetMapping("/api/v1/orgs/{org}/reports/overview")
  @Operation(summary = "The organization's sending over the last days", description = """
      Each of the last `days` UTC days (1 to 90, default 30; today included; days without mail are 0): sent (recipients \
      whose delivery ended that day, taken or refused), delivered, bounced (refused during delivery plus bounces \
      reported later), hard bounces, complaints, opens and clicks by people and by machines (privacy proxies, link \
      scanners; every event, not unique readers); the totals with delivery, bounce and complaint rates per message \
      sent (fractions); and `protection`: the complaint and hard-bounce rates over sender protection's window against \
      its warn and pause thresholds, and whether sending is paused for reputation.""")
  OrganizationReport overview(OrganizationContext org, @RequestParam(name = "days", required = false) String days) {
    return reports.overview(org.id(), days(days));
  }

  @GetMapping("/api/v1/orgs/{org}/reports/deliverability")
  @Operation(summary = "The organization against the Gmail, Yahoo and Microsoft bulk-sender rules", description = """
      For each sending domain: SPF (of the return path, and its DMARC alignment), DKIM and DMARC as the last DNS check \
      found them (this call asks DNS nothing); for the organization: one-click unsubscribe (from the configuration), the \
      complaint rate over sender protection's window against 0.1 % and 0.3 %, and TLS. Each line is ok, warn or fail \
      with the reason and what to do; `notChecked` lists what Herald cannot judge.""")
  DeliverabilityReport deliverability(OrganizationContext org) {
    return deliverability.report(org.id());
  }

  private static int days(String days) {
    if (days == null || days.isBlank()) return OrganizationReports.DEFAULT_DAYS;
    try {
      return Integer.parseInt(days.strip());
    } catch (NumberFormatException e) {
      throw Refused.invalid("days", "days must be a whole number from 1 to " + OrganizationReports.MAX_DAYS + ".");
    }
  }
}
