package dev.herald.tracking;

import dev.herald.platform.HeraldProperties;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * Stores the buffer's opens and clicks in batches on one thread, and drains it when the node stops: an event that got
 * its 200 or 302 is stored before the node goes (DESIGN.md reliability rule 6).
 *
 * <p>It stops after the web server (its phase is below the web server's), so no request can add to the buffer while it
 * drains, and before the data source closes (beans are destroyed after every lifecycle has stopped). A batch the
 * database refuses is tried again with a growing pause, holding its events; meanwhile the buffer fills and the
 * endpoints answer 503. Only a kill, a crash, or a database still down when {@code herald.shutdown-timeout} runs out
 * on stop loses what is in memory; the last is logged with the count.
 */
@Component
class TrackingWriter implements SmartLifecycle {
  /** Below the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}) and its stop ({@code DEFAULT_PHASE - 2048}). */
  static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;
  private static final Logger log = LoggerFactory.getLogger(TrackingWriter.class);

  private final TrackingBuffer buffer;
  private final TrackingStore store;
  private final int batch;
  private final long flushMillis;
  private final Duration shutdownTimeout;
  private volatile boolean running;
  private volatile long stopDeadline;
  private Thread thread;

  TrackingWriter(TrackingBuffer buffer, TrackingStore store, HeraldProperties properties) {
    this.buffer = buffer;
    this.store = store;
    this.batch = properties.tracking().batch();
    this.flushMillis = properties.tracking().flush().toMillis();
    this.shutdownTimeout = properties.shutdownTimeout();
  }

  @Override
  public synchronized void start() {
    if (running) return;
    running = true;
    thread = Thread.ofPlatform().name("tracking-writer").daemon().start(this::run);
  }

  @Override
  public void stop() {
    Thread t;
    synchronized (this) {
      if (!running) return;
      stopDeadline = System.nanoTime() + shutdownTimeout.toNanos();
      running = false;
      t = thread;
    }
    try {
      t.join(shutdownTimeout.plusSeconds(1));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (buffer.size() > 0) log.error("Stopped with {} opens and clicks not stored: the database did not take them in time", buffer.size());
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  private void run() {
    List<Hit> hits = new ArrayList<>(batch);
    while (running || buffer.size() > 0) {
      try {
        if (buffer.take(hits, batch, running ? flushMillis : 0) == 0) continue;
      } catch (InterruptedException e) {
        if (!running) break;
        continue;
      }
      if (!store(hits)) break;
      hits.clear();
    }
  }

  /** Stores one batch, trying again until it is stored; false when stopping and out of time. */
  private boolean store(List<Hit> hits) {
    long pause = 100;
    while (true) {
      try {
        store.write(hits);
        return true;
      } catch (RuntimeException e) {
        if (!running && System.nanoTime() - stopDeadline > 0) {
          log.error("Lost {} opens and clicks at shutdown: the database did not take them ({})", hits.size(), e.toString());
          return false;
        }
        log.warn("Could not store {} opens and clicks, trying again in {} ms: {}", hits.size(), pause, e.toString());
        try {
          Thread.sleep(pause);
        } catch (InterruptedException interrupted) {
          Thread.currentThread().interrupt();
          return false;
        }
        pause = Math.min(pause * 2, 5_000);
      }
    }
  }
}
