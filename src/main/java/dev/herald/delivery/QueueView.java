package dev.herald.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * What the operator sees of the queue: the waiting, held and in-flight recipients by destination (recipient domain),
 * the totals, and what is paused. Held recipients are a paused campaign's waiting mail (V51): not claimed until the
 * campaign resumes, counted apart. Reads only the pending rows through the partial index
 * {@code outbound_recipient_pending} (V42, V54), never the delivered history; {@code QueueViewPlanTest} checks the
 * plan at 100k+ rows.
 */
@Service
class QueueView {
  /** The totals are read at most this often (the page's polling and every Prometheus scrape share one count). */
  static final Duration TOTALS_MAX_AGE = Duration.ofSeconds(5);

  /** {@code oldestDue} is the earliest due time of the queued and deferred rows: null when all are sending or held. */
  record Destination(String domain, long queued, long sending, long deferred, long held, Instant oldestDue, Instant waitingSince,
      String lastReply, Instant lastAttemptAt, boolean paused) {
    long size() {
      return queued + sending + deferred + held;
    }
  }

  record Page(List<Destination> items, long total, int page, int size) {}

  /** The whole queue: recipients by pending state, destinations with any, and whether the queue is paused. */
  record Totals(long queued, long sending, long deferred, long held, long destinations, Instant readAt) {
    long size() {
      return queued + sending + deferred + held;
    }
  }

  record Pause(String domain, String pausedBy, Instant pausedAt) {}

  /** The page's one query (its plan is checked by QueueViewPlanTest): :filter, :size, :offset. */
  static final String DESTINATIONS = """
        with grouped as (
          select domain,
                 count(*) filter (where state = 'queued') as queued,
                 count(*) filter (where state = 'sending') as sending,
                 count(*) filter (where state = 'deferred') as deferred,
                 count(*) filter (where state = 'held') as held,
                 min(next_attempt_at) filter (where state in ('queued', 'deferred')) as oldest_due,
                 min(created_at) as waiting_since
          from outbound_recipient
          where state in ('queued', 'sending', 'deferred', 'held') and (:filter = '' or strpos(domain, :filter) > 0)
          group by domain
        ), paged as (
          select g.*, count(*) over () as total from grouped g
          order by g.queued + g.sending + g.deferred + g.held desc, g.domain
          limit :size offset :offset
        )
        select paged.domain, paged.queued, paged.sending, paged.deferred, paged.held, paged.oldest_due, paged.waiting_since,
               coalesce(last.last_reply, '') as last_reply, last.last_attempt_at,
               exists (select 1 from queue_pause q where q.domain = paged.domain) as paused, paged.total
        from paged
        left join lateral (
          select r.last_reply, r.last_attempt_at from outbound_recipient r
          where r.domain = paged.domain and r.state = 'deferred' and r.last_attempt_at is not null
          order by r.last_attempt_at desc limit 1
        ) last on true
        order by paged.queued + paged.sending + paged.deferred + paged.held desc, paged.domain""";

  private final JdbcClient jdbc;
  private final Clock clock;
  private volatile Totals totals;

  QueueView(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /**
   * One page of destinations, largest first, whose domain contains {@code filter}. One grouped query: the groups are
   * counted over the pending index, the page is cut, and only the page's destinations look up their last reply (the
   * newest deferred row's, one index step each).
   */
  Page destinations(String filter, int page, int size) {
    String f = filter == null ? "" : filter.strip().toLowerCase(java.util.Locale.ROOT);
    int p = Math.max(0, page);
    // No domain holds a control character, and PostgreSQL refuses a NUL in a parameter: nothing can match.
    if (f.chars().anyMatch(c -> c < 0x20)) return new Page(List.of(), 0, p, size);
    List<Row> rows = jdbc.sql(DESTINATIONS)
        .param("filter", f)
        .param("size", size)
        .param("offset", (long) p * size)
        .query(Row.class)
        .list();
    long total = rows.isEmpty() ? (p == 0 ? 0 : countDestinations(f)) : rows.getFirst().total();
    return new Page(rows.stream().map(Row::destination).toList(), total, p, size);
  }

  private record Row(String domain, long queued, long sending, long deferred, long held, Instant oldestDue, Instant waitingSince,
      String lastReply, Instant lastAttemptAt, boolean paused, long total) {
    Destination destination() {
      return new Destination(domain, queued, sending, deferred, held, oldestDue, waitingSince, lastReply, lastAttemptAt, paused);
    }
  }

  /** For a page past the last, so the pager can link back to the last one. */
  private long countDestinations(String filter) {
    return jdbc.sql("""
        select count(distinct domain) from outbound_recipient
        where state in ('queued', 'sending', 'deferred', 'held') and (:filter = '' or strpos(domain, :filter) > 0)""")
        .param("filter", filter).query(Long.class).single();
  }

  /** The totals, counted again when the last count is older than {@link #TOTALS_MAX_AGE}. */
  Totals totals() {
    Totals t = totals;
    Instant now = clock.instant();
    if (t != null && !t.readAt().isBefore(now.minus(TOTALS_MAX_AGE)) && !t.readAt().isAfter(now)) return t;
    synchronized (this) {
      t = totals;
      if (t != null && !t.readAt().isBefore(now.minus(TOTALS_MAX_AGE)) && !t.readAt().isAfter(now)) return t;
      t = countTotals(now);
      totals = t;
      return t;
    }
  }

  /** After an operator's change: the next read counts again, so the page shows the change at once. */
  void forgetTotals() {
    totals = null;
  }

  private Totals countTotals(Instant now) {
    return jdbc.sql(TOTALS)
        .query((rs, n) -> new Totals(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), now)).single();
  }

  /** The totals' one query, over the same index. */
  static final String TOTALS = """
        select count(*) filter (where state = 'queued') as queued, count(*) filter (where state = 'sending') as sending,
               count(*) filter (where state = 'deferred') as deferred, count(*) filter (where state = 'held') as held,
               count(distinct domain) as destinations
        from outbound_recipient where state in ('queued', 'sending', 'deferred', 'held')""";

  /** Every pause, the whole queue's ({@code *}) first. */
  List<Pause> pauses() {
    return jdbc.sql("select domain, paused_by, paused_at from queue_pause order by domain <> '*', domain")
        .query(Pause.class).list();
  }
}
