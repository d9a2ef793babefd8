package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The worker delivering to many recipient domains that all route to one server (the static route to one smtp-sink,
 * as a thousand domains hosted by one provider): lanes of different domains share sessions through the {@link
 * SessionCache}, so far fewer sessions open than there are domains, while the site's limits hold across the domains
 * as within one: no session carries more than its messages per connection, and no more connections are open at once
 * than the site's limit (counted from the kernel's table of TCP connections, not from Herald's own permits).
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.delivery.shaping.sites[0].mx-suffix=127.0.0.1", "herald.delivery.shaping.sites[0].connection-limit=2",
    "herald.delivery.shaping.sites[0].deliveries-per-connection=4", "herald.delivery.shaping.sites[0].message-rate=100000/s"})
@Import(TestOrganizations.class)
class SessionCacheTest {
  static final int DOMAINS = 30;
  static final int PER_CONNECTION = 4;
  static final int CONNECTION_LIMIT = 2;
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry, "-c");
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
  @Autowired DeliveryWorker worker;
  @Autowired JdbcClient jdbc;

  @Test
  void lanes_of_thirty_domains_on_one_server_share_a_few_sessions_within_the_sites_limits_and_deliver_each_recipient_once()
      throws Exception {
    TestOrganizations.Created org = organizations.create("Session cache", "send");
    new TestSendingDomains(sendingDomains, jdbc).verified(org.id(), "cache.example");
    List<String> to = new ArrayList<>();
    for (int i = 0; i < DOMAINS; i++) to.add("reader" + i + "@d" + i + ".cache-rcpt.example");
    SessionCache sessions = worker.parts().sessions();
    long opened = sessions.openedCount();
    int endedBefore = sink.sessions();

    AtomicBoolean sampling = new AtomicBoolean(true);
    AtomicInteger peak = new AtomicInteger();
    Thread sampler = Thread.ofPlatform().daemon().start(() -> {
      while (sampling.get()) {
        peak.accumulateAndGet(established(sink.address.getPort()), Math::max);
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    });
    long id;
    try {
      id = outbound.accept(org.id(), new SendRequest("news@cache.example", null, to, null, null, null, "Cache test", null, "Hello",
          null, null, null, null), null).id();
      long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
      while (delivered(id) < DOMAINS && System.nanoTime() < deadline) Thread.sleep(50);
    } finally {
      sampling.set(false);
      sampler.join(1000);
    }

    assertThat(delivered(id)).as("recipients delivered").isEqualTo(DOMAINS);
    Map<String, Integer> received = SmtpSink.perRecipient(sink.captured());
    assertThat(received).as("each recipient exactly once").isEqualTo(to.stream().collect(Collectors.toMap(Function.identity(), r -> 1)));
    long used = sessions.openedCount() - opened;
    // At most 4 messages a session: at least 30 / 4 sessions. One a domain would be 30.
    assertThat(used).as("sessions opened for %s domains", DOMAINS).isBetween((long) Math.ceilDiv(DOMAINS, PER_CONNECTION), DOMAINS / 2L);
    assertThat(sessions.reusedCount()).as("parked sessions taken by lanes of other domains").isPositive();
    assertThat(peak.get()).as("connections open at once to the site (its limit is %s)", CONNECTION_LIMIT).isBetween(1, CONNECTION_LIMIT);
    // The parked sessions close after SessionCache.IDLE; the sink then counts exactly the sessions Herald opened.
    long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
    while (sink.sessions() - endedBefore < used && System.nanoTime() < deadline) Thread.sleep(50);
    assertThat(sink.sessions() - endedBefore).as("sessions the sink saw end").isEqualTo((int) used);
    assertThat(sessions.parked()).isZero();
  }

  int delivered(long messageId) {
    return jdbc.sql("select count(*) from outbound_recipient where message_id = ? and state = 'delivered'").param(messageId)
        .query(Integer.class).single();
  }

  /** TCP connections established to the port now, from /proc/net/tcp and tcp6 (the client's side of each). */
  static int established(int port) {
    String remote = String.format(":%04X ", port);
    int count = 0;
    for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
      try {
        for (String line : Files.readAllLines(Path.of(table))) {
          String[] f = line.trim().split("\\s+");
          // sl local_address rem_address st ...: the client's side has the sink's port as its remote one; 01 = ESTABLISHED
          if (f.length > 3 && (f[2] + " ").endsWith(remote) && f[3].equals("01")) count++;
        }
      } catch (IOException noSuchTable) {
        // no IPv6 on this machine
      }
    }
    return count;
  }
}
