package dev.herald.privacy;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.LeasedJobs;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import jakarta.annotation.PreDestroy;
import java.time.Duration;
import java.util.List;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Starts a retention run every {@code herald.retention.interval}, on worker nodes: each node looks at least once a
 * minute whether a run is due (queueing one if so) and claims a queued run, which it runs on a thread of its own
 * ({@link LeasedJobs}, one at a time), so the scheduler's thread is never held by a long purge.
 */
@Component
class RetentionJob implements SchedulingConfigurer {
  private static final Duration POLL = Duration.ofMinutes(1);
  static final Duration FIRST_LOOK_AT_MOST = Duration.ofHours(1);
  private final RetentionEngine engine;
  private final NodeRoles roles;
  private final Duration interval;
  private final Duration shutdownTimeout;
  private final LeasedJobs jobs;

  RetentionJob(RetentionEngine engine, NodeRoles roles, HeraldProperties properties) {
    this.engine = engine;
    this.roles = roles;
    this.interval = properties.retention().interval();
    this.shutdownTimeout = properties.shutdownTimeout();
    this.jobs = new LeasedJobs(engine.leases(), 1, "retention-", lease -> engine.run(engine.leases(), lease, this::stopping));
  }

  private boolean stopping() {
    return jobs.stopping();
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    // The first look waits an interval (at most FIRST_LOOK_AT_MOST): a node starting is not at once busy purging, and a
    // test's application context (which lives minutes, often with its clock moved weeks ahead) never sees a run purge
    // the data it is checking. Retention is not urgent; a node restarted more often than that still purges.
    Duration poll = interval.compareTo(POLL) < 0 ? interval : POLL;
    Duration firstLook = interval.compareTo(FIRST_LOOK_AT_MOST) < 0 ? interval : FIRST_LOOK_AT_MOST;
    registrar.addFixedDelayTask(new org.springframework.scheduling.config.FixedDelayTask(this::work, poll, firstLook));
  }

  /** Queues a run if one is due and claims a queued one; answers how many runs it started (0 or 1). */
  int work() {
    if (!roles.has(NodeRole.worker) || jobs.stopping()) return 0;
    engine.queueIfDue(interval);
    return jobs.claim(List.of());
  }

  /** A run still going at shutdown sees {@link #stopping} before its next batch and gives itself back. */
  @PreDestroy
  void stop() throws InterruptedException {
    jobs.stopClaiming();
    jobs.awaitRunning(shutdownTimeout);
  }
}
