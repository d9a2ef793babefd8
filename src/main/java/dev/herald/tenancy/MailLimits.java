package dev.herald.tenancy;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Sliding-window counts of the mails strangers can make Herald send (password resets, invitations), kept
 * in PostgreSQL so that every node sees the same counts. Each mail counts under several keys at once (the
 * account, the address, the organization); it is allowed only while every key is under its limit.
 */
@Component
class MailLimits {
  /** One key a mail counts against and how many it may have in the window. */
  record Limit(String key, int max) {}

  private final JdbcClient jdbc;
  private final Clock clock;

  MailLimits(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /**
   * Whether one more {@code kind} stays within every limit in the window; if so, it is counted under each
   * key, in the caller's transaction. Keys are locked (in a fixed order, so two callers cannot deadlock)
   * until that transaction ends: concurrent requests cannot both take the last one.
   */
  @Transactional(propagation = Propagation.MANDATORY)
  boolean take(String kind, Duration window, List<Limit> limits) {
    Instant now = clock.instant();
    Timestamp since = Timestamp.from(now.minus(window));
    jdbc.sql("delete from mail_limit_event where kind = ? and at <= ?").params(kind, since).update();
    List<Limit> ordered = limits.stream().sorted(Comparator.comparing(Limit::key)).toList();
    for (Limit limit : ordered) {
      jdbc.sql("select pg_advisory_xact_lock(hashtextextended(? || ' ' || ?, 0))").params(kind, limit.key()).query().singleRow();
    }
    for (Limit limit : ordered) {
      long used = jdbc.sql("select count(*) from mail_limit_event where kind = ? and key = ? and at > ?")
          .params(kind, limit.key(), since).query(Long.class).single();
      if (used >= limit.max()) return false;
    }
    for (Limit limit : ordered) {
      jdbc.sql("insert into mail_limit_event (kind, key, at) values (?, ?, ?)").params(kind, limit.key(), Timestamp.from(now)).update();
    }
    return true;
  }
}
