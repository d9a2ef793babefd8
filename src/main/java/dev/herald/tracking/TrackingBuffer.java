package dev.herald.tracking;

import dev.herald.platform.HeraldProperties;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;

/**
 * The opens and clicks answered but not yet stored: at most {@code herald.tracking.buffer} of them, so a slow or lost
 * database costs a bounded amount of memory and the endpoints answer 503 once it is full (DESIGN.md reliability rule 7).
 */
@Component
class TrackingBuffer {
  private final BlockingQueue<Hit> hits;

  TrackingBuffer(HeraldProperties properties) {
    this.hits = new ArrayBlockingQueue<>(properties.tracking().buffer());
  }

  /** False when the buffer is full: the caller answers 503. */
  boolean offer(Hit hit) {
    return hits.offer(hit);
  }

  /**
   * Waits up to {@code waitMillis} for a first hit, then gathers more into {@code into} for up to {@code waitMillis} after
   * it, until it has {@code max}; answers how many it took (README: "how long the writer waits for more before storing
   * what it has"). Taking only what had come by the first one made batches of 82 events on average in bench/tracking.sh
   * on a loaded machine, each with its eight statements and a commit. It sleeps in short slices rather than waiting on
   * the queue, so the requests' offers do not each wake it.
   */
  int take(List<Hit> into, int max, long waitMillis) throws InterruptedException {
    Hit first = hits.poll(waitMillis, TimeUnit.MILLISECONDS);
    if (first == null) return 0;
    into.add(first);
    int taken = 1 + hits.drainTo(into, max - 1);
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(waitMillis);
    while (taken < max) {
      long left = deadline - System.nanoTime();
      if (left <= 0) break;
      try {
        Thread.sleep(Math.min(GATHER_SLICE_MILLIS, TimeUnit.NANOSECONDS.toMillis(left) + 1));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt(); // what was taken is the caller's to store
        break;
      }
      taken += hits.drainTo(into, max - taken);
    }
    return taken;
  }

  static final long GATHER_SLICE_MILLIS = 5;

  int size() {
    return hits.size();
  }
}
