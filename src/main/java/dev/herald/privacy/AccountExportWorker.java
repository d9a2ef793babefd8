package dev.herald.privacy;

import dev.herald.platform.LeasedJobs;
import dev.herald.platform.Leases;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.platform.OrganizationArchive;
import dev.herald.tenancy.Organizations;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Builds account exports on worker nodes (ADR 0006's leased jobs, like audiences' imports): claims a queued export,
 * asks every capability's {@link OrganizationArchive.Part} for its tables, in DESIGN.md's capability order, writes
 * them into a ZIP ({@link ZipArchive}) stored in chunks ({@link ExportChunks}), and reports the parts done as it goes
 * (the progress bar). Every write is fenced by the lease: a node that lost the job stops at its next chunk or part.
 * A job taken over starts again from nothing. Finished exports are deleted {@link AccountExports#KEPT} after they
 * finished.
 */
@Component
class AccountExportWorker implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(AccountExportWorker.class);
  static final Duration POLL = Duration.ofSeconds(2);
  private final JdbcClient jdbc;
  private final Leases leases;
  private final List<OrganizationArchive.Part> parts;
  private final Organizations organizations;
  private final NodeRoles roles;
  private final TransactionTemplate tx;
  private final TransactionTemplate readOnly;
  private final ObjectMapper json;
  private final Clock clock;
  private final LeasedJobs jobs;

  AccountExportWorker(JdbcClient jdbc, @Qualifier(PrivacyLeases.EXPORTS) Leases leases, List<OrganizationArchive.Part> parts,
      Organizations organizations, NodeRoles roles, PlatformTransactionManager transactions, ObjectMapper json, Clock clock) {
    this.jdbc = jdbc;
    this.leases = leases;
    List<OrganizationArchive.Part> ordered = new ArrayList<>(parts);
    ordered.sort(Comparator.comparingInt(p -> PersonalDataMap.CAPABILITY_ORDER.indexOf(p.capability())));
    this.parts = List.copyOf(ordered);
    this.organizations = organizations;
    this.roles = roles;
    this.tx = new TransactionTemplate(transactions);
    // PostgreSQL's driver honours the fetch size (reads through a cursor) only inside a transaction.
    this.readOnly = new TransactionTemplate(transactions);
    this.readOnly.setReadOnly(true);
    this.json = json;
    this.clock = clock;
    this.jobs = new LeasedJobs(leases, 1, "account-export-", this::run);
  }

  /** The capabilities that contribute, in the order they are written. */
  List<String> capabilities() {
    return parts.stream().map(OrganizationArchive.Part::capability).toList();
  }

  @PreDestroy
  void stop() throws InterruptedException {
    jobs.stopClaiming();
    if (!jobs.awaitRunning(Duration.ofSeconds(5))) {
      for (Leases.Lease lease : jobs.running()) leases.release(lease);
    }
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::work, POLL);
  }

  void work() {
    if (!roles.has(NodeRole.worker) || jobs.stopping()) return;
    deleteExpired();
    jobs.claim(List.of());
  }

  /** Runs the exports waiting, on the calling thread, until none is left (tests; bounded by the jobs queued). */
  int runQueued() {
    int ran = 0;
    for (int i = 0; i < 100; i++) {
      var lease = leases.claim();
      if (lease.isEmpty()) break;
      run(lease.get());
      ran++;
    }
    return ran;
  }

  /** A finished export holds every subscriber's personal data: it goes once it expired. */
  int deleteExpired() {
    return jdbc.sql("delete from organization_export where expires_at < ?").param(java.sql.Timestamp.from(clock.instant())).update();
  }

  void run(Leases.Lease lease) {
    try {
      long orgId = begin(lease);
      String slug = organizations.named(orgId).map(Organizations.Named::slug).orElse("organization-" + orgId);
      ExportChunks out = new ExportChunks(lease, leases, jdbc, tx);
      try (ZipArchive archive = new ZipArchive(out, jdbc, readOnly, json)) {
        int done = 0;
        for (OrganizationArchive.Part part : parts) {
          progress(lease, done, part.capability(), archive.rows());
          part.export(orgId, archive);
          done++;
        }
        progress(lease, done, "", archive.rows());
        Map<String, Object> about = new LinkedHashMap<>();
        about.put("organizationId", orgId);
        about.put("organization", slug);
        about.put("exportId", lease.jobId());
        about.put("exportedAt", clock.instant().toString());
        about.put("formats", "Each table as CSV (UTF-8, cells that a spreadsheet would run as formulas start with an apostrophe), "
            + "XLSX and JSON; media files as uploaded.");
        archive.finish(about);
        finish(lease, out.size(), archive.rows());
      }
    } catch (ExportChunks.LeaseLost e) {
      log.warn("{}; this attempt stops", e.getMessage());
    } catch (IOException | RuntimeException e) {
      log.error("Account export {} failed", lease.jobId(), e);
      tx.executeWithoutResult(status -> {
        if (leases.fail(lease, "The export stopped because of an internal error (" + e.getClass().getSimpleName()
            + "); start another one.") == Leases.Outcome.DONE) {
          jdbc.sql("delete from organization_export_chunk where export_id = ?").param(lease.jobId()).update();
        }
      });
    }
  }

  /** Starts this attempt from nothing (a job taken over after a crash rewrites its ZIP); answers the organization. */
  private long begin(Leases.Lease lease) {
    return tx.execute(status -> {
      if (leases.renew(lease) == Leases.Outcome.LOST) throw new ExportChunks.LeaseLost(lease.jobId());
      jdbc.sql("delete from organization_export_chunk where export_id = ?").param(lease.jobId()).update();
      return jdbc.sql("""
          update organization_export set started_at = ?, parts_total = ?, parts_done = 0, current_part = '', rows_written = 0, size_bytes = 0
          where id = ? returning organization_id""")
          .params(java.sql.Timestamp.from(clock.instant()), parts.size(), lease.jobId()).query(Long.class).single();
    });
  }

  private void progress(Leases.Lease lease, int done, String part, long rows) {
    tx.executeWithoutResult(status -> {
      if (leases.renew(lease) == Leases.Outcome.LOST) throw new ExportChunks.LeaseLost(lease.jobId());
      jdbc.sql("update organization_export set parts_done = ?, current_part = ?, rows_written = ? where id = ?")
          .params(done, part, rows, lease.jobId()).update();
    });
  }

  private void finish(Leases.Lease lease, long size, long rows) {
    tx.executeWithoutResult(status -> {
      if (leases.finish(lease) == Leases.Outcome.LOST) throw new ExportChunks.LeaseLost(lease.jobId());
      jdbc.sql("update organization_export set size_bytes = ?, rows_written = ?, finished_at = ?, expires_at = ? where id = ?")
          .params(size, rows, java.sql.Timestamp.from(clock.instant()), java.sql.Timestamp.from(clock.instant().plus(AccountExports.KEPT)),
              lease.jobId()).update();
    });
  }
}
