package dev.herald.audiences;

import java.sql.Timestamp;
import java.time.Instant;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A subscriber's latest engagement, what segments' engagement conditions ("opened in the last 30
 * days", "never clicked") read. The tracking capability, which sits to the right of audiences, calls
 * {@link #opened} and {@link #clicked} as it ingests events; audiences keeps only the two latest
 * times on the subscriber, so a condition over a million subscribers stays one indexed column
 * comparison rather than a scan of every event.
 */
@Service
public class Engagement {
  private final JdbcClient jdbc;

  Engagement(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * An open at {@code at}; an older event arriving late never moves the time back, and a repeat of the
   * same time writes nothing (opens come many per subscriber, each update would leave a dead row).
   */
  @Transactional
  public void opened(long orgId, long subscriberId, Instant at) {
    jdbc.sql("""
        update subscriber set last_opened_at = greatest(last_opened_at, ?)
        where organization_id = ? and id = ? and last_opened_at is distinct from greatest(last_opened_at, ?)""")
        .params(Timestamp.from(at), orgId, subscriberId, Timestamp.from(at)).update();
  }

  /**
   * A click at {@code at}. It counts as an open too: a click proves the message was read even when the
   * reader's mail client blocked the open pixel (as Mailchimp and listmonk count it).
   */
  @Transactional
  public void clicked(long orgId, long subscriberId, Instant at) {
    jdbc.sql("""
        update subscriber set last_clicked_at = greatest(last_clicked_at, ?), last_opened_at = greatest(last_opened_at, ?)
        where organization_id = ? and id = ?
          and (last_clicked_at is distinct from greatest(last_clicked_at, ?) or last_opened_at is distinct from greatest(last_opened_at, ?))""")
        .params(Timestamp.from(at), Timestamp.from(at), orgId, subscriberId, Timestamp.from(at), Timestamp.from(at)).update();
  }
}
