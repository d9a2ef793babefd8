package dev.herald.delivery;

import dev.herald.platform.HeraldProperties;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * When a deferred message is tried again (RFC 5321 §4.5.4.1): the first retry after {@code first},
 * each interval twice the one before up to {@code maxInterval} (5, 10, 20, 40, 80 minutes, then every
 * 2 hours by default), each spread by up to {@code jitter} either way so the messages of one batch do
 * not come back at the same second, until the message is {@code giveUp} old; then it expires. The
 * RFC asks for intervals of at least 30 minutes in general but allows shorter ones when the client
 * knows more, and the issue wants the first retry within minutes: most deferrals (greylisting, a
 * busy server) clear in that time. Its give-up of "at least 4-5 days" is the 5-day default.
 *
 * @param jitter the largest share of an interval added or taken away, from 0 to 0.5
 */
record RetrySchedule(Duration first, Duration maxInterval, Duration giveUp, double jitter, DoubleSupplier random) {

  RetrySchedule {
    if (first.isNegative() || first.isZero()) throw new IllegalArgumentException("first retry must be positive: " + first);
    if (maxInterval.compareTo(first) < 0) throw new IllegalArgumentException("max interval must be at least the first: " + maxInterval);
    if (giveUp.compareTo(first) <= 0) throw new IllegalArgumentException("give-up age must be longer than the first retry: " + giveUp);
    if (!(jitter >= 0 && jitter <= 0.5)) throw new IllegalArgumentException("jitter must be from 0 to 0.5: " + jitter);
    Objects.requireNonNull(random, "random");
  }

  RetrySchedule(Duration first, Duration maxInterval, Duration giveUp, double jitter) {
    this(first, maxInterval, giveUp, jitter, () -> ThreadLocalRandom.current().nextDouble());
  }

  /** The schedule of {@code herald.delivery.retry.*}. */
  static RetrySchedule from(HeraldProperties.Delivery.Retry settings) {
    return new RetrySchedule(settings.first(), settings.maxInterval(), settings.giveUp(), settings.jitterPercent() / 100.0);
  }

  /** What becomes of a message after an attempt that failed. */
  sealed interface Next {
    /** Try again at this time. */
    record RetryAt(Instant at) implements Next {}

    /** Too old to try again: report it as expired (it never went). */
    record Expired() implements Next {}

    /** The destination refused it for good (5xx): report it as bounced with the reply. */
    record Bounced() implements Next {}
  }

  /**
   * The next attempt of a message first queued at {@code firstQueuedAt} whose {@code attempts}-th
   * attempt (1 for the first) failed temporarily at {@code now}. An attempt that would fall past the
   * give-up age is moved to that moment, so every message gets a last try at its age limit; one that
   * fails then has expired.
   */
  Next next(Instant firstQueuedAt, int attempts, Instant now) {
    if (attempts < 1) throw new IllegalArgumentException("attempts counts the failed attempt: " + attempts);
    Instant deadline = firstQueuedAt.plus(giveUp);
    if (!now.isBefore(deadline)) return new Next.Expired();
    Duration interval = interval(attempts);
    long spread = (long) (interval.toMillis() * jitter * (2 * random.getAsDouble() - 1));
    Instant at = now.plus(interval).plusMillis(spread);
    return new Next.RetryAt(at.isAfter(deadline) ? deadline : at);
  }

  /** After a failed attempt of the given class: a 5xx bounces at once, anything else follows {@link #next}. */
  Next after(ReplyClass failure, Instant firstQueuedAt, int attempts, Instant now) {
    return switch (failure) {
      case PERMANENT -> new Next.Bounced();
      case MESSAGE_TEMPORARY, DESTINATION_THROTTLED -> next(firstQueuedAt, attempts, now);
      case OK -> throw new IllegalArgumentException("a delivered message has no next attempt");
    };
  }

  /** The interval after the {@code attempts}-th failed attempt, before jitter. */
  Duration interval(int attempts) {
    Duration d = first;
    for (int i = 1; i < attempts && d.compareTo(maxInterval) < 0; i++) d = d.multipliedBy(2);
    return d.compareTo(maxInterval) > 0 ? maxInterval : d;
  }
}
