package dev.herald.audiences;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * The per-network limit of the hosted subscription forms. Every attempt counts, whatever came of it (a
 * sign-up, a quiet refusal of a suppressed address, a missing tick, a bot's honeypot): were only stored
 * sign-ups counted, the attempts that store nothing could be repeated without limit, and the limit itself
 * would tell which addresses were stored.
 */
@Component
class FormAttempts {
  static final int LIMIT = 10;
  static final Duration WINDOW = Duration.ofMinutes(10);
  private final JdbcClient jdbc;
  private final Clock clock;

  FormAttempts(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** Counts this attempt from {@code ip}; false when it is over the {@link #LIMIT} of the last {@link #WINDOW}. */
  @Transactional
  boolean allow(String ip) {
    Instant now = clock.instant();
    Timestamp since = Timestamp.from(now.minus(WINDOW));
    // Nothing older than the window is ever read again: the table holds a few minutes of attempts.
    jdbc.sql("delete from form_attempt where attempted_at <= ?").param(since).update();
    jdbc.sql("insert into form_attempt (ip, attempted_at) values (?, ?)").params(ip, Timestamp.from(now)).update();
    int recent = jdbc.sql("select count(*) from form_attempt where ip = ? and attempted_at > ?").params(ip, since)
        .query(Integer.class).single();
    return recent <= LIMIT;
  }
}
