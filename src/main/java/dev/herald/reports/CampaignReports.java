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
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import dev.herald.tracking.CampaignEngagement;
import dev.herald.tracking.EventKind;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.TransactionDefinition;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Puts a campaign's report together from the public read APIs of the modules that own each fact (ADR 0006: reports
 * reads no table of theirs): campaigns' ledger and unsubscribes ({@link CampaignFigures}) and forwards ({@link Forwards}), the queue's states,
 * domains and links ({@link BulkSends}, {@link SendFigures}), feedback's bounces and complaints ({@link
 * CampaignFeedback}), tracking's opens and clicks ({@link CampaignEngagement}). Each figure is one grouped query in its
 * owner, all of them in one read-only repeatable-read transaction, so the figures are of one moment.
 *
 * <p>A campaign of at most {@code herald.reports.live-up-to} recipients is read live: its report moves while it is
 * sending. A larger one is read from its snapshot ({@link CampaignReportSnapshots}), computed the same way by a worker
 * node ({@link CampaignReportWorker}) and refreshed when it is read and older than {@code herald.reports.snapshot-age}:
 * at 1,000,000 recipients and millions of events the figures take seconds to tens of seconds to compute (bench/reports.sh),
 * too long for a page, and a snapshot keeps them exact as of its time, which the report says ({@code generatedAt}).
 */
@Service
public class CampaignReports {
  /** The timeline is hourly while the campaign's span is at most this, daily beyond. */
  static final Duration HOURLY_UP_TO = Duration.ofDays(3);
  /** Periods filled in between the first and the last with data; beyond this the empty ones are left out. */
  static final int MAX_FILLED_PERIODS = 1_000;
  static final int TOP_DOMAINS = 20;
  /** Rows the streamed figures (the breakdown by domain) fetch at a time. */
  static final int FETCH_SIZE = 10_000;
  /** When to ask again for a report whose first snapshot is being computed. */
  static final Duration PREPARING_RETRY = Duration.ofSeconds(30);

  private final Campaigns campaigns;
  private final CampaignFigures campaignFigures;
  private final Forwards forwards;
  private final BulkSends bulkSends;
  private final SendFigures sendFigures;
  private final CampaignFeedback feedback;
  private final CampaignEngagement engagement;
  private final CampaignReportSnapshots snapshots;
  private final HeraldProperties.Reports settings;
  private final TransactionTemplate readOnly;
  private final Clock clock;

  CampaignReports(Campaigns campaigns, CampaignFigures campaignFigures, Forwards forwards, BulkSends bulkSends, SendFigures sendFigures,
      CampaignFeedback feedback, CampaignEngagement engagement, CampaignReportSnapshots snapshots, HeraldProperties properties,
      PlatformTransactionManager transactions, Clock clock) {
    this.campaigns = campaigns;
    this.campaignFigures = campaignFigures;
    this.forwards = forwards;
    this.bulkSends = bulkSends;
    this.sendFigures = sendFigures;
    this.feedback = feedback;
    this.engagement = engagement;
    this.snapshots = snapshots;
    this.settings = properties.reports();
    this.readOnly = new TransactionTemplate(transactions);
    readOnly.setReadOnly(true);
    readOnly.setIsolationLevel(TransactionDefinition.ISOLATION_REPEATABLE_READ);
    this.clock = clock;
  }

  /** The organization's campaign, or refused as not found. */
  Campaign campaign(long organizationId, long campaignId) {
    return campaigns.get(organizationId, campaignId);
  }

  /**
   * The report of the organization's campaign (refused as not found when it is none of theirs): live, or its snapshot
   * for a campaign of more than {@code herald.reports.live-up-to} recipients (refused as unavailable, with when to ask
   * again, while its first snapshot is being computed).
   */
  public CampaignReport of(long organizationId, long campaignId) {
    return of(campaign(organizationId, campaignId));
  }

  CampaignReport of(Campaign c) {
    if (!fromSnapshot(c)) return live(c);
    Instant now = clock.instant();
    CampaignReportSnapshots.Stored s = snapshots.read(c.organizationId(), c.id(), now, now.minus(settings.snapshotAge()))
        .orElseThrow(() -> Refused.notFound("campaign"));
    if (s.report() != null) return s.report();
    String failed = s.status() == SnapshotStatus.FAILED ? " (the last attempt failed: " + s.failure() + "; it is tried again)" : "";
    throw Refused.unavailable("The report of this campaign of " + c.recipients() + " recipients is being prepared" + failed
        + "; ask again in a minute.", PREPARING_RETRY);
  }

  /** Whether the campaign's report is read from a snapshot: it has more recipients than are read live. */
  boolean fromSnapshot(Campaign c) {
    return c.recipients() != null && c.recipients() > settings.liveUpTo();
  }

  /** How old a snapshot may be before a read has it refreshed. */
  Duration snapshotAge() {
    return settings.snapshotAge();
  }

  /** The report as the tables hold it now, every figure in one read-only repeatable-read transaction. */
  CampaignReport live(Campaign c) {
    return readOnly.execute(status -> compute(c));
  }

  private CampaignReport compute(Campaign c) {
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

  /**
   * The top domains by recipients, with how many of each opened, clicked and bounced. The queue counts the states by
   * domain; who opened, clicked and bounced after an acceptance come from tracking and feedback as streams of ids
   * kept in {@link RecipientSet}s, and the top domains' recipients are streamed past them: no id crosses into a query
   * (passing them as arrays cost more than the figures at 1,000,000 recipients, issue 12), and the heap holds the
   * bitmaps, not lists.
   */
  private List<CampaignReport.Domain> domains(Campaign c) {
    if (c.messageId() == null) return List.of();
    List<SendFigures.Domain> top = sendFigures.topDomains(c.messageId(), TOP_DOMAINS);
    if (top.isEmpty()) return List.of();
    long org = c.organizationId();
    RecipientSet opened = new RecipientSet(), clicked = new RecipientSet(), bounced = new RecipientSet();
    engagement.eachRecipient(org, c.id(), EventKind.OPEN, FETCH_SIZE, opened::add);
    engagement.eachRecipient(org, c.id(), EventKind.CLICK, FETCH_SIZE, clicked::add);
    feedback.eachBouncedRecipient(org, c.id(), FETCH_SIZE, bounced::add);
    Map<String, long[]> extra = new HashMap<>(); // per domain: bounced after an acceptance, opened, clicked
    for (SendFigures.Domain d : top) extra.put(d.domain(), new long[3]);
    sendFigures.eachRecipient(c.messageId(), extra.keySet(), FETCH_SIZE, (id, domain, state) -> {
      long[] v = extra.get(domain);
      if (state != RecipientState.BOUNCED && bounced.contains(id)) v[0]++;
      if (opened.contains(id)) v[1]++;
      if (clicked.contains(id)) v[2]++;
    });
    return top.stream().map(d -> {
      long[] v = extra.get(d.domain());
      return new CampaignReport.Domain(d.domain(), d.recipients(), d.delivered(), d.deferred(), d.bounced() + v[0], d.expired(), d.notSent(),
          v[1], v[2]);
    }).toList();
  }
}
