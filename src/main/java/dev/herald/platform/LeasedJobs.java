package dev.herald.platform;

import java.time.Duration;
import java.util.Collection;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A node's runner of jobs claimed with {@link Leases}: up to {@code concurrency} jobs at once, each on a thread of its
 * own, the way every capability with a job table runs them (imports, campaign hand-offs). {@link #claim} takes jobs
 * while a slot is free and hands each lease to the capability's {@code run}; the lease's fencing stays the
 * capability's business (its writes name the lease), this only keeps count of what runs here.
 *
 * <pre>{@code
 * LeasedJobs jobs = new LeasedJobs(leases, 2, "import-", this::run);
 * jobs.claim(organizations.suspendedIds());   // on every poll of a worker node
 * jobs.stopClaiming(); jobs.awaitRunning(timeout);   // at shutdown
 * }</pre>
 * A lease claimed just as the node stops is released at once, so another node takes the job without waiting for its
 * lease to run out.
 */
public final class LeasedJobs {
  private final Leases leases;
  private final Consumer<Leases.Lease> run;
  private final Semaphore slots;
  private final ExecutorService runners;
  private final Set<Leases.Lease> running = ConcurrentHashMap.newKeySet();
  private volatile boolean stopping;

  /**
   * @param threadPrefix the name of the job threads, numbered from 1 ({@code import-1}, ...)
   * @param run what a job does with its lease, on its own thread; it returns when the job is done, failed or lost
   */
  public LeasedJobs(Leases leases, int concurrency, String threadPrefix, Consumer<Leases.Lease> run) {
    this.leases = leases;
    this.run = run;
    this.slots = new Semaphore(concurrency);
    this.runners = Executors.newFixedThreadPool(concurrency, Thread.ofPlatform().name(threadPrefix, 1).daemon().factory());
  }

  /**
   * Claims jobs while a slot is free and there is one to claim (the jobs of {@code heldOwners} stay queued), and starts
   * each; answers how many it started. Nothing once {@link #stopClaiming} was called.
   */
  public int claim(Collection<Long> heldOwners) {
    int started = 0;
    while (!stopping && slots.tryAcquire()) {
      Optional<Leases.Lease> lease;
      try {
        lease = leases.claim(heldOwners);
      } catch (RuntimeException e) {
        slots.release();
        throw e;
      }
      if (lease.isEmpty()) {
        slots.release();
        return started;
      }
      running.add(lease.get());
      try {
        runners.execute(() -> {
          try {
            run.accept(lease.get());
          } finally {
            running.remove(lease.get());
            slots.release();
          }
        });
        started++;
      } catch (RejectedExecutionException stopped) {
        // Claimed as the node began to stop: given back at once.
        running.remove(lease.get());
        slots.release();
        leases.release(lease.get());
      }
    }
    return started;
  }

  /** The leases of the jobs running on this node now. */
  public Set<Leases.Lease> running() {
    return Set.copyOf(running);
  }

  /** Whether the node is stopping: a job's loop stops at its next step, and nothing more is claimed. */
  public boolean stopping() {
    return stopping;
  }

  /** Claims nothing more; the jobs running go on until they end (they see {@link #stopping}). */
  public void stopClaiming() {
    stopping = true;
    runners.shutdown();
  }

  /** Waits up to {@code timeout} for the running jobs to end; false when some still run. */
  public boolean awaitRunning(Duration timeout) throws InterruptedException {
    return runners.awaitTermination(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
