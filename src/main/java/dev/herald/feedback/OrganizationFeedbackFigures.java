package dev.herald.feedback;

import dev.herald.platform.HeraldProperties;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * An organization's feedback figures, for reports: bounces reported after delivery and complaints per day, and its
 * standing with sender protection (the rates over the protection window, computed by {@link SenderProtection} as its
 * judgement computes them, against the thresholds; whether its sending is paused). Reports never read feedback's tables.
 */
@Component
public class OrganizationFeedbackFigures {
  private final JdbcClient jdbc;
  private final SenderProtection protection;
  private final HeraldProperties.Feedback settings;
  private final Clock clock;

  OrganizationFeedbackFigures(JdbcClient jdbc, SenderProtection protection, HeraldProperties properties, Clock clock) {
    this.jdbc = jdbc;
    this.protection = protection;
    this.settings = properties.feedback();
    this.clock = clock;
  }

  /**
   * One UTC day's feedback. {@code laterBounces}: hard, soft and block bounces that came back after the receiving
   * server took the message (DSNs to the listener or found in a mailbox); refusals during delivery are delivery's
   * figure and are not counted again here. {@code hardBounces} and {@code complaints} count every source.
   */
  public record Day(LocalDate day, long laterBounces, long hardBounces, long complaints) {}

  /** The days from {@code from} (inclusive) to {@code to} (exclusive) that had any bounce or complaint, in order. */
  public List<Day> daily(long organizationId, Instant from, Instant to) {
    return jdbc.sql("""
        select (occurred_at at time zone 'UTC')::date as day,
               count(*) filter (where feedback_class in ('hard', 'soft', 'block') and source <> 'synchronous'),
               count(*) filter (where feedback_class = 'hard'), count(*) filter (where feedback_class = 'complaint')
        from feedback_event
        where organization_id = ? and occurred_at >= ? and occurred_at < ? and feedback_class in ('hard', 'soft', 'block', 'complaint')
        group by day order by day""")
        .params(organizationId, Timestamp.from(from), Timestamp.from(to))
        .query((rs, i) -> new Day(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3), rs.getLong(4))).list();
  }

  /**
   * One rate judged by sender protection: {@code counted} of the window's {@code sent} messages, against its warn and
   * pause thresholds (fractions: 0.001 = 0.1 %); {@code level} is the threshold it is at or past, empty below both or
   * when the window had too few messages to judge.
   */
  public record Rate(SenderMetric metric, long counted, double rate, double warn, double pause, Optional<AlertLevel> level) {}

  /** An alert of sender protection still open for the organization. */
  public record OpenAlert(AlertLevel level, SenderMetric metric, double rate, double threshold, long sent, long counted, Instant raisedAt) {}

  /**
   * The organization's standing over the protection window {@code [from, to)}: {@code sent} messages delivered or
   * bounced, judged only from {@code minimumSent}; its two rates; {@code paused} when a pause alert holds its sending
   * until the operator lifts it; the open alerts.
   */
  public record Standing(Instant from, Instant to, Duration window, long sent, long minimumSent, boolean judged, Rate complaints,
      Rate hardBounces, boolean paused, List<OpenAlert> alerts) {}

  public Standing standing(long organizationId) {
    SenderProtection.Measured m = protection.measure(organizationId, clock.instant());
    List<OpenAlert> alerts = protection.open(organizationId).stream()
        .map(a -> new OpenAlert(a.level(), a.metric(), a.rate(), a.threshold(), a.sent(), a.counted(), a.raisedAt())).toList();
    return new Standing(m.from(), m.to(), settings.protectionWindow(), m.sent(), settings.protectionMinimumSent(), m.judged(),
        rate(SenderMetric.COMPLAINTS, m.complaints(), m.complaintRate(), settings.complaintWarn(), settings.complaintPause(), m.judged()),
        rate(SenderMetric.HARD_BOUNCES, m.hardBounces(), m.hardBounceRate(), settings.hardBounceWarn(), settings.hardBouncePause(), m.judged()),
        alerts.stream().anyMatch(a -> a.level() == AlertLevel.PAUSE), alerts);
  }

  private static Rate rate(SenderMetric metric, long counted, double rate, double warn, double pause, boolean judged) {
    Optional<AlertLevel> level = !judged ? Optional.empty()
        : rate >= pause ? Optional.of(AlertLevel.PAUSE) : rate >= warn ? Optional.of(AlertLevel.WARN) : Optional.empty();
    return new Rate(metric, counted, rate, warn, pause, level);
  }
}
