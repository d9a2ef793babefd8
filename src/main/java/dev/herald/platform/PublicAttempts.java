package dev.herald.platform;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * A per-network limit for a public page anyone may post to, counted in PostgreSQL so that every node sees the same
 * attempts. Every attempt counts, whatever came of it: counting only the ones that did something would let the others
 * be repeated without limit, and would tell a prober which did. The rows live for the longest window asked for.
 */
@Component
public class PublicAttempts {
  /** Rows older than this are deleted whatever the scope; no limit may use a longer window. */
  static final Duration KEPT = Duration.ofHours(1);
  private final JdbcClient jdbc;
  private final Clock clock;

  PublicAttempts(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /**
   * Counts this attempt of {@code ip} in {@code scope} ("forward", ...); false when it is over {@code limit} in the last
   * {@code window} (at most an hour).
   */
  @Transactional
  public boolean allow(String scope, String ip, int limit, Duration window) {
    if (window.compareTo(KEPT) > 0) throw new IllegalArgumentException("window longer than " + KEPT);
    Instant now = clock.instant();
    jdbc.sql("delete from public_attempt where attempted_at <= ?").param(Timestamp.from(now.minus(KEPT))).update();
    jdbc.sql("insert into public_attempt (scope, ip, attempted_at) values (?, ?, ?)").params(scope, ip, Timestamp.from(now)).update();
    int recent = jdbc.sql("select count(*) from public_attempt where scope = ? and ip = ? and attempted_at > ?")
        .params(scope, ip, Timestamp.from(now.minus(window))).query(Integer.class).single();
    return recent <= limit;
  }
}
