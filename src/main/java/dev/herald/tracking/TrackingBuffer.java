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

  /** Waits up to {@code wait} for a first hit, then takes up to {@code max} in all into {@code into}. */
  int take(List<Hit> into, int max, long waitMillis) throws InterruptedException {
    Hit first = hits.poll(waitMillis, TimeUnit.MILLISECONDS);
    if (first == null) return 0;
    into.add(first);
    return 1 + hits.drainTo(into, max - 1);
  }

  int size() {
    return hits.size();
  }
}
