package dev.herald.feedback;

import dev.herald.delivery.SendingHolds;
import dev.herald.delivery.SentRecipients;
import dev.herald.platform.HeraldProperties;
import dev.herald.tenancy.AuditLog;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sender protection: an organization's complaint and hard-bounce rates over {@code protection-window} (per message
 * delivered or bounced in the window) against the thresholds near the mailbox providers' guidance (complaints 0.1 %
 * warn, 0.3 % pause; hard bounces 2 % warn, 5 % pause). Past a warn threshold the operator is alerted; past a pause
 * threshold the organization's sending is paused (delivery's worker leaves its queued mail, through the {@link
 * SendingHolds} port) until the operator lifts it. Below {@code protection-minimum-sent} messages nothing is judged:
 * two complaints of a hundred messages say little. An open alert of a level is raised once ({@code sender_alert}'s
 * unique open index), so a repeat judgement changes nothing.
 *
 * <p>Judged after each hard bounce or complaint is stored, at most once a minute per organization on a node: the
 * volume is a count over delivery's recipients.
 */
@Component
class SenderProtection implements SendingHolds {
  static final Duration MIN_INTERVAL = Duration.ofMinutes(1);

  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final SentRecipients sent;
  private final ApplicationEventPublisher events;
  private final HeraldProperties.Feedback settings;
  private final Clock clock;
  private final Map<Long, Instant> lastJudged = new ConcurrentHashMap<>();

  SenderProtection(JdbcClient jdbc, SentRecipients sent, ApplicationEventPublisher events, HeraldProperties properties, AuditLog audit,
      Clock clock) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.sent = sent;
    this.events = events;
    this.settings = properties.feedback();
    this.clock = clock;
  }

  @Override
  public Collection<Long> heldOrganizations() {
    return jdbc.sql("select organization_id from sender_alert where level = 'pause' and lifted_at is null").query(Long.class).list();
  }

  @ApplicationModuleListener
  void on(FeedbackEvents.BounceRecorded bounce) {
    if (bounce.feedbackClass() == FeedbackClass.HARD) judgeSoon(bounce.organizationId());
  }

  @ApplicationModuleListener
  void on(FeedbackEvents.ComplaintRecorded complaint) {
    judgeSoon(complaint.organizationId());
  }

  private void judgeSoon(long organizationId) {
    Instant now = clock.instant();
    Instant last = lastJudged.get(organizationId);
    if (last != null && now.isBefore(last.plus(MIN_INTERVAL))) return;
    lastJudged.put(organizationId, now);
    if (lastJudged.size() > 10_000) lastJudged.clear();
    judge(organizationId);
  }

  /** An organization's rates, as judged. */
  record Judgement(long sent, long complaints, long hardBounces, Optional<AlertLevel> raised) {}

  /** Judges the organization's rates now; the alert it raised, if any (none when one of that level was open already). */
  @Transactional
  Judgement judge(long organizationId) {
    Instant now = clock.instant();
    Measured m = measure(organizationId, now);
    long volume = m.sent();
    long complaints = m.complaints();
    long hard = m.hardBounces();
    if (!m.judged()) return new Judgement(volume, complaints, hard, Optional.empty());
    List<Candidate> candidates = List.of(
        new Candidate(SenderMetric.COMPLAINTS, m.complaintRate(), settings.complaintWarn(), settings.complaintPause(), complaints),
        new Candidate(SenderMetric.HARD_BOUNCES, m.hardBounceRate(), settings.hardBounceWarn(), settings.hardBouncePause(), hard));
    for (Candidate c : candidates) {
      if (c.rate() >= c.pause() && raise(organizationId, AlertLevel.PAUSE, c, volume, now)) {
        events.publishEvent(new FeedbackEvents.SendingPausedForReputation(organizationId, c.metric(), c.rate(), c.pause(), volume, now));
        return new Judgement(volume, complaints, hard, Optional.of(AlertLevel.PAUSE));
      }
    }
    for (Candidate c : candidates) {
      if (c.rate() >= c.warn() && c.rate() < c.pause() && raise(organizationId, AlertLevel.WARN, c, volume, now)) {
        events.publishEvent(new FeedbackEvents.SenderWarned(organizationId, c.metric(), c.rate(), c.warn(), volume, now));
        return new Judgement(volume, complaints, hard, Optional.of(AlertLevel.WARN));
      }
    }
    return new Judgement(volume, complaints, hard, Optional.empty());
  }

  /**
   * What the rates are counted from over the window that ends {@code now}: the messages delivered or bounced, and the
   * complaints and hard bounces; {@code judged} when there were at least {@code protection-minimum-sent} messages.
   * The one computation of the rates, for the judgement and for reports ({@link OrganizationFeedbackFigures}).
   */
  record Measured(Instant from, Instant to, long sent, long complaints, long hardBounces, boolean judged) {
    double complaintRate() {
      return sent == 0 ? 0 : (double) complaints / sent;
    }

    double hardBounceRate() {
      return sent == 0 ? 0 : (double) hardBounces / sent;
    }
  }

  Measured measure(long organizationId, Instant now) {
    Instant since = now.minus(settings.protectionWindow());
    long volume = sent.finishedSince(organizationId, since);
    Map<String, Long> counts = new java.util.HashMap<>();
    jdbc.sql("""
        select feedback_class, count(*) from feedback_event
        where organization_id = ? and occurred_at >= ? and feedback_class in ('complaint', 'hard') group by feedback_class""")
        .params(organizationId, Timestamp.from(since)).query(rs -> {
          counts.put(rs.getString(1), rs.getLong(2));
        });
    return new Measured(since, now, volume, counts.getOrDefault("complaint", 0L), counts.getOrDefault("hard", 0L),
        volume >= settings.protectionMinimumSent());
  }

  private record Candidate(SenderMetric metric, double rate, double warn, double pause, long counted) {}

  private boolean raise(long organizationId, AlertLevel level, Candidate c, long volume, Instant now) {
    return jdbc.sql("""
        insert into sender_alert (organization_id, level, metric, rate, threshold, sent, counted, raised_at)
        values (?, ?, ?, ?, ?, ?, ?, ?) on conflict do nothing""")
        .params(organizationId, level.text(), c.metric().text(), c.rate(), level == AlertLevel.PAUSE ? c.pause() : c.warn(), volume,
            c.counted(), Timestamp.from(now))
        .update() == 1;
  }

  /**
   * An alert, for the operator and the organization's banner: the rate of {@code metric} over the window ({@code counted}
   * of {@code sent}) against the threshold of its level. {@code liftedAt} and {@code liftedBy} are null while it is open.
   */
  record Alert(long id, long organizationId, AlertLevel level, SenderMetric metric, double rate, double threshold, long sent,
      long counted, Instant raisedAt, Instant liftedAt, String liftedBy) {}

  private static final String ALERT = "select id, organization_id, level, metric, rate, threshold, sent, counted, raised_at, lifted_at, "
      + "lifted_by from sender_alert";

  private static Alert alert(java.sql.ResultSet rs, int i) throws java.sql.SQLException {
    java.sql.Timestamp lifted = rs.getTimestamp(10);
    return new Alert(rs.getLong(1), rs.getLong(2), dev.herald.platform.TextEnum.fromText(AlertLevel.class, rs.getString(3)),
        dev.herald.platform.TextEnum.fromText(SenderMetric.class, rs.getString(4)), rs.getDouble(5), rs.getDouble(6), rs.getLong(7),
        rs.getLong(8), rs.getTimestamp(9).toInstant(), lifted == null ? null : lifted.toInstant(), rs.getString(11));
  }

  /** The organization's open alerts, pauses first, newest first (reports' standing). */
  List<Alert> open(long organizationId) {
    return jdbc.sql(ALERT + " where organization_id = ? and lifted_at is null order by level = 'pause' desc, raised_at desc, id desc")
        .param(organizationId).query(SenderProtection::alert).list();
  }

  /** The open alerts, pauses first, newest first. */
  List<Alert> open() {
    return jdbc.sql(ALERT + " where lifted_at is null order by level = 'pause' desc, raised_at desc, id desc").query(SenderProtection::alert).list();
  }

  /** The last lifted alerts, newest lift first (the page's history). */
  List<Alert> lifted(int limit) {
    return jdbc.sql(ALERT + " where lifted_at is not null order by lifted_at desc, id desc limit ?").param(limit)
        .query(SenderProtection::alert).list();
  }

  Optional<Alert> find(long id) {
    return jdbc.sql(ALERT + " where id = ?").param(id).query(SenderProtection::alert).optional();
  }

  /** The organization's open pause, if its sending is paused (its panel's banner). */
  Optional<Alert> openPause(long organizationId) {
    return jdbc.sql(ALERT + " where organization_id = ? and level = 'pause' and lifted_at is null").param(organizationId)
        .query(SenderProtection::alert).optional();
  }

  /**
   * The operator lifts a pause (sending resumes on the worker's next poll) or dismisses a warning, with an entry in the
   * organization's audit log in the same transaction; false when it was not open (lifted already, or no such alert).
   */
  @Transactional
  boolean lift(long alertId, String liftedBy) {
    Instant now = clock.instant();
    Optional<Alert> lifted = jdbc.sql("""
        update sender_alert set lifted_at = ?, lifted_by = ? where id = ? and lifted_at is null
        returning id, organization_id, level, metric, rate, threshold, sent, counted, raised_at, lifted_at, lifted_by""")
        .params(Timestamp.from(now), liftedBy, alertId).query(SenderProtection::alert).optional();
    lifted.ifPresent(a -> {
      audit.record(a.organizationId(), a.level() == AlertLevel.PAUSE ? "sending.pause_lifted" : "sending.warning_dismissed", "sender_alert",
          a.id(), String.format(java.util.Locale.ROOT, "%s %.2f %% of %d messages (%s threshold %.2f %%), raised %s", a.metric().text(),
              a.rate() * 100, a.sent(), a.level().text(), a.threshold() * 100, a.raisedAt()));
      events.publishEvent(new FeedbackEvents.SenderAlertLifted(a.organizationId(), alertId, a.level(), liftedBy, now));
    });
    return lifted.isPresent();
  }
}
