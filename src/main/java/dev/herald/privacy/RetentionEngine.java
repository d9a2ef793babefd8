package dev.herald.privacy;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Leases;
import dev.herald.platform.TextEnum;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.RetentionCategory;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The retention engine: a run purges, for every scheduled category of the personal-data map, what each capability
 * holds past the schedule (first each organization's shorter schedule for that organization, then the installation's
 * for everyone), by calling {@link PersonalDataHolder#purge} in batches of {@code herald.retention.batch}, one short
 * transaction each, until a call answers less than the batch. No long locks: each batch commits on its own.
 *
 * <p>A run is a job of {@code retention_run} claimed with platform's fenced {@link Leases} (ADR 0006): one node runs
 * it at a time, each batch renews the lease in its own transaction before purging, so a node that lost its run (it
 * stalled past the lease and another node took over) purges nothing more and writes no counts. What each batch purged
 * is added to the run's counts in that same transaction.
 */
@Component
class RetentionEngine {
  private static final Logger log = LoggerFactory.getLogger(RetentionEngine.class);
  static final String TABLE = "retention_run";
  /** A batch is short; a node that has not renewed for this long is taken for dead and its run is taken over. */
  static final Duration LEASE_TERM = Duration.ofMinutes(5);
  /** Bounds one holder's loop for one category and cutoff: at the default batch, 100 million rows a run. */
  static final int MAX_BATCHES = 100_000;
  /** Failures are kept short: a run's record says what failed, the log has the rest. */
  private static final int MAX_FAILURE = 2000;

  private final JdbcClient jdbc;
  private final Clock clock;
  private final PersonalDataMap map;
  private final RetentionSchedules schedules;
  private final TransactionTemplate tx;
  private final int batch;
  private final Leases leases;

  RetentionEngine(JdbcClient jdbc, Clock clock, PersonalDataMap map, RetentionSchedules schedules, PlatformTransactionManager transactions,
      HeraldProperties properties) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.map = map;
    this.schedules = schedules;
    this.tx = new TransactionTemplate(transactions);
    this.batch = properties.retention().batch();
    this.leases = leases(Leases.thisNode());
  }

  /** The leases of the run table as the node {@code node} takes them. */
  Leases leases(String node) {
    return new Leases(jdbc, clock, node, TABLE, LEASE_TERM);
  }

  /** This node's leases. */
  Leases leases() {
    return leases;
  }

  /**
   * Queues a run when none is queued or running and the last was queued at least {@code interval} ago; answers its
   * id. Nodes asking at the same moment queue one between them (a unique index allows one open run).
   */
  Optional<Long> queueIfDue(Duration interval) {
    Instant now = clock.instant();
    return jdbc.sql("""
        insert into retention_run (queued_at)
        select :now where not exists (select 1 from retention_run where queued_at > :since)
        on conflict do nothing returning id""")
        .param("now", Timestamp.from(now)).param("since", Timestamp.from(now.minus(interval))).query(Long.class).optional();
  }

  /** Queues a run now unless one is queued or running (the operator's "run now"); answers whether it queued one. */
  boolean queueNow() {
    return jdbc.sql("insert into retention_run (queued_at) values (?) on conflict do nothing").param(Timestamp.from(clock.instant())).update() == 1;
  }

  /** Thrown inside a batch's transaction when the run's lease is lost: the batch rolls back and the run stops here. */
  static final class LostLease extends RuntimeException {
    LostLease() {
      super("the retention run's lease was taken over", null, false, false);
    }
  }

  /**
   * Runs a claimed run to its end: every scheduled category, every holder. Stops early, giving the run back, when
   * {@code stopping} answers true (the node shuts down), and without another write when the lease is lost. A holder
   * that fails is recorded and the others go on; the run then ends failed, naming it.
   *
   * @return whether this node finished (or failed) the run; false when it stopped or lost it
   */
  boolean run(Leases leases, Leases.Lease lease, BooleanSupplier stopping) {
    Instant now = clock.instant();
    List<String> failures = new ArrayList<>();
    try {
      inBatch(leases, lease, () -> jdbc.sql("update retention_run set started_at = coalesce(started_at, ?) where id = ?")
          .params(Timestamp.from(now), lease.jobId()).update());
      for (RetentionCategory category : RetentionSchedules.scheduled()) {
        Instant installation = RetentionSchedules.cutoff(now, schedules.operatorPeriod(category));
        for (Map.Entry<Long, Period> own : schedules.overrides(category).entrySet()) {
          Instant cutoff = RetentionSchedules.cutoff(now, own.getValue());
          // An organization's schedule longer than the installation's (the operator shortened it since) changes nothing.
          if (cutoff.isAfter(installation)) purge(leases, lease, category, own.getKey(), cutoff, stopping, failures);
        }
        purge(leases, lease, category, null, installation, stopping, failures);
      }
    } catch (LostLease lost) {
      log.info("Retention run {} was taken over by another node; this node stops it here", lease.jobId());
      return false;
    } catch (Stopping stop) {
      leases.release(lease);
      log.info("Retention run {} given back as the node stops", lease.jobId());
      return false;
    }
    Leases.Outcome outcome = tx.execute(status -> {
      Leases.Outcome o = failures.isEmpty() ? leases.finish(lease) : leases.fail(lease, shorten(String.join("\n", failures)));
      if (o == Leases.Outcome.DONE) {
        jdbc.sql("update retention_run set finished_at = ? where id = ?").params(Timestamp.from(clock.instant()), lease.jobId()).update();
      }
      return o;
    });
    return outcome == Leases.Outcome.DONE;
  }

  private static final class Stopping extends RuntimeException {
    Stopping() {
      super("the node stops", null, false, false);
    }
  }

  /** One holder after the other, each in batches until it answers less than a batch. */
  private void purge(Leases leases, Leases.Lease lease, RetentionCategory category, Long organizationId, Instant cutoff,
      BooleanSupplier stopping, List<String> failures) {
    for (PersonalDataHolder holder : map.holders()) {
      try {
        for (int i = 0; i < MAX_BATCHES; i++) {
          if (stopping.getAsBoolean()) throw new Stopping();
          int purged = inBatch(leases, lease, () -> {
            int n = holder.purge(category, organizationId, cutoff, batch);
            if (n > 0) count(lease.jobId(), category, holder.capability(), n);
            return n;
          });
          if (purged < batch) break;
        }
      } catch (LostLease | Stopping e) {
        throw e;
      } catch (RuntimeException e) {
        log.warn("Retention run {}: {} failed to purge {}{}", lease.jobId(), holder.capability(), category,
            organizationId == null ? "" : " of organization " + organizationId, e);
        failures.add(holder.capability() + " could not purge " + category.text() + (organizationId == null ? "" : " of organization " + organizationId)
            + ": " + e.getClass().getSimpleName());
      }
    }
  }

  /** Runs {@code work} in a transaction of its own after renewing the lease, which fences it. */
  private <T> T inBatch(Leases leases, Leases.Lease lease, java.util.function.Supplier<T> work) {
    return tx.execute(status -> {
      if (leases.renew(lease) != Leases.Outcome.DONE) throw new LostLease();
      return work.get();
    });
  }

  private void count(long runId, RetentionCategory category, String capability, int purged) {
    jdbc.sql("""
        insert into retention_run_count (run_id, category, capability, purged) values (?, ?, ?, ?)
        on conflict (run_id, category, capability) do update set purged = retention_run_count.purged + excluded.purged""")
        .params(runId, category.text(), capability, purged).update();
  }

  private static String shorten(String s) {
    return s.length() <= MAX_FAILURE ? s : s.substring(0, MAX_FAILURE - 1) + "…";
  }

  // ---- the record of runs -------------------------------------------------------------------------------------

  /** What a run purged of one category in one capability. */
  record Count(RetentionCategory category, String capability, long purged) {}

  /** A run as the operator sees it. */
  record Run(long id, RetentionRunStatus status, Instant queuedAt, Instant startedAt, Instant finishedAt, String failure, long purged,
      List<Count> counts) {}

  /** The latest runs, newest first, with their counts. */
  List<Run> recent(int limit) {
    Map<Long, List<Count>> counts = new LinkedHashMap<>();
    List<Run> runs = jdbc.sql("""
        select id, status, queued_at, started_at, finished_at, failure from retention_run order by id desc limit ?""").param(limit)
        .query((rs, n) -> new Run(rs.getLong("id"), TextEnum.find(RetentionRunStatus.class, rs.getString("status")).orElseThrow(),
            instant(rs.getTimestamp("queued_at")), instant(rs.getTimestamp("started_at")), instant(rs.getTimestamp("finished_at")),
            rs.getString("failure"), 0, List.of()))
        .list();
    if (runs.isEmpty()) return runs;
    jdbc.sql("select run_id, category, capability, purged from retention_run_count where run_id = any (?) order by run_id, category, capability")
        .param(runs.stream().map(Run::id).toArray(Long[]::new))
        .query((java.sql.ResultSet rs) -> {
          counts.computeIfAbsent(rs.getLong(1), id -> new ArrayList<>()).add(new Count(
              TextEnum.find(RetentionCategory.class, rs.getString(2)).orElseThrow(), rs.getString(3), rs.getLong(4)));
        });
    return runs.stream().map(r -> {
      List<Count> c = counts.getOrDefault(r.id(), List.of());
      return new Run(r.id(), r.status(), r.queuedAt(), r.startedAt(), r.finishedAt(), r.failure(),
          c.stream().mapToLong(Count::purged).sum(), c);
    }).toList();
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
