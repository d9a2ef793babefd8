package dev.herald.campaigns;

import dev.herald.content.Templates;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Starts scheduled campaigns whose time has come, on whichever worker node polls first: each is taken with
 * {@code FOR UPDATE SKIP LOCKED} (two nodes never start one campaign; a node that dies mid-start rolls back and the
 * next poll starts it again), and in that one transaction its audience is fixed into the ledger, its hand-off job is
 * queued, the queue's bulk send is opened ({@link BulkSends#open}), it becomes {@code sending} and {@link CampaignEvents.CampaignStarted} is published. A campaign that can no
 * longer be sent (its sender's domain lost its verification, its template was deleted) goes back to draft saying why. The
 * campaign template's source is copied into the campaign as it starts, so editing the template does not change a send.
 */
@Component
class CampaignStarter {
  private static final Logger log = LoggerFactory.getLogger(CampaignStarter.class);
  private final JdbcClient jdbc;
  private final Campaigns campaigns;
  private final CampaignLedger ledger;
  private final LedgerCleanup cleanup;
  private final SendingDomains domains;
  private final BulkSends queue;
  private final Templates templates;
  private final ApplicationEventPublisher events;
  private final Clock clock;
  private final TransactionTemplate transaction;

  CampaignStarter(JdbcClient jdbc, Campaigns campaigns, CampaignLedger ledger, LedgerCleanup cleanup, SendingDomains domains, BulkSends queue, Templates templates,
      ApplicationEventPublisher events,
      Clock clock, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.campaigns = campaigns;
    this.ledger = ledger;
    this.cleanup = cleanup;
    this.domains = domains;
    this.queue = queue;
    this.templates = templates;
    this.events = events;
    this.clock = clock;
    this.transaction = new TransactionTemplate(transactions);
  }

  /**
   * Starts every due campaign, one transaction each, each followed by {@link LedgerCleanup#sweep} in a transaction of
   * its own (people deleted while the start read them); answers how many it took (started or sent back to draft).
   */
  int startDue() {
    int n = 0;
    for (Taken taken; (taken = transaction.execute(status -> startNext())) != null; n++) {
      if (!taken.started()) continue;
      long organization = taken.organizationId(), campaign = taken.campaignId();
      Integer swept = transaction.execute(status -> cleanup.sweep(organization, campaign));
      if (swept != null && swept > 0) {
        log.info("Campaign {} of organization {}: {} people deleted while it started left its ledger", campaign, organization, swept);
      }
    }
    return n;
  }

  /** A due campaign taken: started, or sent back to draft. */
  private record Taken(long organizationId, long campaignId, boolean started) {}

  /** Takes the next due campaign and starts it; null when none is due (or every due one is being started elsewhere). */
  private Taken startNext() {
    Instant now = clock.instant();
    Optional<long[]> due = jdbc.sql("""
        select id, organization_id from campaign where state = 'scheduled' and send_at <= ? order by send_at, id
        limit 1 for update skip locked""").param(Timestamp.from(now)).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).optional();
    if (due.isEmpty()) return null;
    Campaign c = campaigns.find(due.get()[1], due.get()[0]).orElseThrow();
    var domain = domains.verifiedDomainFor(c.organizationId(), c.fromAddress());
    if (domain.isEmpty()) {
      backToDraft(c, "Not started: " + c.fromAddress() + " is no longer on a verified sending domain of this organization.");
      return new Taken(c.organizationId(), c.id(), false);
    }
    String templateSource = null;
    if (c.templateId() != null) {
      var template = templates.find(c.organizationId(), c.templateId());
      if (template.isEmpty()) {
        backToDraft(c, "Not started: its campaign template was deleted; choose another.");
        return new Taken(c.organizationId(), c.id(), false);
      }
      templateSource = template.get().source();
    }
    long fixing = System.nanoTime();
    long recipients = ledger.fix(c);
    Duration fixed = Duration.ofNanos(System.nanoTime() - fixing);
    long message = queue.open(c.organizationId(), domain.get().id(), MessageSourceKind.CAMPAIGN, c.fromAddress(), c.subject());
    jdbc.sql("""
        update campaign set state = 'sending', started_at = ?, recipients = ?, sending_domain_id = ?, message_id = ?, template_source = ?,
                            failure = null,
                            updated_at = now()
        where id = ?""").params(Timestamp.from(now), recipients, domain.get().id(), message, templateSource, c.id()).update();
    jdbc.sql("insert into campaign_send (id, organization_id) values (?, ?)").params(c.id(), c.organizationId()).update();
    events.publishEvent(new CampaignEvents.CampaignStarted(c.organizationId(), c.id(), c.name(), recipients, now));
    // bench/campaign-audience.sh reads this line's figures
    log.info("Campaign {} of organization {} started: {} recipients fixed in the ledger in {} ms", c.id(), c.organizationId(), recipients,
        fixed.toMillis());
    return new Taken(c.organizationId(), c.id(), true);
  }

  private void backToDraft(Campaign c, String failure) {
    jdbc.sql("update campaign set state = 'draft', failure = ?, updated_at = now() where id = ?").params(failure, c.id()).update();
    log.warn("Campaign {} of organization {}: {}", c.id(), c.organizationId(), failure);
  }
}
