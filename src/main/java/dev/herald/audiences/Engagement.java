package dev.herald.audiences;

import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
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

  /** One subscriber's open or click, for the batch methods. */
  public record Engaged(long organizationId, long subscriberId, Instant at) {}

  /**
   * {@link #opened} for many at once, in one statement (tracking writes its events in batches): each subscriber's
   * latest time in the batch, never moving a time back, writing nothing where nothing changes.
   */
  @Transactional
  public void opened(List<Engaged> events) {
    if (events.isEmpty()) return;
    jdbc.sql("""
        update subscriber s set last_opened_at = greatest(s.last_opened_at, t.at)
        from (select org, id, max(at) as at from unnest(cast(? as bigint[]), cast(? as bigint[]), cast(? as timestamptz[])) as u(org, id, at)
              group by org, id) t
        where s.organization_id = t.org and s.id = t.id and s.last_opened_at is distinct from greatest(s.last_opened_at, t.at)""")
        .params(organizations(events), subscribers(events), times(events)).update();
  }

  /** {@link #clicked} for many at once, in one statement; a click counts as an open too. */
  @Transactional
  public void clicked(List<Engaged> events) {
    if (events.isEmpty()) return;
    jdbc.sql("""
        update subscriber s set last_clicked_at = greatest(s.last_clicked_at, t.at), last_opened_at = greatest(s.last_opened_at, t.at)
        from (select org, id, max(at) as at from unnest(cast(? as bigint[]), cast(? as bigint[]), cast(? as timestamptz[])) as u(org, id, at)
              group by org, id) t
        where s.organization_id = t.org and s.id = t.id
          and (s.last_clicked_at is distinct from greatest(s.last_clicked_at, t.at)
               or s.last_opened_at is distinct from greatest(s.last_opened_at, t.at))""")
        .params(organizations(events), subscribers(events), times(events)).update();
  }

  private static Long[] organizations(List<Engaged> events) {
    return events.stream().map(Engaged::organizationId).toArray(Long[]::new);
  }

  private static Long[] subscribers(List<Engaged> events) {
    return events.stream().map(Engaged::subscriberId).toArray(Long[]::new);
  }

  private static Timestamp[] times(List<Engaged> events) {
    return events.stream().map(e -> Timestamp.from(e.at())).toArray(Timestamp[]::new);
  }
}
