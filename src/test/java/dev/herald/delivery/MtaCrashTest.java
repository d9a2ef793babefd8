package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.herald.delivery.smtp.SmtpSink;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.messages.PythonDkim;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.HeraldProcess;
import dev.herald.testsupport.MimeLint;
import dev.herald.testsupport.TestDns;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * <p>What "in flight at a kill" means here: the recipients the killed node had claimed and not yet recorded, i.e. its
 * rows still in state {@code sending} once it is dead. Only those can reach the sink twice (the sink took the message
 * but the node died before writing that down); every other recipient is either recorded delivered (never claimed
 * again) or was never handed to the sink. So: every recipient at the sink at least once, every extra copy one of a
 * recipient in flight at a kill, and at most as many extra copies as there were such recipients.
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

  /** A send under test: its organization, domain, recipients, and what happened at each kill. */
  final class Send {
    final long organizationId;
    /** The DKIM records its domain publishes, for python3-dkim. */
    final Map<String, String> dkimRecords;
    final String name;
    final List<String> recipients = new ArrayList<>();
    /** Recipient id → address of those in flight at some kill. */
    final Map<Long, String> inFlight = new HashMap<>();
    final List<Integer> inFlightPerKill = new ArrayList<>();

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
      Map<String, Long> states = new TreeMap<>();
      jdbc.sql("select state, count(*) from outbound_recipient where organization_id = ? group by state").param(organizationId)
          .query(rs -> {
            states.put(rs.getString(1), rs.getLong(2));
          });
      return states;
    }

    boolean allDelivered() {
      return states().equals(Map.of("delivered", (long) MESSAGES));
    }

    /** After {@code node} died: its claimed, unrecorded recipients are in flight; returns how many. */
    int killed(HeraldProcess node) {
      Map<Long, String> rows = new LinkedHashMap<>();
      jdbc.sql("select id, address from outbound_recipient where organization_id = ? and state = 'sending' and lease_owner = ?")
          .params(organizationId, node.node())
          .query(rs -> {
            rows.put(rs.getLong(1), rs.getString(2));
          });
      inFlight.putAll(rows);
      inFlightPerKill.add(rows.size());
      return rows.size();
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

  HeraldProcess node(String name, SmtpSink sink, String leaseTerm) throws Exception {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("herald.db.url", dbUrl);
    settings.put("herald.db.pool-size", "6");
    settings.put("herald.roles", "delivery");
    settings.put("herald.dns.resolvers", TestDns.empty().address());
    settings.put("herald.delivery.route", "static");
    settings.put("herald.delivery.static-route", "127.0.0.1:" + sink.address.getPort());
    settings.put("herald.delivery.worker.batch-size", BATCH);
    settings.put("herald.delivery.worker.concurrency", LANES);
    settings.put("herald.delivery.worker.lease-term", leaseTerm);
    settings.put("herald.delivery.worker.poll", "100ms");
    settings.put("herald.delivery.shaping.message-rate", RATE);
    return HeraldProcess.start(name, dir, settings, Map.of("HERALD_SECRET_KEYS", secretKeys()));
  }

  /** Every node decrypts the same DKIM keys: the test context's master keys, given as the setting all nodes share. */
  String secretKeys() throws Exception {
    return Files.readAllLines(dataDir.resolve("secret.keys")).stream().filter(l -> !l.isBlank() && !l.strip().startsWith("#"))
        .collect(java.util.stream.Collectors.joining(","));
  }

  @Test
  void killed_three_times_mid_send_the_node_loses_nothing_and_repeats_only_what_was_in_flight() throws Exception {
    Path dumps = SinkCapture.directory(dir, "sink");
    Send send = new Send("crash");
    long started = System.nanoTime();
    List<String> log = new ArrayList<>();
    try (SmtpSink sink = SmtpSink.start(dumps)) {
      SinkCapture capture = new SinkCapture(dumps);
      for (int kill = 1; kill <= 3; kill++) {
        int threshold = MESSAGES * kill / 4;
        try (HeraldProcess node = node("node-" + kill, sink, "1m")) {
          await(node, "the sink to hold " + threshold + " messages", () -> count(capture) >= threshold, 3);
          awaitHolding(node, send);
          node.kill();
          int inFlight = send.killed(node);
          log.add("kill %d at %d messages at the sink: %d in flight".formatted(kill, count(capture), inFlight));
          send.expireLeasesOf(node);
          assertThat(send.allDelivered()).as("killed %d before the send ended", kill).isFalse();
        }
      }
      try (HeraldProcess last = node("node-4", sink, "1m")) {
        await(last, "every recipient delivered", send::allDelivered, 5);
      }
      check(send, capture, log, started);
    }
  }

  @Test
  void two_nodes_share_one_queue_and_the_survivor_finishes_what_the_killed_one_held() throws Exception {
    Path dumps = SinkCapture.directory(dir, "sink");
    Send send = new Send("pair");
    send.hold();
    long started = System.nanoTime();
    List<String> log = new ArrayList<>();
    try (SmtpSink sink = SmtpSink.start(dumps);
         HeraldProcess a = node("node-a", sink, "1m");
         HeraldProcess b = node("node-b", sink, "1m")) {
      SinkCapture capture = new SinkCapture(dumps);
      a.awaitStarted();
      b.awaitStarted();
      send.release();
      // Both deliver before one dies: each has recipients recorded delivered under its name.
      await(a, "both nodes delivering", () -> deliveredBy(send, a) > 0 && deliveredBy(send, b) > 0 && count(capture) >= MESSAGES / 3, 3);
      awaitHolding(a, send);
      a.kill();
      int inFlight = send.killed(a);
      log.add("node-a killed at %d messages at the sink: %d in flight".formatted(count(capture), inFlight));
      assertThat(send.allDelivered()).isFalse();
      // node-a's claimed recipients wait out the lease term (1 minute, the shortest allowed), then node-b takes them.
      await(b, "node-b delivering everything, node-a's leased recipients after the lease term", send::allDelivered, 5);
      assertThat(deliveredBy(send, b)).as("node-b's share").isGreaterThan(deliveredBy(send, a));
      check(send, capture, log, started);
    }
  }

  /**
   * Waits until the node holds claimed recipients, so that the kill lands mid-batch: under the rate limit a lane
   * delivers in short bursts and gives the rest of its batch back, so at a moment picked by the sink's count alone
   * the node may hold nothing (a kill that tests no takeover). The node may still finish the batch between this
   * look and the kill; the check counts what it held once it is dead.
   */
  void awaitHolding(HeraldProcess node, Send send) throws Exception {
    await(node, "the node holding claimed recipients", () -> jdbc.sql(
        "select count(*) from outbound_recipient where organization_id = ? and state = 'sending' and lease_owner = ?")
        .params(send.organizationId, node.node()).query(Long.class).single() > 0, 1);
  }

  long deliveredBy(Send send, HeraldProcess node) {
    return jdbc.sql("select count(*) from outbound_recipient where organization_id = ? and state = 'delivered' and lease_owner = ?")
        .params(send.organizationId, node.node()).query(Long.class).single();
  }

  /**
   * Every recipient got the message at least once; extra copies only for recipients in flight at a kill, at most one
   * per such recipient; each copy the same message (Message-ID), passing the MIME lint and DKIM-valid for python3-dkim.
   */
  void check(Send send, SinkCapture capture, List<String> log, long started) throws Exception {
    List<SinkCapture.Dump> dumps = capture.read();
    Map<String, Integer> copies = SinkCapture.perRecipient(dumps);
    Set<String> missing = new HashSet<>(send.recipients);
    missing.removeAll(copies.keySet());
    Map<String, Integer> repeated = new TreeMap<>();
    copies.forEach((to, n) -> {
      if (n > 1) repeated.put(to, n);
    });
    int extra = repeated.values().stream().mapToInt(n -> n - 1).sum();
    int bound = send.inFlight.size();
    System.out.printf("MTA crash test (%s): %d messages, %s; %d extra copies at the sink (bound %d: in flight at each kill %s), %.1f s%n",
        send.name, MESSAGES, String.join("; ", log), extra, bound, send.inFlightPerKill, (System.nanoTime() - started) / 1e9);

    assertThat(missing).as("recipients the sink never got").isEmpty();
    assertThat(copies.keySet()).as("recipients at the sink").containsExactlyInAnyOrderElementsOf(send.recipients);
    assertThat(repeated.keySet()).as("recipients with more than one copy were in flight at a kill")
        .isSubsetOf(new HashSet<>(send.inFlight.values()));
    assertThat(extra).as("extra copies").isLessThanOrEqualTo(bound);
    assertThat(send.inFlightPerKill.stream().mapToInt(Integer::intValue).sum()).as("the kills hit recipients in flight").isPositive();
    assertThat(send.states()).isEqualTo(Map.of("delivered", (long) MESSAGES));
    assertThat(jdbc.sql("select count(*) from outbound_recipient where organization_id = ? and (last_reply not like '250%' or finished_at is null)")
        .param(send.organizationId).query(Long.class).single()).as("delivered rows keep the sink's 250 reply and a time").isZero();

    // The same message each time: one Message-ID per recipient over all its copies.
    Map<String, Set<String>> messageIds = new HashMap<>();
    Pattern messageId = Pattern.compile("(?im)^Message-ID: *(<[^>]+>)");
    for (SinkCapture.Dump d : dumps) {
      Matcher m = messageId.matcher(new String(d.wire(), StandardCharsets.ISO_8859_1));
      assertThat(m.find()).as(d.file() + " has a Message-ID").isTrue();
      for (String to : d.recipients()) messageIds.computeIfAbsent(to, k -> new HashSet<>()).add(m.group(1));
    }
    assertThat(messageIds.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));

    Path wire = Files.createDirectories(dir.resolve("wire-" + send.name));
    List<Path> files = new ArrayList<>();
    for (SinkCapture.Dump d : dumps) {
      Path file = wire.resolve(d.file().getFileName() + ".eml");
      Files.write(file, d.wire());
      files.add(file);
    }
    for (int from = 0; from < dumps.size(); from += 2_000) { // in runs of 2,000: each message is an argument of the lint
      MimeLint.checkAll(dumps.subList(from, Math.min(dumps.size(), from + 2_000)).stream().map(SinkCapture.Dump::wire).toList(), false);
    }
    Map<Path, List<String>> verdicts = PythonDkim.verify(dir, send.dkimRecords, files);
    assertThat(verdicts).as("python3-dkim's verdicts per captured message").allSatisfy((file, v) ->
        assertThat(v).as(file.toString()).hasSize(2).containsOnly("pass"));
  }

  static int count(SinkCapture capture) {
    try {
      return capture.count();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Polls (every 10 ms) until the condition holds; fails with the node's log if it died or the minutes passed. */
  static void await(HeraldProcess node, String what, BooleanSupplier condition, int minutes) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
    while (!condition.getAsBoolean()) {
      if (!node.alive()) fail(node.name() + " died while waiting for " + what + ":\n" + node.tail(60));
      if (System.nanoTime() > deadline) fail("No " + what + " within " + minutes + " minutes; " + node.name() + "'s log:\n" + node.tail(60));
      Thread.sleep(10);
    }
  }
}
