package dev.herald.reports;

import dev.herald.feedback.OrganizationFeedbackFigures;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.LocalDate;
import java.util.List;

/**
 * The organization's report over {@code days} UTC days from {@code from} to {@code to} (both included): the figures of
 * each day, their totals and rates, and the standing with sender protection over its own window.
 */
record OrganizationReport(LocalDate from, LocalDate to, int days, Totals totals, List<Day> daily,
    OrganizationFeedbackFigures.Standing protection) {

  /**
   * One day's figures. {@code sent}: recipients whose delivery ended that day, taken ({@code delivered}) or refused by
   * the receiving server; {@code bounced}: those refusals plus bounces reported later by a DSN (so a message taken and
   * later bounced counts in both); {@code complaints}: spam reports (feedback loops, ARF); {@code opens} and
   * {@code clicks}: people's, every event (not unique readers); the machines' (privacy proxies, link scanners) apart.
   */
  record Day(LocalDate day, long sent, long delivered, long bounced, long hardBounces, long complaints, long opens, long clicks,
      long machineOpens, long machineClicks) {}

  /** The days added up, with rates per message sent (fractions: 0.001 = 0.1 %; 0 when nothing was sent). */
  record Totals(long sent, long delivered, long bounced, long hardBounces, long complaints, long opens, long clicks, long machineOpens,
      long machineClicks,
      @Schema(description = "delivered / sent") double deliveryRate,
      @Schema(description = "bounced / sent") double bounceRate,
      @Schema(description = "complaints / sent") double complaintRate) {

    static Totals of(List<Day> days) {
      long sent = 0, delivered = 0, bounced = 0, hard = 0, complaints = 0, opens = 0, clicks = 0, machineOpens = 0, machineClicks = 0;
      for (Day d : days) {
        sent += d.sent();
        delivered += d.delivered();
        bounced += d.bounced();
        hard += d.hardBounces();
        complaints += d.complaints();
        opens += d.opens();
        clicks += d.clicks();
        machineOpens += d.machineOpens();
        machineClicks += d.machineClicks();
      }
      return new Totals(sent, delivered, bounced, hard, complaints, opens, clicks, machineOpens, machineClicks, rate(delivered, sent),
          rate(bounced, sent), rate(complaints, sent));
    }

    private static double rate(long part, long whole) {
      return whole == 0 ? 0 : (double) part / whole;
    }
  }
}
