package dev.herald.audiences;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.LeasedJobs;
import dev.herald.platform.Leases;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.Organizations;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Optional;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Runs queued imports on worker nodes, every {@code herald.imports.poll}: claims a job with a lease (any
 * node may take over a job whose lease ran out, restarting it from the stored file), stages the file
 * ({@link ImportStaging}) and merges it ({@link ImportMerge}). Every write of an attempt is fenced by its
 * lease, so a node that stalled past its lease stops without touching the new owner's work.
 *
 * <p>A node runs up to {@code herald.imports.concurrency} jobs at once, each on a thread of its own, and
 * claims fairly by organization (see {@link ImportLeases}): a large import of one organization never holds
 * back another's. Jobs of suspended organizations are not claimed until they are resumed. Every statement
 * of a job runs under {@code herald.imports.statement-timeout} ({@link ImportTransactions}).
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
  private final DataSource dataSource;
  private final ImportTransactions tx;
  private final Leases leases;
  private final ImportStaging staging;
  private final ImportMerge merge;
  private final NodeRoles roles;
  private final HeraldProperties properties;
  private final ObjectMapper json;
  private final Clock clock;
  private final Organizations organizations;
  /** How long a release at shutdown waits for a job's row (locked while its merge commits) before leaving it to its lease. */
  static final Duration RELEASE_WAIT = Duration.ofSeconds(2);
  /** The jobs this node runs; those still running at shutdown are released. */
  private final LeasedJobs jobs;

  ImportWorker(JdbcClient jdbc, DataSource dataSource, ImportTransactions tx, @Qualifier(ImportLeases.BEAN) Leases leases,
      ImportStaging staging, ImportMerge merge, NodeRoles roles, HeraldProperties properties, ObjectMapper json, Clock clock,
      Organizations organizations) {
    this.jdbc = jdbc;
    this.dataSource = dataSource;
    this.tx = tx;
    this.leases = leases;
    this.staging = staging;
    this.merge = merge;
    this.roles = roles;
    this.properties = properties;
    this.json = json;
    this.clock = clock;
    this.organizations = organizations;
    this.jobs = new LeasedJobs(leases, properties.imports().concurrency(), "import-", this::run);
  }

  /**
   * Jobs still running when the node stops get the shutdown timeout to finish; the leases of those that do
   * not are released, so another node (or this one, restarted) takes them over from their files at once
   * rather than when the leases run out. Their attempts here stop at their next fenced write.
   */
  @PreDestroy
  void stop() throws InterruptedException {
    jobs.stopClaiming();
    if (!jobs.awaitRunning(properties.shutdownTimeout())) releaseHeld();
  }

  /**
   * Gives back the jobs still held. A job in the middle of its merge has its row locked by the merge's
   * transaction: the release waits {@link #RELEASE_WAIT} for it, then leaves that job to its lease, so a
   * long merge does not hold the node's shutdown.
   */
  void releaseHeld() {
    for (Leases.Lease lease : jobs.running()) {
      try {
        Leases.Outcome outcome = tx.execute(status -> {
          jdbc.sql("select set_config('lock_timeout', ?, true)").param(Long.toString(RELEASE_WAIT.toMillis())).query(String.class).single();
          return leases.release(lease);
        });
        if (outcome == Leases.Outcome.DONE) log.info("Import {} released at shutdown: another node takes it over from its file", lease.jobId());
      } catch (RuntimeException e) {
        log.warn("Import {} could not be released at shutdown ({}): it is left to its lease", lease.jobId(), e.getMessage());
      }
    }
  }

  /** The leases of the jobs this node is running now. */
  java.util.Set<Leases.Lease> running() {
    return jobs.running();
  }

  /** Scheduled here rather than by {@code @Scheduled}, so the poll interval comes from the validated settings. */
  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::work, properties.imports().poll());
  }

  void work() {
    if (!roles.has(NodeRole.worker) || jobs.stopping()) return;
    if (clock.instant().isAfter(lastDraftSweep.plus(DRAFT_SWEEP))) {
      lastDraftSweep = clock.instant();
      forgetAbandonedDrafts();
    }
    jobs.claim(organizations.suspendedIds());
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
      run = run.withoutContent(); // the file is staged; the merge does not hold it (68 MB for a million rows)
      merge.merge(run, staged);
      if (staged >= LARGE_IMPORT) tidyUp();
    } catch (ImportRun.LeaseLost e) {
      log.warn("{}; this attempt stops", e.getMessage());
    } catch (ImportFiles.BadFile e) {
      fail(lease, e.getMessage());
    } catch (RuntimeException e) {
      if (ImportTransactions.timedOut(e)) {
        String step = currentStep(lease).map(s -> s.label().toLowerCase(java.util.Locale.ROOT)).orElse("its work");
        log.warn("Import {} stopped: a statement of step '{}' ran past herald.imports.statement-timeout ({})", lease.jobId(), step,
            tx.timeout());
        fail(lease, "The import stopped while " + step + ": one of its database statements ran longer than the statement timeout ("
            + tx.timeout().toString().substring(2).toLowerCase(java.util.Locale.ROOT) + ", setting herald.imports.statement-timeout)."
            + " Nothing of it was merged; import the file in smaller parts, or ask the operator to raise the timeout.");
        return;
      }
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
      jdbc.sql("update import_job set started_at = now(), processed_rows = 0, inserted = 0, updated = 0, subscription_changed = 0, skipped = 0 where id = ?")
          .param(run.id()).update();
      jdbc.sql("delete from import_step where job_id = ?").param(run.id()).update();
      jdbc.sql("insert into import_step (job_id, step, started_at) values (?, ?, now())").params(run.id(), ImportStep.READING.text()).update();
      return run;
    });
  }

  @SuppressWarnings("unchecked")
  ImportRun load(Leases.Lease lease) {
    return jdbc.sql("""
        select organization_id, list_id, format, content, mapping::text, import_as, consent_basis, overwrite, tags
        from import_job where id = ?""").param(lease.jobId())
        .query((rs, n) -> new ImportRun(lease, rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getBytes(4),
            json.readValue(rs.getString(5), LinkedHashMap.class), TextEnum.fromText(SubscriptionStatus.class, rs.getString(6)), rs.getString(7), rs.getBoolean(8),
            List.of((String[]) rs.getArray(9).getArray())))
        .single();
  }

  /** The step the job was in, as last reported. */
  private Optional<ImportStep> currentStep(Leases.Lease lease) {
    return jdbc.sql("select step from import_step where job_id = ? order by started_at desc limit 1").param(lease.jobId())
        .query(String.class).optional().map(step -> TextEnum.fromText(ImportStep.class, step));
  }

  /** Marks the job failed and drops its staged rows and file; nothing when the job is no longer this attempt's. */
  void fail(Leases.Lease lease, String message) {
    tx.run(() -> {
      if (leases.fail(lease, message) == Leases.Outcome.LOST) {
        // Taken over by another node, or already finished or failed: either way not this attempt's to fail.
        log.warn("Import {} is no longer held by this attempt; its failure ({}) is not recorded", lease.jobId(), message);
        return;
      }
      jdbc.sql("delete from import_row where job_id = ?").param(lease.jobId()).update();
      jdbc.sql("update import_job set finished_at = now(), content = null where id = ?").param(lease.jobId()).update();
      // The step it stopped in stays open: the job's timeline shows where it failed.
    });
  }

  /**
   * After a large merge, do what autovacuum would do minutes later: clear the replaced row versions
   * (an update import leaves one per row, and they slow every segment count until vacuumed) and
   * refresh the planner's statistics. Outside any transaction, as VACUUM requires.
   */
  private void tidyUp() {
    // One connection, so the session's statement timeout covers the vacuums and is reset before the pool reuses it.
    try (var connection = dataSource.getConnection(); var statement = connection.createStatement()) {
      statement.execute("set statement_timeout = " + tx.timeout().toMillis());
      try {
        for (String table : List.of("subscriber", "subscription", "consent_record")) statement.execute("vacuum (analyze) " + table);
      } finally {
        statement.execute("reset statement_timeout");
      }
    } catch (java.sql.SQLException e) {
      // The import is merged and finished; autovacuum will do this later.
      log.warn("Vacuum after an import failed: {}", e.getMessage());
    }
  }
}
