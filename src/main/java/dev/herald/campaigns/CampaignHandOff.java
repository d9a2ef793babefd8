package dev.herald.campaigns;

import dev.herald.delivery.BulkSends;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.LeasedJobs;
import dev.herald.platform.Leases;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.tenancy.Organizations;
import jakarta.annotation.PreDestroy;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Hands started campaigns' ledgers to delivery's queue, on worker nodes, every {@code herald.campaigns.poll}: starts
 * the scheduled campaigns that are due ({@link CampaignStarter}), finishes those whose queue rows are all done, and
 * claims campaigns to hand off with fenced leases on {@code campaign_send}.
 *
 * <p>A hand-off is a loop of {@link #step}s, each one transaction: renew the lease (a node that lost it writes nothing),
 * take the next pending ledger rows (skipping people who unsubscribed or were suppressed since the start), queue them
 * with {@link BulkSends#add} and mark them handed off. Queue rows and "handed off" commit together or not at all, so
 * a node killed at any moment leaves every row either pending (taken over and handed again: the queue's add is
 * idempotent per address, so nobody is queued twice) or handed off with its queue row (DESIGN.md rules 2 and 3).
 * Before the first chunk is queued, the campaign's rendering is fixed ({@link CampaignMessageSource#fixRendering}: its
 * tracking host and snippets), so every render of a recipient gives the same bytes.
 *
 * <p>The throttle (at most N per minute or hour) counts the rows handed off in the last window and hands off at most
 * a sixtieth of N per step, waiting a sixtieth of the window between throttled steps, so the messages are spread over
 * the window rather than sent in one burst at its start. Once no row is pending the job is {@code draining}: no thread
 * holds it, and the poll finishes the campaign when the queue has none of its rows waiting.
 */
@Component
class CampaignHandOff implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(CampaignHandOff.class);
  /** The longest a throttled hand-off waits between steps: well inside the lease term, which each step renews. */
  static final Duration MAX_WAIT = Duration.ofSeconds(30);

  /** What one step did: handed off and may go on at once, handed off as much as the throttle allows, or stopped. */
  enum Step { MORE, THROTTLED, DRAINING, LOST }

  private final JdbcClient jdbc;
  private final Leases leases;
  private final Campaigns campaigns;
  private final CampaignLedger ledger;
  private final LedgerCleanup cleanup;
  private final CampaignStarter starter;
  private final CampaignMessageSource source;
  private final BulkSends queue;
  private final NodeRoles roles;
  private final Organizations organizations;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final HeraldProperties properties;
  private final TransactionTemplate transaction;
  private final LeasedJobs jobs;
  private final Object wake = new Object();

  CampaignHandOff(JdbcClient jdbc, @Qualifier(CampaignLeases.BEAN) Leases leases, Campaigns campaigns, CampaignLedger ledger,
      LedgerCleanup cleanup, CampaignStarter starter, CampaignMessageSource source, BulkSends queue, NodeRoles roles, Organizations organizations, ApplicationEventPublisher events, Clock clock,
      HeraldProperties properties, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.leases = leases;
    this.campaigns = campaigns;
    this.ledger = ledger;
    this.cleanup = cleanup;
    this.starter = starter;
    this.source = source;
    this.queue = queue;
    this.roles = roles;
    this.organizations = organizations;
    this.events = events;
    this.clock = clock;
    this.properties = properties;
    this.transaction = new TransactionTemplate(transactions);
    this.jobs = new LeasedJobs(leases, properties.campaigns().concurrency(), "campaign-", this::run);
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::work, properties.campaigns().poll());
  }

  /**
   * Hand-offs in progress stop at their next step (within a chunk) and give their leases back, so another node, or
   * this one restarted, takes them over at once rather than when the leases run out.
   */
  @PreDestroy
  void stop() throws InterruptedException {
    jobs.stopClaiming();
    synchronized (wake) {
      wake.notifyAll();
    }
    jobs.awaitRunning(properties.shutdownTimeout());
  }

  void work() {
    if (!roles.has(NodeRole.worker) || jobs.stopping()) return;
    starter.startDue();
    finishDrained();
    jobs.claim(organizations.suspendedIds());
  }

  /** Steps until the ledger is handed off, the lease is lost (paused, cancelled, taken over) or the node stops. */
  void run(Leases.Lease lease) {
    try {
      while (!jobs.stopping() && !Thread.currentThread().isInterrupted()) {
        Step step = step(lease);
        if (step == Step.LOST || step == Step.DRAINING) return;
        if (step == Step.THROTTLED) pause(throttleWait(lease.jobId()));
      }
      transaction.executeWithoutResult(status -> leases.release(lease));
    } catch (RuntimeException e) {
      // The lease runs out and another node (or this one) takes the campaign over from its ledger.
      log.error("Hand-off of campaign {} stopped; it is taken over when its lease runs out", lease.jobId(), e);
    }
  }

  /** One chunk, in one transaction, fenced by the lease. */
  Step step(Leases.Lease lease) {
    return transaction.execute(status -> {
      if (leases.renew(lease) == Leases.Outcome.LOST) return Step.LOST;
      Campaign c = campaign(lease.jobId());
      Instant now = clock.instant();
      int chunk = properties.campaigns().chunk();
      boolean throttled = c.throttle() != null;
      if (throttled) {
        int limit = c.throttle().limit();
        long used = ledger.handedOffSince(c.id(), now.minus(c.throttle().per().window()));
        chunk = (int) Math.min(chunk, Math.min(limit - used, Math.max(1, (limit + 59) / 60)));
        if (chunk <= 0) return Step.THROTTLED;
      }
      List<CampaignLedger.Entry> entries = ledger.nextPending(c, chunk);
      if (entries.isEmpty()) {
        // The start swept its ledger after committing; a node that died between the two left it to this sweep.
        cleanup.sweep(c.organizationId(), c.id());
        jdbc.sql("update campaign_send set status = 'draining', lease_until = null where id = ?").param(c.id()).update();
        return Step.DRAINING;
      }
      // Before the first of its messages can be rendered: its tracking host and snippets, the same for every render since.
      source.fixRendering(c.id());
      int queued = queue.add(c.messageId(), entries.stream().map(e -> new BulkSends.BulkRecipient(e.id(), e.address())).toList());
      // Every pending row is new to the queue: a chunk that failed rolled its queue rows back with it, and a node whose
      // lease ran out cannot step while another holds the job's row. Fewer rows queued means the queue did not take
      // them, so nothing is marked handed off (the transaction rolls back and the chunk is tried again).
      if (queued != entries.size()) {
        throw new IllegalStateException("The queue took " + queued + " of " + entries.size() + " recipients of campaign " + c.id()
            + " (message " + c.messageId() + ")");
      }
      ledger.handedOff(entries, now);
      return throttled ? Step.THROTTLED : Step.MORE;
    });
  }

  /**
   * Finishes the started campaigns whose ledger is done (no row pending) and whose queue rows are all done (none
   * queued, sending, deferred or held). A paused campaign is never finished: its rows are held.
   */
  int finishDrained() {
    int finished = 0;
    for (long id : jdbc.sql("""
        select s.id from campaign_send s join campaign c on c.id = s.id where s.status = 'draining' and c.state = 'sending'
        order by s.id""").query(Long.class).list()) {
      if (Boolean.TRUE.equals(transaction.execute(status -> finishIfDone(id)))) finished++;
    }
    return finished;
  }

  private boolean finishIfDone(long id) {
    // The campaign's row, then the job's, locked in the order a pause or cancel locks them: either waits for the other,
    // and two nodes never finish one campaign both.
    boolean mine = jdbc.sql("select id from campaign where id = ? and state = 'sending' for update skip locked").param(id)
        .query(Long.class).optional().isPresent()
        && jdbc.sql("select id from campaign_send where id = ? and status = 'draining' for update").param(id)
        .query(Long.class).optional().isPresent();
    if (!mine) return false;
    Campaign c = campaign(id);
    if (c.state() != CampaignState.SENDING || ledger.anyPending(id)) return false;
    // Not finished while any of its queue rows is still to be tried (queued, sending, deferred or held).
    if (queue.waiting(c.messageId())) return false;
    Instant now = clock.instant();
    jdbc.sql("update campaign_send set status = 'finished', lease_until = null where id = ?").param(id).update();
    jdbc.sql("update campaign set state = 'finished', finished_at = ?, updated_at = now() where id = ?").params(Timestamp.from(now), id)
        .update();
    Map<LedgerState, Long> counts = ledger.counts(id);
    events.publishEvent(new CampaignEvents.CampaignFinished(c.organizationId(), id, c.name(), counts.get(LedgerState.HANDED_OFF),
        counts.get(LedgerState.SKIPPED), now));
    log.info("Campaign {} of organization {} finished: {} handed off, {} skipped", id, c.organizationId(),
        counts.get(LedgerState.HANDED_OFF), counts.get(LedgerState.SKIPPED));
    return true;
  }

  private Campaign campaign(long id) {
    long org = jdbc.sql("select organization_id from campaign where id = ?").param(id).query(Long.class).single();
    return campaigns.find(org, id).orElseThrow();
  }

  /** A sixtieth of the throttle's window, at most {@link #MAX_WAIT}. */
  private Duration throttleWait(long campaignId) {
    Campaign c = campaign(campaignId);
    if (c.throttle() == null) return Duration.ZERO;
    Duration wait = c.throttle().per().window().dividedBy(60);
    return wait.compareTo(MAX_WAIT) > 0 ? MAX_WAIT : wait;
  }

  private void pause(Duration wait) {
    if (wait.isZero()) return;
    synchronized (wake) {
      try {
        if (!jobs.stopping()) wake.wait(wait.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // the hand-off stops at its loop's check
      }
    }
  }
}
