package dev.herald.delivery;

import java.time.Duration;

/**
 * How long a destination is suspended after it says it is throttling Herald: {@code first} at the
 * first signal, doubling with each signal after a suspension ended, up to {@code max}; a delivery
 * the destination accepts starts the count again.
 */
record Backoff(Duration first, Duration max) {
  Backoff {
    if (first.isNegative() || first.isZero()) throw new IllegalArgumentException("first backoff must be positive: " + first);
    if (max.compareTo(first) < 0) throw new IllegalArgumentException("max backoff must be at least the first: " + max);
  }

  /** The suspension after the {@code strikes}-th signal in a row (1 for the first). */
  Duration suspension(int strikes) {
    Duration d = first;
    for (int i = 1; i < strikes && d.compareTo(max) < 0; i++) d = d.multipliedBy(2);
    return d.compareTo(max) > 0 ? max : d;
  }
}
