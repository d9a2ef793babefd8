package dev.herald.delivery;

import dev.herald.platform.TextEnum;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Semaphore;
import java.util.function.Supplier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The worker's statements on the queue: which domains have due work, claiming a batch of one domain's due
 * recipients, and writing a batch's results. Every statement handles a whole batch (never a statement per
 * recipient), so the database cost per message stays a fraction of a statement.
 *
 * <p>Leases follow {@code platform.Leases} on each recipient row: a claim sets state {@code sending}, the node, the
 * lease's end and {@code lease_attempt + 1}, and every later write names that attempt, so a node that stalled past
 * its lease (and was taken over) changes nothing. A recipient whose lease ran out ({@code sending}, {@code lease_until}
 * passed: its node died mid-batch) is due again; it may then be delivered twice, which is the at-least-once bound.
 */
final class DeliveryQueue {
  /** How stale a lane's view of the operator's pauses may be ({@link #paused}); claims read the table itself. */
  static final Duration PAUSES_MAX_AGE = Duration.ofSeconds(1);

  private final JdbcClient jdbc;
  private final Clock clock;
  private final String node;
  private final Duration term;
  private final QueueMetrics metrics;
  private volatile Pauses pauses;
  private final Bounces bounces;

  /**
   * Where synchronous bounces are published ({@link DeliveryEvents.RecipientBounced}): in the transaction that records
   * them, so a listener's publication is stored with the result or not at all. {@link #NO_BOUNCES} in tests of the
   * queue alone.
   */
  record Bounces(TransactionTemplate transaction, ApplicationEventPublisher events) {}

  static final Bounces NO_BOUNCES = null;

  private record Pauses(Set<String> domains, long readAtNanos) {}

  /**
   * Statements running at once. Lanes outnumber the pool's connections; one waiting for a connection from the pool
   * gives up after its timeout (and a batch's results would wait for the lease to run out), one waiting here does
   * not, and the others' statements are short.
   */
  private final Semaphore statements;

  DeliveryQueue(JdbcClient jdbc, Clock clock, String node, Duration term, QueueMetrics metrics) {
    this(jdbc, clock, node, term, metrics, 2);
  }

  /** @param statements how many of the worker's statements may run at once (below the pool's size) */
  DeliveryQueue(JdbcClient jdbc, Clock clock, String node, Duration term, QueueMetrics metrics, int statements) {
    this(jdbc, clock, node, term, metrics, statements, NO_BOUNCES);
  }

  DeliveryQueue(JdbcClient jdbc, Clock clock, String node, Duration term, QueueMetrics metrics, int statements, Bounces bounces) {
    this.bounces = bounces;
    this.jdbc = Objects.requireNonNull(jdbc, "jdbc");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.node = Objects.requireNonNull(node, "node");
    this.term = Objects.requireNonNull(term, "term");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.statements = new Semaphore(Math.max(1, statements), true);
  }

  /** Runs a statement of the worker's (this queue's or a message source's) within the limit. */
  <T> T run(Supplier<T> statement) {
    statements.acquireUninterruptibly();
    try {
      return statement.get();
    } finally {
      statements.release();
    }
  }

  /** Without metrics (tests: a second node, whose counts nobody reads). */
  DeliveryQueue(JdbcClient jdbc, Clock clock, String node, Duration term) {
    this(jdbc, clock, node, term, new QueueMetrics(new SimpleMeterRegistry(), clock));
  }

  /** This node's name in {@code lease_owner}. */
  String node() {
    return node;
  }

  /** How long a claim holds its recipients. */
  Duration term() {
    return term;
  }

  /** A domain with due work, and how many of its recipients are due (up to a cap: how many sessions are worth opening). */
  record DueDomain(String domain, long due) {}

  /** {@link #dueDomains(Collection, int, int)}'s statement (a test reads its plan). */
  static final String DUE_DOMAINS = """
        with recursive waiting(domain) as (
          (select domain from outbound_recipient where state in ('queued', 'deferred') order by domain limit 1)
          union all
          select (select r.domain from outbound_recipient r
                  where r.state in ('queued', 'deferred') and r.domain > w.domain order by r.domain limit 1)
          from waiting w where w.domain is not null
        ), due as (
          select w.domain, f.at, 0 as stale from waiting w
          cross join lateral (select r.next_attempt_at as at from outbound_recipient r
                              where r.domain = w.domain and r.state in ('queued', 'deferred') and r.next_attempt_at <= :now
                                and (r.organization_id is null or not (r.organization_id = any (:held)))
                              order by r.next_attempt_at limit 1) f
          where w.domain is not null
          union all
          select domain, min(lease_until), count(*) from outbound_recipient
          where state = 'sending' and lease_until < :now and (organization_id is null or not (organization_id = any (:held)))
          group by domain
        ), picked as (
          select domain, min(at) as at, sum(stale) as stale from due
          where not exists (select 1 from queue_pause p where p.domain in (due.domain, '*'))
          group by domain order by 2, 1 limit :limit
        )
        select p.domain,
          (select count(*) from (select 1 from outbound_recipient r
                                 where r.domain = p.domain and r.state in ('queued', 'deferred') and r.next_attempt_at <= :now
                                 limit :cap) q) + p.stale
        from picked p order by p.at, p.domain""";

  /** {@link #dueDomains(Collection, int, int)} counting up to 10,000 due recipients per domain. */
  List<DueDomain> dueDomains(Collection<Long> heldOrganizations, int limit) {
    return dueDomains(heldOrganizations, limit, 10_000);
  }

  /**
   * The domains with due work, the one waiting longest first: recipients queued or deferred whose next attempt has
   * come, and recipients of a node whose lease ran out. Recipients of held organizations (suspended) do not count,
   * nor do paused destinations (else a paused domain waiting longest would take a poll's places every time).
   *
   * <p>Asked every poll, so its cost must not grow with the queue's rows: the waiting domains are walked over the due
   * index one index probe each (a skip scan: PostgreSQL has none for distinct values), each domain's longest-waiting
   * due row is the first of its range in that index, and only the domains returned are counted, each up to {@code
   * countCap} rows, from the index alone (held organizations' rows are counted there: the count only sizes how many
   * lanes start, and a domain whose due rows are all held is not returned). Rows whose lease ran out are read whole
   * (few: a dead node leaves at most its in-flight batches). A queue of a million recipients costs a few probes per
   * waiting domain, not a million rows counted ({@code DueDomainsPlanTest} prints the plans).
   *
   * @param countCap the most due recipients counted per domain (more would not start more lanes)
   */
  List<DueDomain> dueDomains(Collection<Long> heldOrganizations, int limit, int countCap) {
    return run(() -> jdbc.sql(DUE_DOMAINS)
        .param("now", Timestamp.from(clock.instant())).param("held", heldOrganizations.toArray(Long[]::new)).param("limit", limit)
        .param("cap", countCap)
        .query((rs, i) -> new DueDomain(rs.getString(1), Math.min(countCap, rs.getLong(2)))).list());
  }

  /** A recipient this node holds, with what delivering it needs from its message. */
  record Claimed(long id, long messageId, Long organizationId, String address, int attempts, Instant queuedAt, long fence,
      MessageSourceKind source, String from, String headerMessageId, Long ref) {}

  /**
   * Claims up to {@code limit} due recipients of one domain, in one statement: queued or deferred ones whose next
   * attempt has come (the longest waiting first), and ones whose lease ran out. Rows other nodes are claiming are
   * skipped, never waited for. Rows of held organizations (suspended) are left where they are; rows without an
   * organization (Herald's own mail) are always claimed.
   *
   * <p>This is the one place that decides what may be claimed: conditions that hold mail back belong here. An
   * operator's pause of the domain or of the whole queue ({@code queue_pause}, written by {@code QueueControls}) is
   * read by the claim itself, so it holds on every node from the next claim on; a lane already holding a batch
   * checks {@link #paused} before each message and gives the rest back.
   */
  List<Claimed> claim(String domain, int limit, Collection<Long> heldOrganizations) {
    Instant now = clock.instant();
    return run(() -> jdbc.sql("""
        with due as (
          select id from outbound_recipient
          where domain = :domain and state in ('queued', 'deferred') and next_attempt_at <= :now
            and (organization_id is null or not (organization_id = any (:held)))
            and not exists (select 1 from queue_pause p where p.domain in (:domain, '*'))
          order by next_attempt_at, id limit :limit for update skip locked
        ), stale as (
          select id from outbound_recipient
          where domain = :domain and state = 'sending' and lease_until < :now
            and (organization_id is null or not (organization_id = any (:held)))
            and not exists (select 1 from queue_pause p where p.domain in (:domain, '*'))
          order by lease_until, id limit :limit for update skip locked
        )
        update outbound_recipient r
        set state = 'sending', lease_owner = :node, lease_attempt = r.lease_attempt + 1, lease_until = :until
        from outbound_message m
        where r.id in (select id from due union all select id from stale) and m.id = r.message_id
        returning r.id, r.message_id, r.organization_id, r.address, r.attempts, r.created_at, r.lease_attempt, m.source, m.from_address,
          m.header_message_id, r.source_ref""")
        .param("domain", domain).param("now", Timestamp.from(now)).param("held", heldOrganizations.toArray(Long[]::new))
        .param("limit", limit).param("node", node).param("until", Timestamp.from(now.plus(term)))
        .query((rs, i) -> new Claimed(rs.getLong(1), rs.getLong(2), rs.getObject(3, Long.class), rs.getString(4), rs.getInt(5),
            rs.getTimestamp(6).toInstant(), rs.getLong(7), TextEnum.fromText(MessageSourceKind.class, rs.getString(8)),
            rs.getString(9), rs.getString(10), rs.getObject(11, Long.class)))
        .list());
  }

  /**
   * Whether the operator paused this domain or the whole queue, as this node last read it (at most {@link
   * #PAUSES_MAX_AGE} ago: one small query a second, shared by every lane, rather than one per message).
   */
  boolean paused(String domain) {
    Pauses p = pauses;
    if (p == null || System.nanoTime() - p.readAtNanos() > PAUSES_MAX_AGE.toNanos()) {
      p = new Pauses(Set.copyOf(run(() -> jdbc.sql("select domain from queue_pause").query(String.class).list())), System.nanoTime());
      pauses = p;
    }
    return p.domains().contains(QueueControls.WHOLE_QUEUE) || p.domains().contains(domain);
  }

  /**
   * What one attempt of one recipient came to.
   *
   * @param state the recipient's new state: delivered, deferred, bounced or expired
   * @param nextAttemptAt when a deferred recipient is tried again (null otherwise)
   * @param replyCode the remote reply's code, null when none decided (a timeout, no server, the route)
   */
  record Result(Claimed recipient, RecipientState state, Instant nextAttemptAt, Instant at, String serverHost, String serverIp,
      String sourceIp, Integer replyCode, String enhancedCode, String reply, int durationMs) {

    AttemptOutcome outcome() {
      return switch (state) {
        case DELIVERED -> AttemptOutcome.DELIVERED;
        case DEFERRED -> AttemptOutcome.DEFERRED;
        case BOUNCED -> AttemptOutcome.BOUNCED;
        case EXPIRED -> AttemptOutcome.EXPIRED;
        default -> throw new IllegalStateException("not the state after an attempt: " + state);
      };
    }
  }

  /**
   * Writes a batch's results and their attempts in one statement, fenced: a recipient this node no longer holds (its
   * lease was taken over) keeps the new owner's state and gets no attempt row from here.
   *
   * @return how many recipients were written (the rest were lost to another node)
   */
  int record(List<Result> results) {
    if (results.isEmpty()) return 0;
    int n = results.size();
    Long[] ids = new Long[n], fences = new Long[n];
    String[] states = new String[n], outcomes = new String[n], nexts = new String[n], ats = new String[n], hosts = new String[n],
        ips = new String[n], sources = new String[n], enhanced = new String[n], replies = new String[n];
    Integer[] codes = new Integer[n], durations = new Integer[n];
    for (int i = 0; i < n; i++) {
      Result r = results.get(i);
      ids[i] = r.recipient().id();
      fences[i] = r.recipient().fence();
      states[i] = r.state().text();
      outcomes[i] = r.outcome().text();
      nexts[i] = r.nextAttemptAt() == null ? null : r.nextAttemptAt().toString();
      ats[i] = r.at().toString();
      hosts[i] = r.serverHost();
      ips[i] = r.serverIp();
      sources[i] = r.sourceIp();
      codes[i] = r.replyCode();
      enhanced[i] = r.enhancedCode();
      replies[i] = r.reply() == null ? "" : r.reply();
      durations[i] = r.durationMs();
    }
    List<Long> written = run(() -> publishingBounces(results, () -> jdbc.sql("""
        with t as (
          select * from unnest(cast(:ids as bigint[]), cast(:fences as bigint[]), cast(:states as text[]), cast(:outcomes as text[]),
            cast(:nexts as timestamptz[]), cast(:ats as timestamptz[]), cast(:hosts as text[]), cast(:ips as text[]),
            cast(:sources as text[]), cast(:codes as integer[]), cast(:enhanced as text[]), cast(:replies as text[]),
            cast(:durations as integer[]))
            as t(id, fence, state, outcome, next_at, at, host, ip, source_ip, code, enhanced, reply, duration)
        ), written as (
          update outbound_recipient r
          set state = t.state, attempts = r.attempts + 1, last_reply = t.reply, last_attempt_at = t.at,
              next_attempt_at = coalesce(t.next_at, r.next_attempt_at),
              finished_at = case when t.state in ('delivered', 'bounced', 'expired') then t.at end, lease_until = null
          from t where r.id = t.id and r.lease_attempt = t.fence and (r.state || '') = 'sending'
          returning r.id, r.message_id, r.organization_id
        )
        insert into outbound_attempt (recipient_id, message_id, organization_id, attempted_at, server_host, server_ip, source_ip,
          reply_code, enhanced_code, reply_text, outcome, duration_ms)
        select w.id, w.message_id, w.organization_id, t.at, t.host, t.ip, t.source_ip, t.code, t.enhanced, t.reply, t.outcome, t.duration
        from written w join t on t.id = w.id
        returning recipient_id""")
        .param("ids", ids).param("fences", fences).param("states", states).param("outcomes", outcomes).param("nexts", nexts)
        .param("ats", ats).param("hosts", hosts).param("ips", ips).param("sources", sources).param("codes", codes)
        .param("enhanced", enhanced).param("replies", replies).param("durations", durations)
        .query(Long.class).list()));
    // Counted only for what this node wrote: a result lost to another node is that node's to count.
    Set<Long> kept = Set.copyOf(written);
    for (Result r : results) {
      if (kept.contains(r.recipient().id())) metrics.recorded(r.state(), r.recipient().queuedAt());
    }
    return written.size();
  }

  /**
   * Runs the write of a batch's results, with the written synchronous bounces published in its transaction (only
   * batches that have one pay for the transaction).
   */
  private List<Long> publishingBounces(List<Result> results, Supplier<List<Long>> write) {
    if (bounces == null || results.stream().noneMatch(DeliveryQueue::remoteBounce)) return write.get();
    return bounces.transaction().execute(status -> {
      List<Long> written = write.get();
      Set<Long> kept = Set.copyOf(written);
      for (Result r : results) {
        Claimed c = r.recipient();
        if (remoteBounce(r) && kept.contains(c.id())) {
          bounces.events().publishEvent(new DeliveryEvents.RecipientBounced(c.organizationId(), c.messageId(), c.id(), c.address(),
              r.replyCode(), r.enhancedCode() == null ? "" : r.enhancedCode(), r.reply() == null ? "" : r.reply(), c.source(), c.ref(),
              r.at()));
        }
      }
      return written;
    });
  }

  /**
   * A recipient bounced because a remote server refused it with 5xx: one that a server answered (not the sandbox, which
   * has no server, nor a route that found none), of an organization (not Herald's own mail), not a forward's.
   */
  static boolean remoteBounce(Result r) {
    return r.state() == RecipientState.BOUNCED && r.serverHost() != null && r.replyCode() != null && r.replyCode() >= 500
        && r.replyCode() < 600 && r.recipient().organizationId() != null
        // A forward's friend is nobody the organization mails: their bounce suppresses nothing and, as an event in the
        // publication registry, would keep their address (BulkSends#sendOnce).
        && r.recipient().source() != MessageSourceKind.FORWARD;
  }

  /**
   * Ends (or holds) recipients without an attempt, as their source answered ({@link MessageSource.NotSent}: failed,
   * {@link MessageSource.Cancelled}: deleted, {@link MessageSource.Held}: held), the reason as their last reply. Fenced
   * like {@link #record}.
   */
  int withdraw(List<Claimed> recipients, List<RecipientState> states, List<String> reasons) {
    if (recipients.isEmpty()) return 0;
    return run(() -> jdbc.sql("""
        update outbound_recipient r
        set state = t.state, last_reply = case when t.state = 'held' then r.last_reply else t.reason end,
            finished_at = case when t.state = 'held' then null else cast(:now as timestamptz) end, lease_until = null
        from unnest(cast(:ids as bigint[]), cast(:fences as bigint[]), cast(:states as text[]), cast(:reasons as text[]))
          as t(id, fence, state, reason)
        where r.id = t.id and r.lease_attempt = t.fence and (r.state || '') = 'sending'""")
        .param("now", Timestamp.from(clock.instant()))
        .param("ids", recipients.stream().map(Claimed::id).toArray(Long[]::new))
        .param("fences", recipients.stream().map(Claimed::fence).toArray(Long[]::new))
        .param("states", states.stream().map(RecipientState::text).toArray(String[]::new))
        .param("reasons", reasons.toArray(String[]::new))
        .update());
  }

  // The fenced updates (record, withdraw, renew, release) test the state as (r.state || '') = 'sending' on purpose: written plainly, the condition matches
  // the partial index outbound_recipient_leased, and the generic plan of a prepared statement can choose to scan that
  // whole index (every dead 'sending' version left since the last autovacuum: 17 M entries read in a 10,000-message
  // run, growing with the run) instead of a primary-key look-up per id. The expression cannot use that index.

  /**
   * Extends this node's leases on a batch it is still sending by another term, fenced like {@link #record}: a long
   * batch (a slow peer, a rate that spreads it out) keeps its recipients, and those another node took over are not
   * renewed.
   *
   * @return the ids still held (a recipient missing was taken over: it is not this node's to send any more)
   */
  Set<Long> renew(List<Claimed> recipients) {
    if (recipients.isEmpty()) return Set.of();
    return Set.copyOf(run(() -> jdbc.sql("""
        update outbound_recipient r set lease_until = :until
        from unnest(cast(:ids as bigint[]), cast(:fences as bigint[])) as t(id, fence)
        where r.id = t.id and r.lease_attempt = t.fence and (r.state || '') = 'sending'
        returning r.id""")
        .param("until", Timestamp.from(clock.instant().plus(term)))
        .param("ids", recipients.stream().map(Claimed::id).toArray(Long[]::new))
        .param("fences", recipients.stream().map(Claimed::fence).toArray(Long[]::new))
        .query(Long.class).list()));
  }

  /**
   * Gives recipients back without an attempt (their organization was suspended, the destination paused, the
   * batch ran out of lease time): due again at {@code at}, queued if never tried, else deferred. Fenced like
   * {@link #record}.
   */
  int release(List<Claimed> recipients, Instant at) {
    if (recipients.isEmpty()) return 0;
    return run(() -> jdbc.sql("""
        update outbound_recipient r
        set state = case when r.attempts = 0 then 'queued' else 'deferred' end, next_attempt_at = :at, lease_until = null
        from unnest(cast(:ids as bigint[]), cast(:fences as bigint[])) as t(id, fence)
        where r.id = t.id and r.lease_attempt = t.fence and (r.state || '') = 'sending'""")
        .param("at", Timestamp.from(at))
        .param("ids", recipients.stream().map(Claimed::id).toArray(Long[]::new))
        .param("fences", recipients.stream().map(Claimed::fence).toArray(Long[]::new))
        .update());
  }
}
