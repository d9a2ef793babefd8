package dev.herald.delivery;

import static dev.herald.delivery.ReplyClass.DESTINATION_THROTTLED;
import static dev.herald.delivery.ReplyClass.MESSAGE_TEMPORARY;
import static dev.herald.delivery.ReplyClass.OK;
import static dev.herald.delivery.ReplyClass.PERMANENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.delivery.Destinations.Connection;
import dev.herald.delivery.Destinations.Grant;
import dev.herald.testsupport.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class DestinationsTest {
  static final Instant T0 = Instant.parse("2026-12-06T12:00:00Z");
  final MutableClock clock = new MutableClock(T0);
  final Destinations destinations = new Destinations(clock, new Backoff(Duration.ofMinutes(1), Duration.ofMinutes(30)));

  static Site site(String name, int connections, int perConnection, String rate) {
    return new Site(name, new Shaping(connections, perConnection, Rate.parse(rate)));
  }

  @Test
  void connections_beyond_the_limit_are_refused_until_one_closes() {
    Site site = site("mx.example.net", 2, 100, "100/s");
    Connection a = destinations.open(site).orElseThrow();
    Connection b = destinations.open(site).orElseThrow();
    assertThat(destinations.open(site)).isEmpty();
    assertThat(destinations.openConnections(site)).isEqualTo(2);
    a.close();
    a.close(); // closing twice frees one place, not two
    assertThat(destinations.openConnections(site)).isEqualTo(1);
    Connection c = destinations.open(site).orElseThrow();
    assertThat(destinations.open(site)).isEmpty();
    b.close();
    c.close();
    assertThat(destinations.openConnections(site)).isZero();
    // Another site has its own limit.
    assertThat(destinations.open(site("mx.example.org", 1, 1, "1/s"))).isPresent();
  }

  @Test
  void the_allowance_counts_the_whole_messages_the_rate_lets_go_now_takes_none_and_is_none_while_suspended() {
    Site site = site("mx.allowance.example", 1, 100, "3/min");
    assertThat(destinations.allowance(site)).isEqualTo(new Destinations.Allowance(3, T0));
    assertThat(destinations.allowance(site).count()).as("asking takes nothing").isEqualTo(3);
    try (Connection c = destinations.open(site).orElseThrow()) {
      for (int i = 0; i < 3; i++) assertThat(c.next()).isEqualTo(new Grant.Send());
    }
    assertThat(destinations.allowance(site)).isEqualTo(new Destinations.Allowance(0, T0.plusSeconds(20)));
    clock.advance(Duration.ofSeconds(45));
    assertThat(destinations.allowance(site).count()).isEqualTo(2);
    destinations.report(site, DESTINATION_THROTTLED);
    assertThat(destinations.allowance(site)).isEqualTo(new Destinations.Allowance(0, destinations.suspendedUntil(site).orElseThrow()));
  }

  @Test
  void a_connection_carries_its_share_of_messages_then_is_used_up() {
    Site site = site("mx.example.net", 1, 3, "100/s");
    try (Connection c = destinations.open(site).orElseThrow()) {
      for (int i = 0; i < 3; i++) assertThat(c.next()).isEqualTo(new Grant.Send());
      assertThat(c.next()).isEqualTo(new Grant.UsedUp());
      assertThat(c.delivered()).isEqualTo(3);
    }
    try (Connection fresh = destinations.open(site).orElseThrow()) {
      assertThat(fresh.next()).isEqualTo(new Grant.Send());
    }
  }

  @Test
  void a_closed_permit_grants_nothing() {
    Connection c = destinations.open(site("mx.example.net", 1, 3, "100/s")).orElseThrow();
    c.close();
    assertThatThrownBy(c::next).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void the_rate_allows_a_burst_of_one_period_then_one_message_per_interval() {
    Site site = site("mx.example.net", 10, 1000, "6/min"); // one every 10 seconds
    Connection c = destinations.open(site).orElseThrow();
    for (int i = 0; i < 6; i++) assertThat(c.next()).as("burst %d", i).isEqualTo(new Grant.Send());
    assertThat(c.next()).isEqualTo(new Grant.WaitUntil(T0.plusSeconds(10)));
    clock.advance(Duration.ofSeconds(4));
    assertThat(c.next()).as("still waiting, same time").isEqualTo(new Grant.WaitUntil(T0.plusSeconds(10)));
    clock.advance(Duration.ofSeconds(6));
    assertThat(c.next()).isEqualTo(new Grant.Send());
    assertThat(c.next()).isEqualTo(new Grant.WaitUntil(T0.plusSeconds(20)));
    // The rate is the site's, shared by all its connections.
    Connection other = destinations.open(site).orElseThrow();
    assertThat(other.next()).isEqualTo(new Grant.WaitUntil(T0.plusSeconds(20)));
    // An idle hour refills one period's worth, not an hour's.
    clock.advance(Duration.ofHours(1));
    int sent = 0;
    while (other.next() instanceof Grant.Send) sent++;
    assertThat(sent).isEqualTo(6);
  }

  @Test
  void a_throttling_reply_suspends_the_whole_destination() {
    Site site = site("google", 5, 50, "100/s");
    Connection inFlight = destinations.open(site).orElseThrow();
    assertThat(inFlight.next()).isEqualTo(new Grant.Send());

    destinations.report(site, DESTINATION_THROTTLED);

    Instant until = T0.plus(Duration.ofMinutes(1));
    assertThat(destinations.suspendedUntil(site)).contains(until);
    assertThat(inFlight.next()).isEqualTo(new Grant.Suspended(until));
    assertThat(destinations.open(site)).as("no new connection while suspended").isEmpty();
    assertThat(destinations.open(site("yahoo", 5, 20, "100/s"))).as("other destinations go on").isPresent();

    clock.advance(Duration.ofMinutes(1));
    assertThat(destinations.suspendedUntil(site)).isEmpty();
    assertThat(destinations.open(site)).isPresent();
    assertThat(inFlight.next()).isEqualTo(new Grant.Send());
  }

  @Test
  void repeated_throttling_doubles_the_suspension_up_to_the_limit_and_a_success_resets_it() {
    Site site = site("outlook", 5, 50, "100/s");
    List<Duration> suspensions = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      destinations.report(site, DESTINATION_THROTTLED);
      Instant until = destinations.suspendedUntil(site).orElseThrow();
      suspensions.add(Duration.between(clock.instant(), until));
      clock.advance(Duration.between(clock.instant(), until));
    }
    assertThat(suspensions).containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4),
        Duration.ofMinutes(8), Duration.ofMinutes(16), Duration.ofMinutes(30), Duration.ofMinutes(30));

    destinations.report(site, OK);
    destinations.report(site, DESTINATION_THROTTLED);
    assertThat(destinations.suspendedUntil(site)).contains(clock.instant().plus(Duration.ofMinutes(1)));
  }

  @Test
  void signals_from_deliveries_already_under_way_count_once() {
    Site site = site("yahoo", 5, 20, "100/s");
    for (int i = 0; i < 5; i++) destinations.report(site, DESTINATION_THROTTLED);
    assertThat(destinations.suspendedUntil(site)).contains(T0.plus(Duration.ofMinutes(1)));
    clock.advance(Duration.ofMinutes(1));
    destinations.report(site, DESTINATION_THROTTLED);
    assertThat(destinations.suspendedUntil(site)).as("the second signal in a row").contains(clock.instant().plus(Duration.ofMinutes(2)));
  }

  @Test
  void a_deferred_or_bounced_message_does_not_slow_its_destination() {
    Site site = site("mx.example.net", 1, 100, "100/s");
    destinations.report(site, MESSAGE_TEMPORARY);
    destinations.report(site, PERMANENT);
    assertThat(destinations.suspendedUntil(site)).isEmpty();
    try (Connection c = destinations.open(site).orElseThrow()) {
      assertThat(c.next()).isEqualTo(new Grant.Send());
    }
  }

  @Test
  void many_threads_never_hold_more_connections_than_the_limit() throws InterruptedException {
    Site site = site("mx.example.net", 3, 1000, "100000/s");
    AtomicInteger open = new AtomicInteger();
    AtomicInteger most = new AtomicInteger();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    CountDownLatch done = new CountDownLatch(16);
    for (int t = 0; t < 16; t++) {
      Thread.ofVirtual().start(() -> {
        try {
          for (int i = 0; i < 500; i++) {
            Optional<Connection> c = destinations.open(site);
            if (c.isEmpty()) continue;
            most.accumulateAndGet(open.incrementAndGet(), Math::max);
            c.get().next();
            open.decrementAndGet();
            c.get().close();
          }
        } catch (Throwable e) {
          failure.set(e);
        } finally {
          done.countDown();
        }
      });
    }
    assertThat(done.await(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    assertThat(failure.get()).isNull();
    assertThat(most.get()).isBetween(1, 3);
    assertThat(destinations.openConnections(site)).isZero();
  }
}
