package dev.herald.delivery;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;
import org.springframework.stereotype.Component;

/**
 * The queue in Prometheus ({@code /actuator/prometheus}):
 * <ul>
 *   <li>{@code herald_queue_recipients{state}}: recipients queued, sending and deferred, and
 *       {@code herald_queue_destinations}: domains with any; read from {@link QueueView#totals}, counted at most every
 *       few seconds however often Prometheus scrapes (the gauges share one count with the queue page);</li>
 *   <li>{@code herald_deliveries_total{result}}: recipients' delivery results (delivered, deferred, bounced, expired),
 *       counted by this node as its worker writes them ({@code DeliveryQueue.record} calls {@link #recorded});</li>
 *   <li>{@code herald_delivery_latency_seconds}: from acceptance into the queue to delivered, as a histogram.</li>
 * </ul>
 */
@Component
class QueueMetrics {
  /** The results the worker writes after an attempt; each has its counter from the start, at zero. */
  static final List<RecipientState> RESULTS =
      List.of(RecipientState.DELIVERED, RecipientState.DEFERRED, RecipientState.BOUNCED, RecipientState.EXPIRED);

  private final Map<RecipientState, Counter> deliveries = new EnumMap<>(RecipientState.class);
  private final Timer latency;
  private final Clock clock;

  QueueMetrics(MeterRegistry registry, Clock clock) {
    this.clock = clock;
    for (RecipientState result : RESULTS) {
      deliveries.put(result, Counter.builder("herald.deliveries").tag("result", result.text())
          .description("Delivery results of recipients, by this node").register(registry));
    }
    latency = Timer.builder("herald.delivery.latency")
        .description("From acceptance into the queue to the receiving server's acceptance")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofDays(5))
        .register(registry);
  }

  /** The gauges, read from {@link QueueView#totals} (a count at most every few seconds, whoever scrapes). */
  @Component
  static class Gauges {
    Gauges(MeterRegistry registry, QueueView view) {
      gauge(registry, view, "queued", QueueView.Totals::queued);
      gauge(registry, view, "sending", QueueView.Totals::sending);
      gauge(registry, view, "deferred", QueueView.Totals::deferred);
      gauge(registry, view, "held", QueueView.Totals::held);
      Gauge.builder("herald.queue.destinations", view, v -> v.totals().destinations())
          .description("Recipient domains with recipients waiting, held or being sent").register(registry);
    }

    private static void gauge(MeterRegistry registry, QueueView view, String state, ToDoubleFunction<QueueView.Totals> count) {
      Gauge.builder("herald.queue.recipients", view, v -> count.applyAsDouble(v.totals())).tag("state", state)
          .description("Recipients in the queue by state").register(registry);
    }
  }

  /**
   * A recipient's attempt ended in {@code result}; {@code acceptedAt} is when its message entered the queue (the
   * latency is measured for a delivery). Results that are no delivery attempt (failed, deleted) are not counted.
   */
  void recorded(RecipientState result, Instant acceptedAt) {
    Counter counter = deliveries.get(result);
    if (counter == null) return;
    counter.increment();
    if (result == RecipientState.DELIVERED && acceptedAt != null) {
      Duration d = Duration.between(acceptedAt, clock.instant());
      latency.record(d.isNegative() ? Duration.ZERO : d); // clocks of two nodes may differ a little
    }
  }
}
