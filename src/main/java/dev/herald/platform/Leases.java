package dev.herald.platform;

import java.lang.management.ManagementFactory;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Fenced leases on one job table: how nodes share background work through PostgreSQL without two of
 * them acting on one job (DESIGN.md: any node can die, and leases are taken over, never deleted).
 *
 * <p>The table belongs to its capability (import jobs, later the delivery queue, campaign sends, webhook
 * deliveries, retention runs); it only needs the standard columns:
 * <pre>
 *   id            bigint primary key
 *   status        text         -- queued → running → finished | failed; any other value (an import's draft)
 *                                 is the capability's own and never claimed
 *   failure       text         -- why it failed
 *   lease_owner   text         -- the node that holds, or last held, the lease
 *   lease_attempt bigint not null default 0   -- the fencing token: every claim adds one
 *   lease_until   timestamptz  -- held until; null once finished, failed or released
 * </pre>
 * {@link #claim} takes the oldest queued job, or a running one whose lease ran out (its node died or
 * stalled), with {@code FOR UPDATE SKIP LOCKED} so claiming nodes never wait on each other, and adds one to
 * the attempt. Every later write of the owner ({@link #renew}, {@link #finish}, {@link #fail},
 * {@link #release}) names that attempt: after a takeover it matches no row, changes nothing and answers
 * {@link Outcome#LOST}, so a node that stalled past its lease cannot renew, fail or finish the new owner's
 * job. A lease that ran out but was not taken over is still its owner's (the attempt still matches).
 *
 * <p>Fair sharing: with a {@code shareBy} column (the organization a job belongs to), a claim takes the
 * oldest job of the owner with the fewest running jobs, so a second job of a busy organization waits behind
 * the first job of an idle one, and {@link #claim(Collection)} leaves the jobs of held owners (a suspended
 * organization) queued. Two nodes claiming at the same instant may both count an owner as idle; the share
 * is fair between claims, not exact under such a race.
 *
 * <p>A write that answers {@link Outcome#DONE} has also locked the job's row until the caller's transaction
 * ends, and a claim skips locked rows: so a capability fences its own writes by making them in the same
 * transaction, after a {@code renew} (progress, staged rows, a merge) or beside {@code finish}/{@code fail}
 * (results), each {@code where id = ?}. Outside a transaction each write commits on its own.
 *
 * <p>Why a table name and not a generic jobs table: each capability keeps its jobs with their own columns
 * and indexes, and deletes them with its own data. The name is a constant of the capability's code,
 * checked against {@link #TABLE}; it is never user input. Times come from the injected clock (so tests move
 * time instead of sleeping); nodes therefore need synchronised clocks, a skew far below the lease term.
 */
public final class Leases {
  /** A plain lower-case SQL identifier: the only kind of table name spliced into the statements. */
  static final Pattern TABLE = Pattern.compile("[a-z][a-z0-9_]{0,62}");

  /** What a fenced write did. */
  public enum Outcome {
    /** Written; the job's row stays locked until the caller's transaction ends. */
    DONE,
    /** Nothing written: the job was taken over (or already finished, failed or released by this attempt). */
    LOST
  }

  /** One claim of one job: the attempt is the fencing token every write of this owner names. */
  public record Lease(long jobId, long attempt) {}

  private final JdbcClient jdbc;
  private final Clock clock;
  private final String node;
  private final String table;
  private final Duration term;
  private final String shareBy;

  /**
   * @param node  this node's name, stored as {@code lease_owner} (for people reading the table; fencing uses the attempt)
   * @param table the job table, a constant of the capability's code
   * @param term  how long a claim or renewal holds the job: a node that does not renew within it loses the job
   */
  public Leases(JdbcClient jdbc, Clock clock, String node, String table, Duration term) {
    this(jdbc, clock, node, table, term, null);
  }

  /**
   * @param shareBy the column naming a job's owner (a constant of the capability's code, e.g.
   *                {@code organization_id}), by which claims share the workers fairly; null for oldest first
   */
  public Leases(JdbcClient jdbc, Clock clock, String node, String table, Duration term, String shareBy) {
    if (!TABLE.matcher(table).matches()) throw new IllegalArgumentException("Not a plain table name: " + table);
    if (shareBy != null && !TABLE.matcher(shareBy).matches()) throw new IllegalArgumentException("Not a plain column name: " + shareBy);
    if (term.isNegative() || term.isZero()) throw new IllegalArgumentException("A lease term must be positive: " + term);
    this.jdbc = jdbc;
    this.clock = clock;
    this.node = node;
    this.table = table;
    this.term = term;
    this.shareBy = shareBy;
  }

  /** This process's name for {@code lease_owner}: host and process id, e.g. {@code mail-2:4711}. */
  public static String thisNode() {
    return ManagementFactory.getRuntimeMXBean().getName().replaceFirst("^(\\d+)@(.*)$", "$2:$1");
  }

  /** Takes the oldest queued job, or a running one whose lease ran out; empty when there is none free. */
  public Optional<Lease> claim() {
    return claim(java.util.List.of());
  }

  /**
   * Like {@link #claim()}, but the jobs of {@code heldOwners} (values of the {@code shareBy} column) stay
   * where they are, and with a {@code shareBy} column the owners with the fewest running jobs go first.
   */
  public Optional<Lease> claim(Collection<Long> heldOwners) {
    if (shareBy == null && !heldOwners.isEmpty()) throw new IllegalStateException("Holding owners needs a shareBy column");
    Instant now = clock.instant();
    Instant until = now.plus(term);
    String held = heldOwners.isEmpty() ? "" : " and not (j.%s = any(:held))".formatted(shareBy);
    // Running jobs whose lease ran out are free to take, so they do not count as their owner's.
    String order = shareBy == null ? "j.id" : """
        (select count(*) from %1$s b where b.%2$s = j.%2$s and b.status = 'running' and b.lease_until >= :now), j.id"""
        .formatted(table, shareBy);
    var statement = jdbc.sql("""
        update %1$s set status = 'running', lease_owner = :node, lease_attempt = lease_attempt + 1, lease_until = :until
        where id = (select j.id from %1$s j where (j.status = 'queued' or (j.status = 'running' and j.lease_until < :now))%2$s
                    order by %3$s limit 1 for update of j skip locked)
        returning id, lease_attempt""".formatted(table, held, order))
        .param("node", node).param("until", Timestamp.from(until)).param("now", Timestamp.from(now));
    if (!heldOwners.isEmpty()) statement = statement.param("held", heldOwners.toArray(Long[]::new));
    return statement.query((rs, n) -> new Lease(rs.getLong(1), rs.getLong(2))).optional();
  }

  /** Holds the job for another term from now. */
  public Outcome renew(Lease lease) {
    return fenced(lease, "lease_until = :until", Map.of("until", Timestamp.from(clock.instant().plus(term))));
  }

  /** The job is done: it is never claimed again. */
  public Outcome finish(Lease lease) {
    return fenced(lease, "status = 'finished', lease_until = null", Map.of());
  }

  /** The job failed for {@code failure}: it is never claimed again. */
  public Outcome fail(Lease lease, String failure) {
    return fenced(lease, "status = 'failed', failure = :failure, lease_until = null", Map.of("failure", failure));
  }

  /** Gives the job back (a node shutting down, say): any node may claim it at once. */
  public Outcome release(Lease lease) {
    return fenced(lease, "status = 'queued', lease_until = null", Map.of());
  }

  private Outcome fenced(Lease lease, String set, Map<String, Object> values) {
    int changed = jdbc.sql("update " + table + " set " + set + " where id = :id and lease_attempt = :attempt and status = 'running'")
        .params(values).param("id", lease.jobId()).param("attempt", lease.attempt()).update();
    return changed == 1 ? Outcome.DONE : Outcome.LOST;
  }
}
