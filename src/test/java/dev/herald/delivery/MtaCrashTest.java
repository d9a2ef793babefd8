package dev.herald.delivery;

import static dev.herald.testsupport.KilledNodes.await;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.HeraldProcess;
import dev.herald.testsupport.KilledNodes;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestDns;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.ObjectMapper;

/**
 * Herald's MTA dying in the middle of a send (issue 10, "Reliability tests"). Herald runs as separate processes over
 * this test's PostgreSQL database, delivering through the static route to Postfix's smtp-sink, which keeps every
 * message it accepted; the processes are killed with {@code kill -9}. This class's own Spring context (web role only,
 * so it delivers nothing) makes the organization, its signing domain and the queued messages, and reads the queue.
 *
 * <p>What "in flight at a kill" means, and so what may reach the sink twice: see {@link KilledNodes}.
 *
 * <p>The size is {@code -Dherald.crash.messages} (default 600): bench/mta-crash.sh runs this class with 20,000.
 */
@SpringBootTest(properties = "herald.roles=web")
@Import(TestOrganizations.class)
class MtaCrashTest {
  static final int MESSAGES = Integer.getInteger("herald.crash.messages", 600);
  static final int DOMAINS = 4;
  /** Small batches, few lanes: the in-flight bound stays a small share of the send. */
  static final String BATCH = System.getProperty("herald.crash.batch-size", "10");
  static final String LANES = System.getProperty("herald.crash.concurrency", "4");
  /** Per destination and node: slow enough that each kill lands in the middle of the send. */
  static final String RATE = System.getProperty("herald.crash.rate", "150/s");

  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Value("${herald.db.url}") String dbUrl;
  @Value("${herald.data-dir}") Path dataDir;

  @TempDir Path dir;

  /** A send under test: its organization, signing domain and recipients. */
  final class Send {
    final long organizationId;
    /** The DKIM records its domain publishes, for python3-dkim. */
    final Map<String, String> dkimRecords;
    final String name;
    final List<String> recipients = new ArrayList<>();

    Send(String name) {
      this.name = name;
      TestOrganizations.Created org = organizations.create("Crash " + name, "send");
      organizationId = org.id();
      dkimRecords = new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(organizationId, name + ".example");
      for (int from = 0; from < MESSAGES; from += OutboundMessages.MAX_BATCH) {
        List<SendRequest> batch = new ArrayList<>();
        for (int i = from; i < Math.min(MESSAGES, from + OutboundMessages.MAX_BATCH); i++) {
          String to = "r" + i + "@d" + (i % DOMAINS) + "." + name + ".example";
          recipients.add(to);
          batch.add(json.convertValue(Map.of("from", "news@" + name + ".example", "to", List.of(to), "subject", "Message " + i,
              "text", "Hello r" + i + ",\r\nthis is message " + i + ".\r\n"), SendRequest.class));
        }
        assertThat(outbound.acceptBatch(organizationId, batch, null)).allSatisfy(e -> assertThat(e.refusal()).isNull());
      }
    }

    /** None of its recipients is due before {@link #release()}: nodes starting one after the other then start together. */
    void hold() {
      jdbc.sql("update outbound_recipient set next_attempt_at = now() + interval '1 hour' where organization_id = ?").param(organizationId).update();
    }

    void release() {
      jdbc.sql("update outbound_recipient set next_attempt_at = now() where organization_id = ?").param(organizationId).update();
    }

    Map<String, Long> states() {
      return KilledNodes.countByState(jdbc, "outbound_recipient", "organization_id", organizationId);
    }

    boolean allDelivered() {
      return states().equals(Map.of("delivered", (long) MESSAGES));
    }

    /** After {@code node} died: its claimed, unrecorded recipients, id → address. */
    Map<Long, String> claimedBy(HeraldProcess node) {
      Map<Long, String> rows = new LinkedHashMap<>();
      jdbc.sql("select id, address from outbound_recipient where organization_id = ? and state = 'sending' and lease_owner = ?")
          .params(organizationId, node.node())
          .query(rs -> {
            rows.put(rs.getLong(1), rs.getString(2));
          });
      return rows;
    }

    /**
     * The dead node's leases run out now instead of a lease term later: the same rows become claimable as when the
     * term has passed (another node's claim is what is tested), without the test waiting for it.
     */
    void expireLeasesOf(HeraldProcess node) {
      jdbc.sql("update outbound_recipient set lease_until = now() - interval '1 second' where state = 'sending' and lease_owner = ?")
          .param(node.node()).update();
    }
  }

  HeraldProcess node(KilledNodes nodes, String name, SmtpSink sink) throws Exception {
    Map<String, String> settings = nodes.settings("delivery", sink, TestDns.empty().address());
    settings.put("herald.delivery.worker.batch-size", BATCH);
    settings.put("herald.delivery.worker.concurrency", LANES);
    settings.put("herald.delivery.shaping.message-rate", RATE);
    return nodes.start(name, settings);
  }

  @Test
  void killed_three_times_mid_send_the_node_loses_nothing_and_repeats_only_what_was_in_flight() throws Exception {
    KilledNodes nodes = new KilledNodes(dir, dbUrl, dataDir);
    Send send = new Send("crash");
    long started = System.nanoTime();
    try (SmtpSink sink = nodes.sink()) {
      for (int kill = 1; kill <= 3; kill++) {
        int threshold = MESSAGES * kill / 4;
        try (HeraldProcess node = node(nodes, "node-" + kill, sink)) {
          node.awaitStarted(); // the bounds below are the send's, not a loaded machine's JVM start
          await(node, "the sink to hold " + threshold + " messages", () -> sink.count() >= threshold, 3);
          KilledNodes.killHolding(node, sink, () -> claimed(send, node));
          nodes.killed("kill %d at %d messages at the sink".formatted(kill, sink.count()), send.claimedBy(node));
          send.expireLeasesOf(node);
          assertThat(send.allDelivered()).as("killed %d before the send ended", kill).isFalse();
        }
      }
      try (HeraldProcess last = node(nodes, "node-4", sink)) {
        await(last, "every recipient delivered", send::allDelivered, 5);
      }
      check(nodes, send, sink, started);
    }
  }

  @Test
  void two_nodes_share_one_queue_and_the_survivor_finishes_what_the_killed_one_held() throws Exception {
    KilledNodes nodes = new KilledNodes(dir, dbUrl, dataDir);
    Send send = new Send("pair");
    send.hold();
    long started = System.nanoTime();
    try (SmtpSink sink = nodes.sink();
         HeraldProcess a = node(nodes, "node-a", sink);
         HeraldProcess b = node(nodes, "node-b", sink)) {
      a.awaitStarted();
      b.awaitStarted();
      send.release();
      // Both deliver before one dies: each has recipients recorded delivered under its name.
      await(a, "both nodes delivering", () -> deliveredBy(send, a) > 0 && deliveredBy(send, b) > 0 && sink.count() >= MESSAGES / 3, 3);
      KilledNodes.killHolding(a, sink, () -> claimed(send, a));
      long bAtKill = deliveredBy(send, b);
      nodes.killed("node-a killed at %d messages at the sink".formatted(sink.count()), send.claimedBy(a));
      assertThat(send.allDelivered()).isFalse();
      // node-a's claimed recipients wait out the lease term (1 minute, the shortest allowed), then node-b takes them.
      await(b, "node-b delivering everything, node-a's leased recipients after the lease term", send::allDelivered, 5);
      // The survivor took over: how the work split before the kill depends on the machine's load, so only this is fixed.
      assertThat(deliveredBy(send, b)).as("node-b's deliveries after node-a was killed").isGreaterThan(bAtKill);
      check(nodes, send, sink, started);
    }
  }

  /**
   * The node's claimed, unrecorded recipients: under the rate limit a lane delivers in short bursts and gives the rest
   * of its batch back, so at a moment picked by the sink's count alone the node may hold nothing; the kill waits for
   * some ({@link KilledNodes#killHolding}).
   */
  long claimed(Send send, HeraldProcess node) {
    return jdbc.sql("select count(*) from outbound_recipient where organization_id = ? and state = 'sending' and lease_owner = ?")
        .params(send.organizationId, node.node()).query(Long.class).single();
  }

  long deliveredBy(Send send, HeraldProcess node) {
    return jdbc.sql("select count(*) from outbound_recipient where organization_id = ? and state = 'delivered' and lease_owner = ?")
        .params(send.organizationId, node.node()).query(Long.class).single();
  }

  /**
   * What {@link KilledNodes#check} checks (every recipient at least once, extra copies only for those in flight and
   * within their number, one Message-ID each, MIME lint and python3-dkim on every copy), and every row delivered with
   * the sink's reply.
   */
  void check(KilledNodes nodes, Send send, SmtpSink sink, long started) throws Exception {
    nodes.check("MTA crash test (" + send.name + ")", sink, send.recipients, send.dkimRecords, started);
    assertThat(send.states()).isEqualTo(Map.of("delivered", (long) MESSAGES));
    assertThat(jdbc.sql("select count(*) from outbound_recipient where organization_id = ? and (last_reply not like '250%' or finished_at is null)")
        .param(send.organizationId).query(Long.class).single()).as("delivered rows keep the sink's 250 reply and a time").isZero();
  }
}
