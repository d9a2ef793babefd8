package dev.herald.delivery;

import dev.herald.messages.ReturnPath;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.tenancy.Organizations;
import jakarta.annotation.PreDestroy;
import java.time.Clock;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * The queue's worker on nodes with the {@code delivery} role. Every {@code herald.delivery.worker.poll} it looks for
 * domains with due work and starts a {@link DeliveryLane} for each that has fewer lanes than its work and its
 * destination's connection limit call for (and no more lanes per site, over all its domains, than that limit), up to
 * {@code herald.delivery.worker.concurrency} lanes in all. A lane
 * claims batches of its domain's due recipients and delivers them over one SMTP session reused across messages, so
 * a domain with much work gets several sessions in parallel and a thousand domains with a little each share the
 * lanes.
 *
 * <p>Lanes run on platform threads, not virtual ones: each lane spends its time in blocking SMTP I/O on one
 * socket, which platform threads handle as well, and the SMTP client measured half the CPU per message on platform
 * threads against smtp-sink under load (docs/status.md, {@code SmtpClientThroughput}); with lanes bounded by the
 * concurrency setting there are never so many that their stacks matter.
 *
 * <p>Suspended organizations: their ids are read once per poll (one small query), claims leave their recipients
 * where they are, and lanes check the same set before each transaction, so a suspension stops their mail within a
 * poll and a resumption lets it go on.
 */
final class DeliveryWorker implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(DeliveryWorker.class);
  /** Domains looked at per poll; more wait for the next poll (those waiting longest come first). */
  static final int DOMAINS_PER_POLL = 500;

  private final DeliveryQueue queue;
  private final NodeRoles roles;
  private final Organizations organizations;
  private final HeraldProperties properties;
  private final LaneParts parts;
  private final int batchSize;
  private final int dueCountCap;
  private final Semaphore slots;
  private final ExecutorService lanes;
  private final Map<String, Integer> lanesPerDomain = new ConcurrentHashMap<>();
  /**
   * Lanes running per site, of the domains whose site was known when their lane started. A site gets no more lanes
   * than its connection limit over all its domains: the lanes beyond it would claim batches only to give them back
   * (no connection to spare), and lanes within it hand their sessions to each other through the {@link SessionCache}.
   */
  private final Map<String, Integer> lanesPerSite = new ConcurrentHashMap<>();
  private volatile Set<Long> held = Set.of();
  private final List<SendingHolds> holds;
  private volatile boolean stopping;
  /** Domains the last look found that have not all their lanes yet; guarded by this. */
  private final Deque<DeliveryQueue.DueDomain> candidates = new ArrayDeque<>();
  private long lastLook;
  /** How often the queue is looked at while candidates remain. */
  static final long REFRESH_NANOS = 1_000_000_000L;

  /**
   * What every lane shares: the node's queue statements, sources, signers, routing and shaping, the site each
   * domain was last routed to (so a lane whose destination is busy or paused does not claim work it cannot send), and
   * the sessions lanes left open for each other.
   */
  record LaneParts(DeliveryQueue queue, Map<MessageSourceKind, MessageSource> sources, Signers signers, ReturnPath returnPath,
      Routing routing, DeliveryAttempt attempt, SandboxMailbox sandbox, Destinations destinations, ShapingRules shaping,
      RetrySchedule retry, Clock clock, Map<String, Site> sites, SessionCache sessions) {

    /** The same parts over another node's queue statements (tests: a second node). */
    LaneParts withQueue(DeliveryQueue other) {
      return new LaneParts(other, sources, signers, returnPath, routing, attempt, sandbox, destinations, shaping, retry, clock, sites,
          sessions);
    }

    static Map<MessageSourceKind, MessageSource> byKind(List<MessageSource> sources) {
      return sources.stream().collect(Collectors.toUnmodifiableMap(MessageSource::kind, Function.identity()));
    }
  }

  DeliveryWorker(LaneParts parts, NodeRoles roles, Organizations organizations, HeraldProperties properties) {
    this(parts, roles, organizations, properties, List.of());
  }

  DeliveryWorker(LaneParts parts, NodeRoles roles, Organizations organizations, HeraldProperties properties, List<SendingHolds> holds) {
    this.holds = holds;
    this.parts = parts;
    this.queue = parts.queue();
    this.roles = roles;
    this.organizations = organizations;
    this.properties = properties;
    HeraldProperties.Delivery.Worker settings = properties.delivery().worker();
    this.batchSize = settings.batchSize();
    // A domain never gets more lanes than its site's connections (nor than the worker has): due rows beyond that many
    // batches start no more lanes, so they are not counted.
    this.dueCountCap = batchSize * Math.min(settings.concurrency(), parts.shaping().largestConnectionLimit());
    this.slots = new Semaphore(settings.concurrency());
    this.lanes = Executors.newFixedThreadPool(settings.concurrency(), Thread.ofPlatform().name("delivery-", 1).daemon().factory());
  }

  /** Scheduled here rather than by {@code @Scheduled}, so the poll interval comes from the validated settings. */
  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::poll, properties.delivery().worker().poll());
  }

  /** Lanes still running get the shutdown timeout: each gives its unsent recipients back before its next transaction. */
  @PreDestroy
  void stop() throws InterruptedException {
    stopping = true;
    lanes.shutdown();
    if (!lanes.awaitTermination(properties.shutdownTimeout().toMillis(), TimeUnit.MILLISECONDS)) {
      log.warn("Delivery lanes still running at shutdown: their recipients are taken over when their leases run out");
    }
    parts.sessions().closeAll();
  }

  /**
   * One look for due work; lanes are started for it. The domains found stay candidates: when a lane finishes, the
   * next candidate gets its slot at once rather than at the next poll (a thousand small domains would otherwise leave
   * slots idle between polls). While candidates remain (their destinations busy, or no slot free), the queue is looked
   * at again at most once a second.
   */
  void poll() {
    if (!roles.has(NodeRole.delivery) || stopping) return;
    parts.sessions().closeIdle();
    try {
      Set<Long> holding = new java.util.HashSet<>(organizations.suspendedIds());
      for (SendingHolds h : holds) holding.addAll(h.heldOrganizations());
      held = Set.copyOf(holding);
      if (slots.availablePermits() == 0) return;
      synchronized (this) {
        long now = System.nanoTime();
        if (!candidates.isEmpty() && now - lastLook < REFRESH_NANOS) {
          startLanes();
          return;
        }
        lastLook = now;
      }
      List<DeliveryQueue.DueDomain> due = queue.dueDomains(held, DOMAINS_PER_POLL, dueCountCap);
      synchronized (this) {
        candidates.clear();
        candidates.addAll(due);
        startLanes();
      }
    } catch (RuntimeException e) {
      log.warn("Looking for due deliveries failed; trying again at the next poll", e);
    }
  }

  /**
   * Starts lanes for the candidates, in order, while slots are free; a candidate leaves once it has its lanes. A
   * candidate whose site has all its lanes stays, for the slot the next lane of that site frees.
   */
  private synchronized void startLanes() {
    for (Iterator<DeliveryQueue.DueDomain> i = candidates.iterator(); i.hasNext(); ) {
      DeliveryQueue.DueDomain due = i.next();
      Site site = parts.sites().get(due.domain());
      if (site != null && !DeliveryLane.mayConnect(parts, site)) continue; // its destination is busy or paused
      int limit = site == null ? properties.delivery().shaping().connectionLimit() : site.shaping().connectionLimit();
      int wanted = (int) Math.min(limit, (due.due() + batchSize - 1) / batchSize);
      while (lanesPerDomain.getOrDefault(due.domain(), 0) < wanted) {
        if (site != null && lanesPerSite.getOrDefault(site.name(), 0) >= limit) break; // it stays a candidate
        if (!slots.tryAcquire()) return;
        start(due.domain(), site == null ? null : site.name());
      }
      if (lanesPerDomain.getOrDefault(due.domain(), 0) >= wanted) i.remove();
    }
  }

  private void start(String domain, String site) {
    lanesPerDomain.merge(domain, 1, Integer::sum);
    if (site != null) lanesPerSite.merge(site, 1, Integer::sum);
    try {
      lanes.execute(() -> {
        try {
          new DeliveryLane(parts, domain, batchSize, () -> held, () -> stopping).run();
        } catch (RuntimeException e) {
          log.error("Delivery lane for {} failed; its recipients are taken over when their leases run out", domain, e);
        } finally {
          finished(domain, site);
        }
      });
    } catch (RejectedExecutionException stoppingNow) {
      finished(domain, site);
    }
  }

  private void finished(String domain, String site) {
    lanesPerDomain.computeIfPresent(domain, (d, n) -> n > 1 ? n - 1 : null);
    if (site != null) lanesPerSite.computeIfPresent(site, (d, n) -> n > 1 ? n - 1 : null);
    slots.release();
    if (!stopping) startLanes();
  }

  /** What lanes share (tests run a lane themselves). */
  LaneParts parts() {
    return parts;
  }
}
