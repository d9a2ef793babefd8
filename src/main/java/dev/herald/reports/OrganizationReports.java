package dev.herald.reports;

import dev.herald.delivery.OrganizationDeliveryFigures;
import dev.herald.feedback.OrganizationFeedbackFigures;
import dev.herald.platform.Refused;
import dev.herald.tracking.OrganizationTrackingFigures;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * The organization's report: its volume and rates over the last days and its standing with sender protection, put
 * together from the public read APIs of delivery, feedback and tracking (one grouped query each; reports reads no
 * table of theirs).
 */
@Service
class OrganizationReports {
  static final int DEFAULT_DAYS = 30;
  static final int MAX_DAYS = 90;

  private final OrganizationDeliveryFigures delivery;
  private final OrganizationFeedbackFigures feedback;
  private final OrganizationTrackingFigures tracking;
  private final Clock clock;

  OrganizationReports(OrganizationDeliveryFigures delivery, OrganizationFeedbackFigures feedback, OrganizationTrackingFigures tracking,
      Clock clock) {
    this.delivery = delivery;
    this.feedback = feedback;
    this.tracking = tracking;
    this.clock = clock;
  }

  /** The {@code days} (1 to 90) UTC days ending today, each one present (0 on a day without mail). */
  OrganizationReport overview(long organizationId, int days) {
    if (days < 1 || days > MAX_DAYS) throw Refused.invalid("days", "days must be a whole number from 1 to " + MAX_DAYS + ".");
    LocalDate last = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    LocalDate first = last.minusDays(days - 1L);
    Instant from = first.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Map<LocalDate, OrganizationDeliveryFigures.Day> sent = byDay(delivery.daily(organizationId, from, to), OrganizationDeliveryFigures.Day::day);
    Map<LocalDate, OrganizationFeedbackFigures.Day> reported = byDay(feedback.daily(organizationId, from, to), OrganizationFeedbackFigures.Day::day);
    Map<LocalDate, OrganizationTrackingFigures.Day> tracked = byDay(tracking.daily(organizationId, from, to), OrganizationTrackingFigures.Day::day);
    List<OrganizationReport.Day> out = new ArrayList<>(days);
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      var d = sent.getOrDefault(day, new OrganizationDeliveryFigures.Day(day, 0, 0));
      var f = reported.getOrDefault(day, new OrganizationFeedbackFigures.Day(day, 0, 0, 0));
      var t = tracked.getOrDefault(day, new OrganizationTrackingFigures.Day(day, 0, 0, 0, 0));
      out.add(new OrganizationReport.Day(day, d.delivered() + d.bounced(), d.delivered(), d.bounced() + f.laterBounces(), f.hardBounces(),
          f.complaints(), t.opens(), t.clicks(), t.machineOpens(), t.machineClicks()));
    }
    return new OrganizationReport(first, last, days, OrganizationReport.Totals.of(out), out, feedback.standing(organizationId));
  }

  private static <T> Map<LocalDate, T> byDay(List<T> rows, Function<T, LocalDate> day) {
    return rows.stream().collect(Collectors.toMap(day, Function.identity()));
  }
}
