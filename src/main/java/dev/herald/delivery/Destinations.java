package dev.herald.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The traffic shaper: hands out permits to open connections and send messages to each {@link Site}
 * within its {@link Shaping}, and suspends a site that says it is throttling Herald. One instance
 * per node, shared by every delivery thread; the state is in memory, so limits hold per node.
 *
 * <p>A delivery thread asks {@link #open} before connecting, then {@link Connection#next} before each
 * message, and closes the permit with the connection. It reports each reply's class with {@link
 * #report}. Nothing here blocks: a refusal says until when, and the caller schedules itself.
 */
final class Destinations {
  private final Clock clock;
  private final Backoff backoff;
  private final Map<String, State> sites = new ConcurrentHashMap<>();

  Destinations(Clock clock, Backoff backoff) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.backoff = Objects.requireNonNull(backoff, "backoff");
  }

  /**
   * A permit for one more connection to the site, or empty when its connections are all in use or
   * it is suspended ({@link #suspendedUntil} says until when).
   */
  Optional<Connection> open(Site site) {
    State s = state(site);
    Instant now = clock.instant();
    synchronized (s) {
      if (s.suspended(now) || s.open >= site.shaping().connectionLimit()) return Optional.empty();
      s.open++;
    }
    return Optional.of(new Connection(site, s));
  }

  /** The end of the site's suspension, or empty when it is not suspended. */
  Optional<Instant> suspendedUntil(Site site) {
    State s = state(site);
    synchronized (s) {
      return s.suspended(clock.instant()) ? Optional.of(s.suspendedUntil) : Optional.empty();
    }
  }

  /**
   * How many messages the site's rate lets go now, or, when none, from when the next one may: what a lane claims at
   * most (a claim beyond it would be given back unsent). Counts nothing; {@link Connection#next} still takes each one.
   *
   * @param count whole messages the rate allows now, 0 while the site is suspended
   * @param next when the next message may go (now when count is above 0)
   */
  record Allowance(int count, Instant next) {}

  Allowance allowance(Site site) {
    State s = state(site);
    Instant now = clock.instant();
    synchronized (s) {
      if (s.suspended(now)) return new Allowance(0, s.suspendedUntil);
      return s.bucket.allowance(now);
    }
  }

  /** Connections open to the site now (through permits not yet closed). */
  int openConnections(Site site) {
    State s = state(site);
    synchronized (s) {
      return s.open;
    }
  }

  /**
   * What a reply from the site says about it. A throttling signal suspends the site, longer with
   * each signal in a row; signals that arrive while it is suspended come from deliveries already
   * under way and count once, or five connections refused at the same moment would multiply the
   * backoff by 16. A delivery accepted starts the count again.
   */
  void report(Site site, ReplyClass reply) {
    State s = state(site);
    Instant now = clock.instant();
    synchronized (s) {
      switch (reply) {
        case OK -> s.strikes = 0;
        case DESTINATION_THROTTLED -> {
          if (!s.suspended(now)) {
            s.strikes++;
            s.suspendedUntil = now.plus(backoff.suspension(s.strikes));
          }
        }
        case MESSAGE_TEMPORARY, PERMANENT -> { } // about one message, not the destination
      }
    }
  }

  private State state(Site site) {
    return sites.computeIfAbsent(site.name(), n -> new State(site.shaping().messageRate(), clock.instant()));
  }

  /** What {@link Connection#next} allows. */
  sealed interface Grant {
    /** Send one message now; it has been counted. */
    record Send() implements Grant {}

    /** The site's rate allows the next message at this time; keep the connection or close it. */
    record WaitUntil(Instant at) implements Grant {}

    /** The connection carried its share of messages: close it (a new one may open at once). */
    record UsedUp() implements Grant {}

    /** The site is suspended until this time: close the connection. */
    record Suspended(Instant until) implements Grant {}
  }

  /** A permit for one open connection; close it when the connection closes. */
  final class Connection implements AutoCloseable {
    private final Site site;
    private final State state;
    private int delivered;
    private boolean closed;

    private Connection(Site site, State state) {
      this.site = site;
      this.state = state;
    }

    /** Whether this connection may carry one more message now; {@link Grant.Send} counts it. */
    Grant next() {
      if (closed) throw new IllegalStateException("the connection permit is closed");
      Instant now = clock.instant();
      synchronized (state) {
        if (state.suspended(now)) return new Grant.Suspended(state.suspendedUntil);
        if (delivered >= site.shaping().deliveriesPerConnection()) return new Grant.UsedUp();
        Instant at = state.bucket.take(now);
        if (at != null) return new Grant.WaitUntil(at);
      }
      delivered++;
      return new Grant.Send();
    }

    /** Messages this connection has been allowed to send. */
    int delivered() {
      return delivered;
    }

    @Override
    public void close() {
      if (closed) return;
      closed = true;
      synchronized (state) {
        state.open--;
      }
    }
  }

  /** One site's counters, guarded by its own monitor. */
  private static final class State {
    final TokenBucket bucket;
    int open;
    int strikes;
    Instant suspendedUntil;

    State(Rate rate, Instant now) {
      this.bucket = new TokenBucket(rate, now);
    }

    boolean suspended(Instant now) {
      return suspendedUntil != null && now.isBefore(suspendedUntil);
    }
  }

  /**
   * The message rate as a token bucket: it holds up to one period's messages (a burst of
   * {@code count}, as KumoMTA's throttles allow) and refills steadily at {@code count} per period.
   */
  static final class TokenBucket {
    private final Rate rate;
    private double tokens;
    private Instant filledAt;

    TokenBucket(Rate rate, Instant now) {
      this.rate = rate;
      this.tokens = rate.count();
      this.filledAt = now;
    }

    /** Takes a token and answers {@code null}, or answers when the next token will be there. */
    Instant take(Instant now) {
      refill(now);
      if (tokens >= 1) {
        tokens -= 1;
        return null;
      }
      return now.plusNanos((long) Math.ceil((1 - tokens) * rate.nanosPerMessage()));
    }

    /** The whole tokens there now, taking none, or when the next will be there. */
    Allowance allowance(Instant now) {
      refill(now);
      int whole = (int) Math.min(Integer.MAX_VALUE, (long) Math.floor(tokens));
      return whole > 0 ? new Allowance(whole, now) : new Allowance(0, now.plusNanos((long) Math.ceil((1 - tokens) * rate.nanosPerMessage())));
    }

    private void refill(Instant now) {
      if (now.isAfter(filledAt)) {
        double elapsed = Duration.between(filledAt, now).toNanos();
        tokens = Math.min(rate.count(), tokens + elapsed / rate.nanosPerMessage());
        filledAt = now;
      }
    }
  }
}
