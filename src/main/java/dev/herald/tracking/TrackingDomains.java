package dev.herald.tracking;

import dev.herald.domains.SendingDomains;
import dev.herald.platform.TrackingHosts;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * The organizations' own tracking hosts ({@code track.<domain>} whose CNAME checked ok), read from domains every
 * {@link #REFRESH} and kept in memory: the origin filter asks for every request on a host that is neither the panel's
 * nor the public one, and the endpoints ask which organization a host belongs to (a token of another organization's
 * mail gets a 404 there). A domain verified a moment ago is served within {@link #REFRESH}.
 */
@Component
class TrackingDomains implements TrackingHosts {
  static final Duration REFRESH = Duration.ofSeconds(30);
  private static final Logger log = LoggerFactory.getLogger(TrackingDomains.class);

  private final SendingDomains domains;
  private final Clock clock;
  private final AtomicBoolean refreshing = new AtomicBoolean();
  private volatile Map<String, Long> hosts = Map.of();
  private volatile Instant readAt = Instant.EPOCH;

  TrackingDomains(SendingDomains domains, Clock clock) {
    this.domains = domains;
    this.clock = clock;
  }

  @Override
  public OptionalLong organizationOf(String host) {
    Map<String, Long> current = current();
    Long org = current.get(host);
    return org == null ? OptionalLong.empty() : OptionalLong.of(org);
  }

  /**
   * Whether {@link #organizationOf} answers from memory for the next second at least: the tracking listener's event
   * loop asks it first, and leaves a request that would read the hosts again to a virtual thread.
   */
  boolean fresh() {
    return Duration.between(readAt, clock.instant()).compareTo(REFRESH.minusSeconds(1)) < 0;
  }

  /** Reads the hosts again now (a test, or a domain just verified on this node). */
  void refresh() {
    hosts = Map.copyOf(domains.trackingHosts());
    readAt = clock.instant();
  }

  private Map<String, Long> current() {
    // One request refreshes; the others use the hosts read before rather than wait for the database.
    if (Duration.between(readAt, clock.instant()).compareTo(REFRESH) >= 0 && refreshing.compareAndSet(false, true)) {
      try {
        refresh();
      } catch (RuntimeException e) {
        log.warn("Could not read the organizations' tracking hosts; using those read before: {}", e.toString());
        readAt = clock.instant();
      } finally {
        refreshing.set(false);
      }
    }
    return hosts;
  }
}
