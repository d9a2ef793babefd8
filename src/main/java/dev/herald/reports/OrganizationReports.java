package dev.herald.reports;

import dev.herald.delivery.OrganizationDeliveryFigures;
import dev.herald.feedback.OrganizationFeedbackFigures;
import dev.herald.platform.Refused;
import dev.herald.tracking.OrganizationTrackingFigures;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/**
 * The organization's report: its volume and rates over the last days and its standing with sender protection, put
 * together from the public read APIs of delivery, feedback and tracking (one grouped query each; reports reads no
 * table of theirs). The figures of closed days are computed once and kept ({@link OrganizationReportDays}, V92): a view
 * computes only the days still open, so a month of millions of events costs a day's queries, not a month's.
 */
@Service
class OrganizationReports {
  static final int DEFAULT_DAYS = 30;
  static final int MAX_DAYS = 90;
  /** A UTC day is closed this long after it ends: no row of it is written later (V92 says why). */
  static final Duration CLOSED_AFTER = Duration.ofHours(1);

  private final OrganizationDeliveryFigures delivery;
  private final OrganizationFeedbackFigures feedback;
  private final OrganizationTrackingFigures tracking;
  private final OrganizationReportDays stored;
  private final Clock clock;

  OrganizationReports(OrganizationDeliveryFigures delivery, OrganizationFeedbackFigures feedback, OrganizationTrackingFigures tracking,
      OrganizationReportDays stored, Clock clock) {
    this.delivery = delivery;
    this.feedback = feedback;
    this.tracking = tracking;
    this.stored = stored;
    this.clock = clock;
  }

  /** The {@code days} (1 to 90) UTC days ending today, each one present (0 on a day without mail). */
  OrganizationReport overview(long organizationId, int days) {
    if (days < 1 || days > MAX_DAYS) throw Refused.invalid("days", "days must be a whole number from 1 to " + MAX_DAYS + ".");
    Instant now = clock.instant();
    LocalDate last = LocalDate.ofInstant(now, ZoneOffset.UTC);
    LocalDate first = last.minusDays(days - 1L);
    // the first day still open: today, or yesterday in today's first hour
    LocalDate open = LocalDate.ofInstant(now.minus(CLOSED_AFTER), ZoneOffset.UTC);
    Map<LocalDate, OrganizationReportDays.Figures> figures = new HashMap<>();
    if (first.isBefore(open)) figures.putAll(closed(organizationId, first, open.minusDays(1)));
    figures.putAll(live(organizationId, open.isBefore(first) ? first : open, last));
    List<OrganizationReport.Day> out = new ArrayList<>(days);
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      OrganizationReportDays.Figures f = figures.getOrDefault(day, OrganizationReportDays.Figures.none(day));
      var d = f.delivery();
      var b = f.feedback();
      var t = f.tracking();
      out.add(new OrganizationReport.Day(day, d.delivered() + d.bounced(), d.delivered(), d.bounced() + b.laterBounces(), b.hardBounces(),
          b.complaints(), t.opens(), t.clicks(), t.machineOpens(), t.machineClicks()));
    }
    return new OrganizationReport(first, last, days, OrganizationReport.Totals.of(out), out, feedback.standing(organizationId));
  }

  /** Closed days from {@code first} to {@code last}: the stored ones, and the others computed once and stored. */
  private Map<LocalDate, OrganizationReportDays.Figures> closed(long organizationId, LocalDate first, LocalDate last) {
    Map<LocalDate, OrganizationReportDays.Figures> out = stored.read(organizationId, first, last);
    LocalDate from = null, to = null;
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      if (out.containsKey(day)) continue;
      if (from == null) from = day;
      to = day;
    }
    if (from == null) return out;
    Map<LocalDate, OrganizationReportDays.Figures> computed = live(organizationId, from, to);
    List<OrganizationReportDays.Figures> missing = new ArrayList<>();
    for (LocalDate day = from; !day.isAfter(to); day = day.plusDays(1)) {
      if (out.containsKey(day)) continue;
      OrganizationReportDays.Figures f = computed.getOrDefault(day, OrganizationReportDays.Figures.none(day));
      missing.add(f);
      out.put(day, f);
    }
    stored.store(organizationId, missing);
    return out;
  }

  /** The owners' figures of the days from {@code first} to {@code last}, as their rows are now; days without mail left out. */
  private Map<LocalDate, OrganizationReportDays.Figures> live(long organizationId, LocalDate first, LocalDate last) {
    Instant from = first.atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant to = last.plusDays(1).atStartOfDay(ZoneOffset.UTC).toInstant();
    Map<LocalDate, OrganizationDeliveryFigures.Day> sent = byDay(delivery.daily(organizationId, from, to), OrganizationDeliveryFigures.Day::day);
    Map<LocalDate, OrganizationFeedbackFigures.Day> reported = byDay(feedback.daily(organizationId, from, to), OrganizationFeedbackFigures.Day::day);
    Map<LocalDate, OrganizationTrackingFigures.Day> tracked = byDay(tracking.daily(organizationId, from, to), OrganizationTrackingFigures.Day::day);
    Map<LocalDate, OrganizationReportDays.Figures> out = new HashMap<>();
    for (LocalDate day = first; !day.isAfter(last); day = day.plusDays(1)) {
      if (!sent.containsKey(day) && !reported.containsKey(day) && !tracked.containsKey(day)) continue;
      OrganizationReportDays.Figures none = OrganizationReportDays.Figures.none(day);
      out.put(day, new OrganizationReportDays.Figures(sent.getOrDefault(day, none.delivery()), reported.getOrDefault(day, none.feedback()),
          tracked.getOrDefault(day, none.tracking())));
    }
    return out;
  }

  private static <T> Map<LocalDate, T> byDay(List<T> rows, Function<T, LocalDate> day) {
    return rows.stream().collect(Collectors.toMap(day, Function.identity()));
  }
}
