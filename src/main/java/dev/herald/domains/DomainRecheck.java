package dev.herald.domains;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import java.time.Duration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Checks every domain again each {@code herald.sending.check-interval}, on worker nodes. A node claims due domains by
 * moving their next check forward in one short transaction ({@code FOR UPDATE SKIP LOCKED}, so nodes never claim the
 * same one), then looks them up outside it. No fenced lease: a check that a dying node leaves undone is simply done at
 * the next interval, and a check done twice writes the same facts, so there is nothing a stale node could corrupt.
 */
@Component
class DomainRecheck implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(DomainRecheck.class);
  private static final int BATCH = 20;
  private static final Duration POLL = Duration.ofMinutes(1);

  private final SendingDomains domains;
  private final NodeRoles roles;
  private final Duration interval;
  private final TransactionTemplate transaction;

  DomainRecheck(SendingDomains domains, NodeRoles roles, HeraldProperties properties, PlatformTransactionManager transactions) {
    this.domains = domains;
    this.roles = roles;
    this.interval = properties.sending().checkInterval();
    this.transaction = new TransactionTemplate(transactions);
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::work, interval.compareTo(POLL) < 0 ? interval : POLL);
  }

  /** Checks the due domains, a batch at a time; returns how many it checked. */
  int work() {
    if (!roles.has(NodeRole.worker)) return 0;
    int checked = 0;
    List<Long> due;
    do {
      due = transaction.execute(status -> domains.claimDue(BATCH, interval));
      for (long id : due) {
        try {
          domains.checkAndStore(id);
          checked++;
        } catch (RuntimeException e) {
          log.warn("Checking the DNS records of sending domain {} failed; it is checked again in {}", id, interval, e);
        }
      }
    } while (due.size() == BATCH);
    return checked;
  }
}
