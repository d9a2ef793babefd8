package dev.herald.delivery;

import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Every minute on delivery nodes: erases the addresses of finished {@link BulkSends#sendOnce} messages (forwards to a
 * friend), so an address is kept at most a minute past its recipient's final state, and empties the stored messages
 * whose erased recipient's fellow recipients were still waiting ({@link DeliveryPersonalData#emptyErasedContents}). Nodes share the work through
 * {@code skip locked}; a node that dies mid-sweep rolls back and the next sweep does it.
 */
@Component
class FinishedAddresses implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(FinishedAddresses.class);
  static final Duration EVERY = Duration.ofMinutes(1);
  private static final int BATCH = 500;

  private final BulkSends sends;
  private final DeliveryPersonalData personalData;
  private final NodeRoles roles;

  FinishedAddresses(BulkSends sends, DeliveryPersonalData personalData, NodeRoles roles) {
    this.sends = sends;
    this.personalData = personalData;
    this.roles = roles;
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::sweep, EVERY);
  }

  void sweep() {
    if (!roles.has(NodeRole.delivery)) return;
    try {
      // bounded: a backlog (a node down for a while) is swept a batch at a time, each its own transaction
      for (int i = 0; i < 20 && sends.eraseFinishedAddresses(BATCH) == BATCH; i++) {
        // the next batch
      }
      for (int i = 0; i < 20 && personalData.emptyErasedContents(BATCH) == BATCH; i++) {
        // the next batch
      }
    } catch (RuntimeException e) {
      log.warn("Erasing finished forwards' addresses failed; the next sweep tries again", e);
    }
  }
}
