package dev.herald.privacy;

import dev.herald.platform.LeasedJobs;
import dev.herald.platform.Leases;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.platform.OrganizationArchive;
import dev.herald.platform.SystemMail;
import dev.herald.tenancy.OrganizationClosures;
import dev.herald.tenancy.OrganizationClosures.Closure;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
 * Purges closed organizations whose grace period ended, on worker nodes. Each due organization gets a row in
 * {@code organization_purge} (once: its id is unique there), claimed with a fenced lease; the purge is one
 * transaction: the counts of what the organization holds (every capability's export queries, counted: the same
 * tables the export lists), tenancy's deletion (every {@code OrganizationPurge}, then the organization's row, whose
 * foreign keys cascade to every capability's tables), and the certificate, committed only if the lease still holds.
 * The owners are mailed after the commit (their addresses are read before, and kept nowhere).
 *
 * <p>Kept after a purge, for accounting: the certificate row (the organization's id, name and slug, when it was closed
 * and purged, and rows deleted per table; no personal data) and the operator's audit entries (which name the
 * organization, not its people). Billing's invoices will be kept the same way once billing exists.
 */
@Component
class AccountPurgeWorker implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(AccountPurgeWorker.class);
  static final Duration POLL = Duration.ofMinutes(1);
  /** Organizations queued for purging per poll: a backlog is worked off over several polls. */
  static final int BATCH = 20;
  private final JdbcClient jdbc;
  private final Leases leases;
  private final OrganizationClosures closures;
  private final List<OrganizationArchive.Part> parts;
  private final SystemMail mail;
  private final NodeRoles roles;
  private final TransactionTemplate tx;
  private final ObjectMapper json;
  private final Clock clock;
  private final LeasedJobs jobs;

  AccountPurgeWorker(JdbcClient jdbc, @Qualifier(PrivacyLeases.PURGES) Leases leases, OrganizationClosures closures,
      List<OrganizationArchive.Part> parts, SystemMail mail, NodeRoles roles, PlatformTransactionManager transactions, ObjectMapper json,
      Clock clock) {
    this.jdbc = jdbc;
    this.leases = leases;
    this.closures = closures;
    this.parts = List.copyOf(parts);
    this.mail = mail;
    this.roles = roles;
    this.tx = new TransactionTemplate(transactions);
    this.json = json;
    this.clock = clock;
    this.jobs = new LeasedJobs(leases, 1, "account-purge-", this::run);
  }

  @PreDestroy
  void stop() throws InterruptedException {
    jobs.stopClaiming();
    jobs.awaitRunning(Duration.ofSeconds(5));
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::work, POLL);
  }

  void work() {
    if (!roles.has(NodeRole.worker) || jobs.stopping()) return;
    queueDue();
    jobs.claim(List.of());
  }

  /** Queues a purge for every closed organization whose grace period ended (at most {@link #BATCH} a call). */
  int queueDue() {
    int queued = 0;
    for (Closure c : closures.purgeDue(BATCH)) {
      queued += jdbc.sql("""
          insert into organization_purge (organization_id, organization_name, organization_slug, closed_at, purge_after)
          values (?, ?, ?, ?, ?) on conflict (organization_id) do nothing""")
          .params(c.organizationId(), c.name(), c.slug(), java.sql.Timestamp.from(c.closedAt()), java.sql.Timestamp.from(c.purgeAfter()))
          .update();
    }
    return queued;
  }

  /** Queues and runs every purge due, on the calling thread (tests); bounded by {@link #BATCH}. */
  int runDue() {
    queueDue();
    int ran = 0;
    for (int i = 0; i < BATCH; i++) {
      Optional<Leases.Lease> lease = leases.claim();
      if (lease.isEmpty()) break;
      run(lease.get());
      ran++;
    }
    return ran;
  }

  void run(Leases.Lease lease) {
    long orgId = jdbc.sql("select organization_id from organization_purge where id = ?").param(lease.jobId()).query(Long.class).single();
    Optional<Closure> closure = closures.of(orgId);
    List<String> owners = closure.map(Closure::ownerEmails).orElse(List.of());
    try {
      Boolean purged = tx.execute(status -> {
        if (leases.renew(lease) == Leases.Outcome.LOST) return null;
        Map<String, Long> counts = counts(orgId);
        if (!closures.purge(orgId)) {
          // Reopened after it was queued (or deleted by the operator meanwhile): nothing to purge, no certificate.
          leases.finish(lease);
          jdbc.sql("delete from organization_purge where id = ?").param(lease.jobId()).update();
          return false;
        }
        if (leases.finish(lease) == Leases.Outcome.LOST) {
          status.setRollbackOnly();
          return null;
        }
        jdbc.sql("update organization_purge set purged_at = ?, certificate = ?::jsonb where id = ?")
            .params(java.sql.Timestamp.from(clock.instant()), certificate(counts), lease.jobId()).update();
        return true;
      });
      if (purged == null) {
        log.warn("Purge {} was taken over by another node; this attempt stops", lease.jobId());
        return;
      }
      if (purged) {
        String name = closure.map(Closure::name).orElse("");
        for (String owner : owners) {
          mail.send(new SystemMail.SystemMessage(owner, "Your organization " + name + " has been deleted",
              "The organization " + name + " was closed on " + dev.herald.platform.Dates.time(closure.get().closedAt()) + " and its grace period ended.\n\n"
                  + "All its data (lists, subscribers, campaigns and their send ledger, templates, media, domains, suppression lists, API keys, "
                  + "the delivery log, opens, clicks, bounces and complaints) has now been deleted. The operator keeps a purge certificate, which lists how many "
                  + "rows of each kind were deleted and holds no personal data.",
              "account_purged"));
        }
        log.info("Purged closed organization {} ({})", orgId, name);
      }
    } catch (RuntimeException e) {
      log.error("Purge {} of organization {} failed", lease.jobId(), orgId, e);
      tx.executeWithoutResult(status -> leases.fail(lease, "The purge stopped because of an internal error (" + e.getClass().getSimpleName()
          + "); nothing was deleted."));
    }
  }

  /** Rows per table the organization holds, counted by the export's own queries (so the certificate lists what the export lists). */
  private Map<String, Long> counts(long orgId) {
    CountingArchive counting = new CountingArchive(jdbc);
    for (OrganizationArchive.Part part : parts) part.export(orgId, counting);
    return counting.counts();
  }

  private String certificate(Map<String, Long> counts) {
    Map<String, Object> c = new LinkedHashMap<>();
    c.put("deleted", counts);
    c.put("totalRows", counts.values().stream().mapToLong(Long::longValue).sum());
    c.put("kept", List.of("this certificate: the organization's id, name and slug, when it was closed and purged",
        "the operator's audit log entries about the organization"));
    return json.writeValueAsString(c);
  }

  /** Counts each table's rows instead of writing them. */
  static final class CountingArchive implements OrganizationArchive {
    private final JdbcClient jdbc;
    private final Map<String, Long> counts = new LinkedHashMap<>();

    CountingArchive(JdbcClient jdbc) {
      this.jdbc = jdbc;
    }

    Map<String, Long> counts() {
      return counts;
    }

    @Override
    public void table(String capability, String name, String description, String sql, Object... params) {
      counts.put(capability + "." + name, jdbc.sql("select count(*) from (" + sql + ") q").params(params).query(Long.class).single());
    }

    @Override
    public void files(String capability, String folder, String sql, Object... params) {
      counts.put(capability + "." + folder + " files", jdbc.sql("select count(*) from (" + sql + ") q").params(params).query(Long.class).single());
    }
  }

  /** A purge as the operator sees it: the certificate once done. */
  record Certificate(long id, long organizationId, String name, String slug, java.time.Instant closedAt, java.time.Instant purgedAt,
      JobStatus status, String certificate) {}

  private static final String CERTIFICATES = """
      select id, organization_id, organization_name, organization_slug, closed_at, purged_at, status, coalesce(certificate::text, '')
      from organization_purge""";

  private static Certificate certificateRow(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new Certificate(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
        rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant(),
        dev.herald.platform.TextEnum.fromText(JobStatus.class, rs.getString(7)), rs.getString(8));
  }

  /** The newest purges first. */
  List<Certificate> certificates(int limit) {
    return jdbc.sql(CERTIFICATES + " order by id desc limit ?").param(limit).query(AccountPurgeWorker::certificateRow).list();
  }

  Optional<Certificate> certificate(long id) {
    return jdbc.sql(CERTIFICATES + " where id = ?").param(id).query(AccountPurgeWorker::certificateRow).optional();
  }

  /** The certificate as the operator downloads it: what was purged, when, and the counts; no personal data. */
  byte[] document(Certificate c) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("certificate", "Purge of a closed organization's data");
    doc.put("organizationId", c.organizationId());
    doc.put("organizationName", c.name());
    doc.put("organizationSlug", c.slug());
    doc.put("closedAt", c.closedAt().toString());
    doc.put("purgedAt", c.purgedAt() == null ? null : c.purgedAt().toString());
    doc.put("purge", c.certificate().isEmpty() ? null : json.readTree(c.certificate()));
    return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(doc);
  }
}
