package dev.herald.audiences;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Leases;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs queued imports on worker nodes, every {@code herald.imports.poll}: claims a job with a lease (any
 * node may take over a job whose lease ran out, restarting it from the stored file), stages the file
 * ({@link ImportStaging}) and merges it ({@link ImportMerge}). Every write of an attempt is fenced by its
 * lease, so a node that stalled past its lease stops without touching the new owner's work.
 */
@Component
class ImportWorker implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(ImportWorker.class);
  /** Above this many rows a merge is followed by a vacuum (see {@link #tidyUp}). */
  static final int LARGE_IMPORT = 10_000;
  /** How long an upload may wait for its mapping to be confirmed before the file is deleted. */
  static final Duration DRAFT_LIFETIME = Duration.ofDays(1);
  /** Drafts expire by the day, so looking for them once every few minutes is enough (the worker polls every second). */
  static final Duration DRAFT_SWEEP = Duration.ofMinutes(10);
  private volatile Instant lastDraftSweep = Instant.MIN;
  private final JdbcClient jdbc;
  private final TransactionTemplate tx;
  private final Leases leases;
  private final ImportStaging staging;
  private final ImportMerge merge;
  private final NodeRoles roles;
  private final HeraldProperties properties;
  private final ObjectMapper json;
  private final Clock clock;

  ImportWorker(JdbcClient jdbc, TransactionTemplate tx, @Qualifier(ImportLeases.BEAN) Leases leases, ImportStaging staging,
      ImportMerge merge, NodeRoles roles, HeraldProperties properties, ObjectMapper json, Clock clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.leases = leases;
    this.staging = staging;
    this.merge = merge;
    this.roles = roles;
    this.properties = properties;
    this.json = json;
    this.clock = clock;
  }

  /** Scheduled here rather than by {@code @Scheduled}, so the poll interval comes from the validated settings. */
  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::work, properties.imports().poll());
  }

  void work() {
    if (!roles.has(NodeRole.worker)) return;
    if (clock.instant().isAfter(lastDraftSweep.plus(DRAFT_SWEEP))) {
      lastDraftSweep = clock.instant();
      forgetAbandonedDrafts();
    }
    for (Optional<Leases.Lease> lease = leases.claim(); lease.isPresent(); lease = leases.claim()) run(lease.get());
  }

  /**
   * A panel upload whose mapping was never confirmed still holds the whole file, personal data included:
   * after {@link #DRAFT_LIFETIME} it is deleted.
   */
  void forgetAbandonedDrafts() {
    int n = jdbc.sql("delete from import_job where status = 'draft' and created_at < ?")
        .param(java.sql.Timestamp.from(clock.instant().minus(DRAFT_LIFETIME))).update();
    if (n > 0) log.info("Deleted {} import drafts left unstarted for {}", n, DRAFT_LIFETIME);
  }

  void run(Leases.Lease lease) {
    try {
      ImportRun run = begin(lease);
      long staged = staging.stage(run);
      merge.merge(run, staged);
      if (staged >= LARGE_IMPORT) tidyUp();
    } catch (ImportRun.LeaseLost e) {
      log.warn("{}; this attempt stops", e.getMessage());
    } catch (ImportFiles.BadFile e) {
      fail(lease, e.getMessage());
    } catch (RuntimeException e) {
      log.error("Import {} failed", lease.jobId(), e);
      fail(lease, "The import stopped because of an internal error; nothing of it was merged. (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * Starts this attempt: a job taken over after a crash starts from its file again, so what the last
   * attempt left is cleared, and the counts start from zero.
   */
  ImportRun begin(Leases.Lease lease) {
    return tx.execute(status -> {
      ImportRun run = load(lease);
      if (leases.renew(lease) == Leases.Outcome.LOST) throw new ImportRun.LeaseLost(run);
      jdbc.sql("delete from import_row where job_id = ?").param(run.id()).update();
      jdbc.sql("delete from import_error where job_id = ?").param(run.id()).update();
      jdbc.sql("update import_job set started_at = now(), processed_rows = 0, inserted = 0, updated = 0, skipped = 0 where id = ?")
          .param(run.id()).update();
      return run;
    });
  }

  @SuppressWarnings("unchecked")
  ImportRun load(Leases.Lease lease) {
    return jdbc.sql("""
        select organization_id, list_id, format, content, mapping::text, import_as, consent_basis, overwrite, tags
        from import_job where id = ?""").param(lease.jobId())
        .query((rs, n) -> new ImportRun(lease, rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getBytes(4),
            json.readValue(rs.getString(5), LinkedHashMap.class), rs.getString(6), rs.getString(7), rs.getBoolean(8),
            List.of((String[]) rs.getArray(9).getArray())))
        .single();
  }

  /** Marks the job failed and drops its staged rows and file; nothing when the job is no longer this attempt's. */
  void fail(Leases.Lease lease, String message) {
    tx.executeWithoutResult(status -> {
      if (leases.fail(lease, message) == Leases.Outcome.LOST) {
        log.warn("Import {} was taken over by another node; this attempt's failure ({}) is not recorded", lease.jobId(), message);
        return;
      }
      jdbc.sql("delete from import_row where job_id = ?").param(lease.jobId()).update();
      jdbc.sql("update import_job set finished_at = now(), content = null where id = ?").param(lease.jobId()).update();
    });
  }

  /**
   * After a large merge, do what autovacuum would do minutes later: clear the replaced row versions
   * (an update import leaves one per row, and they slow every segment count until vacuumed) and
   * refresh the planner's statistics. Outside any transaction, as VACUUM requires.
   */
  private void tidyUp() {
    for (String table : List.of("subscriber", "subscription", "consent_record")) {
      jdbc.sql("vacuum (analyze) " + table).update();
    }
  }
}
