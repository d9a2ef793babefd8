package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * How fast the worker drains a queue into smtp-sink, signing each message with RSA-2048 and Ed25519 (a figure, not
 * tested): {@code mvn test -Dtest=DeliveryWorkerThroughput -Dherald.bench=true}; {@code -Dherald.bench.messages} and
 * {@code -Dherald.bench.domains} change the size. The full benchmark with the send API is {@code bench/mta.sh}.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.delivery.shaping.sites[0].mx-suffix=127.0.0.1", "herald.delivery.shaping.sites[0].connection-limit=32",
    "herald.delivery.shaping.sites[0].message-rate=100000/s"})
@Import(TestOrganizations.class)
class DeliveryWorkerThroughput {
  static final int MESSAGES = Integer.getInteger("herald.bench.messages", 5_000);
  static final int DOMAINS = Integer.getInteger("herald.bench.domains", 100);
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.start(null);
    registry.add("herald.delivery.static-route", () -> "127.0.0.1:" + sink.address.getPort());
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
  @Autowired JdbcClient jdbc;

  @Test
  void drain() throws Exception {
    TestOrganizations.Created org = organizations.create("Throughput", "send");
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org.id(), "throughput.example");
    jdbc.sql("update organization set suspended_at = now() where id = ?").param(org.id()).update(); // hold while queueing
    String text = "Twenty kilobytes of text, more or less, so the message is the size of a newsletter. ".repeat(120);
    String html = "<p>" + text + "</p>";
    long start = System.nanoTime();
    for (int i = 0; i < MESSAGES; i += 1000) {
      List<SendRequest> batch = new ArrayList<>();
      for (int j = i; j < Math.min(MESSAGES, i + 1000); j++) {
        batch.add(new SendRequest("news@throughput.example", null, List.of("reader" + j + "@d" + (j % DOMAINS) + ".example"), null, null,
            null, "Message " + j, html, text, null, null, null, null));
      }
      outbound.acceptBatch(org.id(), batch, null);
    }
    long queued = System.nanoTime();
    double cpuBefore = cpuSeconds();
    long deliverStart = System.nanoTime();
    jdbc.sql("update organization set suspended_at = null, suspended_reason = '' where id = ?").param(org.id()).update();
    long deadline = System.nanoTime() + 600_000_000_000L;
    while (jdbc.sql("select count(*) from outbound_recipient where state <> 'delivered'").query(Long.class).single() > 0) {
      assertThat(System.nanoTime()).as("drained within 10 minutes").isLessThan(deadline);
      Thread.sleep(100);
    }
    double seconds = (System.nanoTime() - deliverStart) / 1e9;
    double cpu = cpuSeconds() - cpuBefore;
    System.out.printf("queued %d in %.1f s; delivered in %.1f s: %.0f msg/s, %.2f CPU s per 1,000 (the JVM's), heap used %d MB%n", MESSAGES,
        (queued - start) / 1e9, seconds, MESSAGES / seconds, cpu * 1000 / MESSAGES,
        (Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory()) >> 20);
  }

  static double cpuSeconds() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
  }
}
