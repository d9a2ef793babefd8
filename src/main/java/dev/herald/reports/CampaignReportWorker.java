package dev.herald.reports;

import dev.herald.campaigns.Campaign;
import dev.herald.campaigns.Campaigns;
import dev.herald.platform.Leases;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Computes the queued snapshots of large campaigns' reports on worker nodes, every {@link #POLL}: claims one with a
 * lease (platform's {@link Leases} on {@code campaign_report_snapshot}, fair by organization), computes the report
 * live ({@link CampaignReports#live}, one repeatable-read transaction) and stores it beside the lease's finish, so a
 * node that lost its lease stores nothing. Once an hour it deletes the snapshots nobody read for {@link #FORGET_AFTER}.
 */
@Component
class CampaignReportWorker implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(CampaignReportWorker.class);
  static final Duration POLL = Duration.ofSeconds(2);
  /** Longer than a report of millions takes on a loaded machine; a node silent this long is taken over. */
  static final Duration TERM = Duration.ofMinutes(30);
  /** Snapshots computed per poll at most, so one poll never runs for long. */
  static final int PER_POLL = 5;
  static final Duration FORGET_AFTER = Duration.ofDays(30);
  static final Duration FORGET_EVERY = Duration.ofHours(1);

  private final CampaignReports reports;
  private final CampaignReportSnapshots snapshots;
  private final Campaigns campaigns;
  private final NodeRoles roles;
  private final Clock clock;
  private final Leases leases;
  private final TransactionTemplate tx;
  private volatile Instant lastForget = Instant.MIN;

  CampaignReportWorker(CampaignReports reports, CampaignReportSnapshots snapshots, Campaigns campaigns, NodeRoles roles, Clock clock,
      JdbcClient jdbc, PlatformTransactionManager transactions) {
    this.reports = reports;
    this.snapshots = snapshots;
    this.campaigns = campaigns;
    this.roles = roles;
    this.clock = clock;
    this.leases = new Leases(jdbc, clock, Leases.thisNode(), "campaign_report_snapshot", TERM, "organization_id");
    this.tx = new TransactionTemplate(transactions);
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::work, POLL);
  }

  void work() {
    if (!roles.has(NodeRole.worker)) return;
    try {
      for (int i = 0; i < PER_POLL && refreshOne(); i++) {
        // each claim computes one snapshot
      }
      forgetUnread();
    } catch (RuntimeException e) {
      log.warn("Campaign report snapshots: {}", e.toString());
    }
  }

  /** Claims and computes one queued snapshot; false when there was none. */
  boolean refreshOne() {
    Optional<Leases.Lease> claimed = leases.claim();
    if (claimed.isEmpty()) return false;
    Leases.Lease lease = claimed.get();
    Optional<CampaignReportSnapshots.Job> job = snapshots.job(lease.jobId());
    if (job.isEmpty()) return true;
    Optional<Campaign> campaign = campaigns.find(job.get().organizationId(), job.get().campaignId());
    if (campaign.isEmpty()) {
      snapshots.delete(lease.jobId(), lease.attempt());
      return true;
    }
    try {
      long started = System.nanoTime();
      CampaignReport report = reports.live(campaign.get());
      Duration took = Duration.ofNanos(System.nanoTime() - started);
      tx.executeWithoutResult(status -> {
        if (leases.finish(lease) == Leases.Outcome.DONE) snapshots.store(lease.jobId(), report, took);
      });
      log.info("Report of campaign {} ({} recipients) computed in {} ms", job.get().campaignId(), report.recipients(), took.toMillis());
    } catch (RuntimeException e) {
      log.warn("Report of campaign {} failed: {}", job.get().campaignId(), e.toString());
      leases.fail(lease, String.valueOf(e.getMessage()));
    }
    return true;
  }

  void forgetUnread() {
    Instant now = clock.instant();
    if (lastForget.isAfter(now.minus(FORGET_EVERY))) return;
    lastForget = now;
    int gone = snapshots.forget(now.minus(FORGET_AFTER));
    if (gone > 0) log.info("Deleted {} campaign report snapshots nobody read for {} days", gone, FORGET_AFTER.toDays());
  }
}
