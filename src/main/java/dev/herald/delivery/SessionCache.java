package dev.herald.delivery;

import dev.herald.delivery.DeliveryAttempt.Session;
import dev.herald.delivery.Route.Servers;
import dev.herald.delivery.smtp.Egress;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Open SMTP sessions that a lane is done with, kept a moment for another lane whose recipient domain routes to the
 * same servers from the same egress: Postfix's connection cache (keyed by next hop), KumoMTA's ready queue per site.
 * Thousands of domains hosted by one provider (or, in the benchmark, a thousand domains routed to one smtp-sink) then
 * share a few sessions instead of connecting and saying EHLO once per domain.
 *
 * <p>Why a cache of idle sessions rather than lanes that claim per site: lanes stay per domain, so the claim and its
 * SQL, the operator's per-domain pauses, the worker's lanes per domain and the per-batch renewal stay as they are. A
 * session moves between lanes whole, with its {@link Destinations.Connection} permit, so the site's connection limit
 * and its messages per connection count across domains exactly as they count within one, and a throttling reply
 * suspends the site for every lane as before (a session that answered 421 has ended and is never parked).
 *
 * <p>The key is the route's whole server list (host names, addresses, ports, TLS policy, credentials, delivery
 * server) and the egress (source address and EHLO name). Two domains whose routes give the same list connect the
 * same way, to the same first server, with the same certificate check, so the session one opened is the one the other
 * would have opened; domains whose lists differ at all (another backup MX, a stricter MTA-STS policy) do not share.
 *
 * <p>A parked session keeps its permit: it is an open connection and still counts against its site's limit. A lane
 * that needs a new connection to a site whose connections are all open closes a parked one ({@link #evict}) rather
 * than wait for it. Sessions are parked at most {@link #IDLE} (Postfix's {@code smtp_connection_cache_time_limit})
 * and not past {@link #MAX_AGE} since they opened ({@code smtp_connection_reuse_time_limit}). A server keeps an idle
 * session for minutes (RFC 5321 §4.5.3.2.7: at least 5), so a parked session is alive when taken; a lane already
 * keeps its session idle across its claims for as long.
 */
final class SessionCache {
  /** How long a session waits here for another lane. */
  static final Duration IDLE = Duration.ofSeconds(2);
  /** No session is parked once it has been open this long: it closes, and the next lane opens a fresh one. */
  static final Duration MAX_AGE = Duration.ofMinutes(5);

  /** What a session was opened for: sessions are shared only between lanes that would open the same. */
  record Key(Servers servers, Egress egress) {
    Key {
      Objects.requireNonNull(servers, "servers");
      Objects.requireNonNull(egress, "egress");
    }
  }

  /** A session between lanes, with the permit of its site it holds and when it opened. */
  record Parked(Key key, Site site, Session session, Destinations.Connection permit, Instant openedAt, Instant idleSince) {}

  private final Clock clock;
  private final int capacity;
  /** Oldest parked first; guarded by this. Closing happens outside the lock (QUIT waits for the server). */
  private final ArrayDeque<Parked> idle = new ArrayDeque<>();
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong reused = new AtomicLong();

  /** @param capacity the most sessions parked at once (the worker's lanes): past it the longest idle closes */
  SessionCache(Clock clock, int capacity) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (capacity < 1) throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
    this.capacity = capacity;
  }

  /** The session parked last for the key (the one idle the shortest), taken out of the cache; empty when none is. */
  Optional<Parked> take(Key key) {
    List<Parked> expired;
    Parked found = null;
    synchronized (this) {
      expired = expire(clock.instant());
      for (Iterator<Parked> i = idle.descendingIterator(); i.hasNext(); ) {
        Parked p = i.next();
        if (p.key().equals(key)) {
          i.remove();
          found = p;
          break;
        }
      }
    }
    close(expired);
    if (found != null) reused.incrementAndGet();
    return Optional.ofNullable(found);
  }

  /**
   * Keeps the session for another lane, or closes it (with its permit) when it cannot carry another message or has
   * been open {@link #MAX_AGE}. The caller no longer uses it either way.
   */
  void park(Key key, Site site, Session session, Destinations.Connection permit, Instant openedAt) {
    Instant now = clock.instant();
    if (!session.connection().canSend() || permit.delivered() >= site.shaping().deliveriesPerConnection()
        || !now.isBefore(openedAt.plus(MAX_AGE))) {
      close(session, permit);
      return;
    }
    List<Parked> out;
    synchronized (this) {
      idle.addLast(new Parked(key, site, session, permit, openedAt, now));
      out = expire(now);
      while (idle.size() > capacity) out.add(idle.removeFirst());
    }
    close(out);
  }

  /** Whether a session to the site is parked: a lane for it may start although the site's connections are all open. */
  synchronized boolean has(Site site) {
    for (Parked p : idle) {
      if (p.site().name().equals(site.name())) return true;
    }
    return false;
  }

  /** Closes the session parked longest for the site, which frees a permit of it; false when none is parked. */
  boolean evict(Site site) {
    Parked out = null;
    synchronized (this) {
      for (Iterator<Parked> i = idle.iterator(); i.hasNext(); ) {
        Parked p = i.next();
        if (p.site().name().equals(site.name())) {
          i.remove();
          out = p;
          break;
        }
      }
    }
    if (out == null) return false;
    close(out.session(), out.permit());
    return true;
  }

  /**
   * Closes the sessions idle past {@link #IDLE} (the worker calls it every poll). On a virtual thread of its own: a
   * QUIT waits for the server's reply, and a server that does not answer must not hold up the worker's poll.
   */
  void closeIdle() {
    List<Parked> expired;
    synchronized (this) {
      expired = expire(clock.instant());
    }
    if (!expired.isEmpty()) Thread.ofVirtual().name("smtp-cache-close").start(() -> close(expired));
  }

  /** Closes every parked session (the node stops). */
  void closeAll() {
    List<Parked> all;
    synchronized (this) {
      all = new ArrayList<>(idle);
      idle.clear();
    }
    close(all);
  }

  /** A lane opened a new session (counted for tests and benchmarks, beside {@link #reused}). */
  void opened() {
    opened.incrementAndGet();
  }

  /** Sessions lanes opened since the node started. */
  long openedCount() {
    return opened.get();
  }

  /** Times a lane took a parked session instead of opening one. */
  long reusedCount() {
    return reused.get();
  }

  /** Sessions parked now. */
  synchronized int parked() {
    return idle.size();
  }

  /** Takes the expired sessions out (oldest first, so it stops at the first one still fresh). Holds the lock. */
  private List<Parked> expire(Instant now) {
    List<Parked> out = new ArrayList<>();
    while (!idle.isEmpty()) {
      Parked p = idle.peekFirst();
      // A clock moved back (tests) counts as expired too. A session is parked only below MAX_AGE, so it is never
      // handed out more than IDLE past it.
      if (!now.isBefore(p.idleSince()) && now.isBefore(p.idleSince().plus(IDLE))) break;
      out.add(idle.removeFirst());
    }
    return out;
  }

  private static void close(List<Parked> parked) {
    for (Parked p : parked) close(p.session(), p.permit());
  }

  private static void close(Session session, Destinations.Connection permit) {
    try {
      session.connection().close();
    } finally {
      permit.close();
    }
  }
}
