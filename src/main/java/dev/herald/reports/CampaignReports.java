package dev.herald.reports;

import dev.herald.campaigns.Campaign;
import dev.herald.campaigns.CampaignFigures;
import dev.herald.campaigns.Campaigns;
import dev.herald.campaigns.Forwards;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.RecipientState;
import dev.herald.delivery.SendFigures;
import dev.herald.feedback.CampaignFeedback;
import dev.herald.feedback.FeedbackClass;
import dev.herald.tracking.CampaignEngagement;
import dev.herald.tracking.EventKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Service;

/**
 * Puts a campaign's report together from the public read APIs of the modules that own each fact (ADR 0006: reports
 * reads no table of theirs): campaigns' ledger and unsubscribes ({@link CampaignFigures}) and forwards ({@link Forwards}), the queue's states,
 * domains and links ({@link BulkSends}, {@link SendFigures}), feedback's bounces and complaints ({@link
 * CampaignFeedback}), tracking's opens and clicks ({@link CampaignEngagement}). Each figure is one grouped query in its
 * owner. Nothing is cached: a report of a campaign that is sending moves while it is read.
 */
@Service
public class CampaignReports {
  /** The timeline is hourly while the campaign's span is at most this, daily beyond. */
  static final Duration HOURLY_UP_TO = Duration.ofDays(3);
  /** Periods filled in between the first and the last with data; beyond this the empty ones are left out. */
  static final int MAX_FILLED_PERIODS = 1_000;
  static final int TOP_DOMAINS = 20;

  private final Campaigns campaigns;
  private final CampaignFigures campaignFigures;
  private final Forwards forwards;
  private final BulkSends bulkSends;
  private final SendFigures sendFigures;
  private final CampaignFeedback feedback;
  private final CampaignEngagement engagement;
  private final Clock clock;

  CampaignReports(Campaigns campaigns, CampaignFigures campaignFigures, Forwards forwards, BulkSends bulkSends, SendFigures sendFigures,
      CampaignFeedback feedback, CampaignEngagement engagement, Clock clock) {
    this.campaigns = campaigns;
    this.campaignFigures = campaignFigures;
    this.forwards = forwards;
    this.bulkSends = bulkSends;
    this.sendFigures = sendFigures;
    this.feedback = feedback;
    this.engagement = engagement;
    this.clock = clock;
  }

  /** The organization's campaign, or refused as not found. */
  Campaign campaign(long organizationId, long campaignId) {
    return campaigns.get(organizationId, campaignId);
  }

  /** The report of the organization's campaign (refused as not found when it is none of theirs). */
  public CampaignReport of(long organizationId, long campaignId) {
    return of(campaign(organizationId, campaignId));
  }

  CampaignReport of(Campaign c) {
    Instant now = clock.instant();
    long org = c.organizationId();
    CampaignFigures.Ledger ledger = campaignFigures.ledger(c.id());
    Map<RecipientState, Long> states = c.messageId() == null ? Map.of() : bulkSends.states(c.messageId());
    List<CampaignFeedback.ClassReason> reasons = feedback.byClassAndReason(org, c.id());
    CampaignFeedback.Totals totals = feedback.totals(org, c.id());
    Map<EventKind, CampaignEngagement.Counts> counts = engagement.counts(org, c.id());
    ChronoUnit unit = unit(c, now);
    return new CampaignReport(c.id(), c.name(), c.state(), c.startedAt(), c.finishedAt(), now,
        ledger.recipients(), ledger.handedOff(), ledger.skipped(), ledger.pending(),
        delivery(states), bounces(reasons, totals), feedback(reasons), totals.complained(), ledger.unsubscribed(), forwards.count(org, c.id()),
        engagement(counts.get(EventKind.OPEN)), engagement(counts.get(EventKind.CLICK)),
        links(c), timeline(c, unit), domains(c));
  }

  private static CampaignReport.Delivery delivery(Map<RecipientState, Long> s) {
    return new CampaignReport.Delivery(n(s, RecipientState.DELIVERED), n(s, RecipientState.DEFERRED), n(s, RecipientState.BOUNCED),
        n(s, RecipientState.EXPIRED), n(s, RecipientState.FAILED) + n(s, RecipientState.DELETED),
        n(s, RecipientState.QUEUED) + n(s, RecipientState.SENDING) + n(s, RecipientState.HELD));
  }

  private static long n(Map<RecipientState, Long> states, RecipientState state) {
    return states.getOrDefault(state, 0L);
  }

  private static CampaignReport.Bounces bounces(List<CampaignFeedback.ClassReason> reasons, CampaignFeedback.Totals totals) {
    long hard = 0, soft = 0, block = 0, synchronous = 0;
    for (CampaignFeedback.ClassReason r : reasons) {
      switch (r.feedbackClass()) {
        case HARD -> hard += r.recipients();
        case SOFT -> soft += r.recipients();
        case BLOCK -> block += r.recipients();
        default -> { }
      }
      if (bounce(r.feedbackClass())) synchronous += r.synchronous();
    }
    return new CampaignReport.Bounces(totals.bounced(), hard, soft, block, synchronous);
  }

  private static List<CampaignReport.Reason> feedback(List<CampaignFeedback.ClassReason> reasons) {
    return reasons.stream().map(r -> new CampaignReport.Reason(r.feedbackClass(), r.reason(), r.recipients(), r.synchronous())).toList();
  }

  static boolean bounce(FeedbackClass c) {
    return c == FeedbackClass.HARD || c == FeedbackClass.SOFT || c == FeedbackClass.BLOCK;
  }

  private static CampaignReport.Engagement engagement(CampaignEngagement.Counts c) {
    return new CampaignReport.Engagement(c.unique(), c.total(), c.anonymous(), c.machine());
  }

  /** Every tracked link of the mail, in order, with its clicks (0 for a link nobody clicked). */
  private List<CampaignReport.Link> links(Campaign c) {
    if (c.messageId() == null) return List.of();
    Map<Integer, String> urls = sendFigures.links(c.messageId());
    Map<Integer, CampaignEngagement.Counts> clicks = new TreeMap<>();
    for (CampaignEngagement.LinkClicks l : engagement.perLink(c.organizationId(), c.id())) clicks.put(l.link(), l.clicks());
    TreeMap<Integer, String> all = new TreeMap<>(urls);
    clicks.keySet().forEach(n -> all.putIfAbsent(n, ""));
    List<CampaignReport.Link> out = new ArrayList<>();
    all.forEach((n, url) -> {
      CampaignEngagement.Counts k = clicks.getOrDefault(n, CampaignEngagement.Counts.NONE);
      out.add(new CampaignReport.Link(n, url, k.unique(), k.total(), k.anonymous(), k.machine()));
    });
    return out;
  }

  /**
   * Hourly while the span from the start to now is at most {@link #HOURLY_UP_TO}, daily beyond: opens and clicks keep
   * coming after a campaign finished, so the span runs to now, not to the finish.
   */
  static ChronoUnit unit(Campaign c, Instant now) {
    if (c.startedAt() == null) return ChronoUnit.HOURS;
    return Duration.between(c.startedAt(), now).compareTo(HOURLY_UP_TO) <= 0 ? ChronoUnit.HOURS : ChronoUnit.DAYS;
  }

  private CampaignReport.Timeline timeline(Campaign c, ChronoUnit unit) {
    String name = unit == ChronoUnit.DAYS ? "day" : "hour";
    long org = c.organizationId();
    TreeMap<Instant, long[]> periods = new TreeMap<>();
    if (c.messageId() != null) {
      for (SendFigures.Finished f : sendFigures.finishedBy(c.messageId(), unit)) periods.computeIfAbsent(f.start(), k -> new long[7])[0] += f.delivered();
    }
    for (CampaignFeedback.Period p : feedback.timeline(org, c.id(), unit)) {
      long[] v = periods.computeIfAbsent(p.start(), k -> new long[7]);
      v[1] += p.bounces();
      v[6] += p.complaints();
    }
    for (CampaignEngagement.Period p : engagement.timeline(org, c.id(), unit)) {
      long[] v = periods.computeIfAbsent(p.start(), k -> new long[7]);
      v[2] += p.opens();
      v[3] += p.clicks();
      v[4] += p.machineOpens();
      v[5] += p.machineClicks();
    }
    if (c.startedAt() != null) periods.putIfAbsent(truncate(c.startedAt(), unit), new long[7]);
    fillGaps(periods, unit);
    List<CampaignReport.Period> out = new ArrayList<>(periods.size());
    periods.forEach((t, v) -> out.add(new CampaignReport.Period(t, v[0], v[1], v[2], v[3], v[4], v[5], v[6])));
    return new CampaignReport.Timeline(name, out);
  }

  static Instant truncate(Instant t, ChronoUnit unit) {
    return unit == ChronoUnit.DAYS ? t.atOffset(ZoneOffset.UTC).truncatedTo(ChronoUnit.DAYS).toInstant() : t.truncatedTo(ChronoUnit.HOURS);
  }

  /** Empty periods between the first and the last, so the chart's axis is even; none when that would be too many. */
  static void fillGaps(TreeMap<Instant, long[]> periods, ChronoUnit unit) {
    if (periods.isEmpty()) return;
    Instant first = periods.firstKey(), last = periods.lastKey();
    if (unit.between(first, last) >= MAX_FILLED_PERIODS) return;
    for (Instant t = first; t.isBefore(last); t = t.plus(1, unit)) periods.putIfAbsent(t, new long[7]);
  }

  private List<CampaignReport.Domain> domains(Campaign c) {
    if (c.messageId() == null) return List.of();
    long org = c.organizationId();
    List<Long> opened = engagement.recipients(org, c.id(), EventKind.OPEN);
    List<Long> clicked = engagement.recipients(org, c.id(), EventKind.CLICK);
    List<Long> bounced = feedback.bouncedRecipients(org, c.id());
    return sendFigures.byDomain(c.messageId(), opened, clicked, bounced, TOP_DOMAINS).stream()
        .map(d -> new CampaignReport.Domain(d.domain(), d.recipients(), d.delivered(), d.deferred(), d.bounced(), d.expired(), d.notSent(),
            d.opened(), d.clicked()))
        .toList();
  }
}
