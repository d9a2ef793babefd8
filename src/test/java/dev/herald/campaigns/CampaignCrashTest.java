package dev.herald.campaigns;

import static dev.herald.campaigns.CampaignFixtures.lists;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.herald.audiences.SubscriptionStatus;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.RecipientState;
import dev.herald.delivery.SinkCapture;
import dev.herald.delivery.smtp.SmtpSink;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.HeraldProcess;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * A campaign's sending nodes dying with {@code kill -9} (issue 11, "Reliability tests"). Herald runs as separate
 * processes (roles delivery and worker: each starts the campaign, hands its ledger to the queue, delivers and finishes
 * it) over this test's PostgreSQL, delivering through the static route to Postfix's smtp-sink, which keeps every
 * message it accepted. This class's own context (web role only, so it sends nothing) makes the organization, list,
 * subscribers and campaign, and reads the ledger and the queue.
 *
 * <p>In flight at a kill: the recipients the killed node had claimed and not yet recorded (its queue rows still
 * {@code sending} once it is dead). Only those can reach the sink twice; so every subscriber at the sink at least once,
 * every extra copy one of a recipient in flight at a kill, at most one extra per such recipient. A dead node's leases
 * (the campaign's hand-off and the queue rows) are made to run out at once rather than a lease term later: the rows
 * become claimable as when the term has passed, without the test waiting for it.
 *
 * <p>The size is {@code -Dherald.campaign-crash.recipients} (default 400).
 */
@SpringBootTest(properties = "herald.roles=web")
@Import({TestOrganizations.class, CampaignFixtures.class})
class CampaignCrashTest {
  static final int RECIPIENTS = Integer.getInteger("herald.campaign-crash.recipients", 400);
  static final int DOMAINS = 4;
  /** Per destination and node: slow enough that each kill lands in the middle of the send. */
  static final String RATE = System.getProperty("herald.campaign-crash.rate", "25/s");

  @Autowired CampaignFixtures fixtures;
  @Autowired Campaigns campaigns;
  @Autowired BulkSends queue;
  @Autowired JdbcClient jdbc;
  @Value("${herald.db.url}") String dbUrl;
  @Value("${herald.data-dir}") Path dataDir;

  @TempDir Path dir;

  /** The campaign under test, its subscribers, and what was in flight at each kill. */
  final class Send {
    final CampaignFixtures.Org org = fixtures.organization();
    final List<String> recipients = new ArrayList<>();
    final Map<Long, String> inFlight = new HashMap<>();
    final List<Integer> inFlightPerKill = new ArrayList<>();
    final long campaignId;

    Send(String name) {
      long list = fixtures.list(org, "Readers");
      for (int i = 0; i < RECIPIENTS; i++) {
        String to = "r" + i + "@d" + (i % DOMAINS) + "." + name + ".example";
        recipients.add(to);
        fixtures.subscriber(org, to, SubscriptionStatus.SUBSCRIBED, list);
      }
      // Worker nodes recheck due sending domains' DNS; this one publishes none, so it is not due while the test runs.
      jdbc.sql("update sending_domain set next_check_at = now() + interval '1 day' where organization_id = ?").param(org.id()).update();
      campaignId = campaigns.create(org.id(), fixtures.form(org, "Crash " + name, lists(list))).id();
    }

    /** Scheduled now: the first worker node to poll starts it. */
    void schedule() {
      campaigns.schedule(org.id(), campaignId, null, null);
    }

    Campaign campaign() {
      return campaigns.find(org.id(), campaignId).orElseThrow();
    }

    Long messageId() {
      return campaign().messageId();
    }

    Map<RecipientState, Long> queueStates() {
      Long message = messageId();
      return message == null ? Map.of() : queue.states(message);
    }

    long sending(HeraldProcess node) {
      Long message = messageId();
      return message == null ? 0 : jdbc.sql("select count(*) from outbound_recipient where message_id = ? and state = 'sending' and lease_owner = ?")
          .params(message, node.node()).query(Long.class).single();
    }

    long deliveredBy(HeraldProcess node) {
      Long message = messageId();
      return message == null ? 0 : jdbc.sql("select count(*) from outbound_recipient where message_id = ? and state = 'delivered' and lease_owner = ?")
          .params(message, node.node()).query(Long.class).single();
    }

    Map<String, Long> ledger() {
      Map<String, Long> states = new TreeMap<>();
      jdbc.sql("select state, count(*) from campaign_recipient where campaign_id = ? group by state").param(campaignId)
          .query(rs -> {
            states.put(rs.getString(1), rs.getLong(2));
          });
      return states;
    }

    /**
     * Whether the campaign finished; when it has, its ledger is handed off in full and every queue row delivered
     * (checked at every look, so a campaign that finished early is caught at the moment it is seen finished).
     */
    boolean finished() {
      if (campaign().state() != CampaignState.FINISHED) return false;
      assertThat(ledger()).as("the ledger of a finished campaign").isEqualTo(Map.of("handed_off", (long) RECIPIENTS));
      assertThat(queueStates()).as("the queue of a finished campaign").containsOnly(Map.entry(RecipientState.DELIVERED, (long) RECIPIENTS));
      return true;
    }

    /** After {@code node} died: records its claimed, unrecorded recipients; its leases run out now. */
    int killed(HeraldProcess node) {
      Map<Long, String> rows = new LinkedHashMap<>();
      jdbc.sql("select id, address from outbound_recipient where message_id = ? and state = 'sending' and lease_owner = ?")
          .params(messageId(), node.node())
          .query(rs -> {
            rows.put(rs.getLong(1), rs.getString(2));
          });
      inFlight.putAll(rows);
      inFlightPerKill.add(rows.size());
      jdbc.sql("update outbound_recipient set lease_until = now() - interval '1 second' where state = 'sending' and lease_owner = ?")
          .param(node.node()).update();
      jdbc.sql("update campaign_send set lease_until = now() - interval '1 second' where lease_owner = ? and lease_until is not null")
          .param(node.node()).update();
      assertThat(campaign().state()).as("the campaign after a kill mid-send").isEqualTo(CampaignState.SENDING);
      return rows.size();
    }
  }

  HeraldProcess node(String name, SmtpSink sink) throws Exception {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("herald.db.url", dbUrl);
    settings.put("herald.db.pool-size", "6");
    settings.put("herald.roles", "delivery,worker");
    settings.put("herald.dns.resolvers", TestDns.empty().address());
    settings.put("herald.delivery.route", "static");
    settings.put("herald.delivery.static-route", "127.0.0.1:" + sink.address.getPort());
    settings.put("herald.delivery.worker.batch-size", "10");
    settings.put("herald.delivery.worker.concurrency", "4");
    settings.put("herald.delivery.worker.lease-term", "1m");
    settings.put("herald.delivery.worker.poll", "100ms");
    settings.put("herald.delivery.shaping.message-rate", RATE);
    settings.put("herald.campaigns.poll", "200ms");
    settings.put("herald.campaigns.chunk", "50");
    return HeraldProcess.start(name, dir, settings, Map.of("HERALD_SECRET_KEYS", secretKeys()));
  }

  /** Every node decrypts the same DKIM keys: the test context's master keys, given as the setting all nodes share. */
  String secretKeys() throws Exception {
    return Files.readAllLines(dataDir.resolve("secret.keys")).stream().filter(l -> !l.isBlank() && !l.strip().startsWith("#"))
        .collect(Collectors.joining(","));
  }

  @Test
  void killed_three_times_mid_campaign_the_nodes_lose_nobody_repeat_only_what_was_in_flight_and_finish_only_when_done() throws Exception {
    Path dumps = SinkCapture.directory(dir, "sink");
    Send send = new Send("crash");
    send.schedule();
    List<String> log = new ArrayList<>();
    try (SmtpSink sink = SmtpSink.start(dumps)) {
      SinkCapture capture = new SinkCapture(dumps);
      for (int kill = 1; kill <= 3; kill++) {
        int threshold = RECIPIENTS * kill / 4;
        try (HeraldProcess node = node("node-" + kill, sink)) {
          await(node, "the sink to hold " + threshold + " messages", () -> count(capture) >= threshold, 3);
          await(node, "the node holding claimed recipients", () -> send.sending(node) > 0, 1);
          node.kill();
          int inFlight = send.killed(node);
          log.add("kill %d at %d messages at the sink: %d in flight".formatted(kill, count(capture), inFlight));
        }
      }
      try (HeraldProcess last = node("node-4", sink)) {
        await(last, "the campaign finished", send::finished, 5);
      }
      check(send, capture, log);
    }
  }

  @Test
  void two_nodes_send_one_campaign_and_the_survivor_finishes_what_the_killed_one_held() throws Exception {
    Path dumps = SinkCapture.directory(dir, "sink");
    Send send = new Send("pair");
    List<String> log = new ArrayList<>();
    try (SmtpSink sink = SmtpSink.start(dumps);
         HeraldProcess a = node("node-a", sink);
         HeraldProcess b = node("node-b", sink)) {
      SinkCapture capture = new SinkCapture(dumps);
      a.awaitStarted();
      b.awaitStarted();
      send.schedule();
      // Both deliver before one dies: each has recipients recorded delivered under its name.
      await(a, "both nodes delivering", () -> send.deliveredBy(a) > 0 && send.deliveredBy(b) > 0 && count(capture) >= RECIPIENTS / 3, 3);
      await(a, "node-a holding claimed recipients", () -> send.sending(a) > 0, 1);
      a.kill();
      int inFlight = send.killed(a);
      log.add("node-a killed at %d messages at the sink: %d in flight".formatted(count(capture), inFlight));
      await(b, "node-b finishing the campaign", send::finished, 5);
      assertThat(send.deliveredBy(b)).as("node-b's share").isGreaterThan(send.deliveredBy(a));
      check(send, capture, log);
    }
  }

  /**
   * Every subscriber got the campaign at least once; extra copies only for recipients in flight at a kill, at most
   * one per such recipient; each copy the same message (one Message-ID per recipient).
   */
  void check(Send send, SinkCapture capture, List<String> log) throws Exception {
    List<SinkCapture.Dump> dumps = capture.read();
    Map<String, Integer> copies = SinkCapture.perRecipient(dumps);
    Set<String> missing = new HashSet<>(send.recipients);
    missing.removeAll(copies.keySet());
    Map<String, Integer> repeated = new TreeMap<>();
    copies.forEach((to, n) -> {
      if (n > 1) repeated.put(to, n);
    });
    int extra = repeated.values().stream().mapToInt(n -> n - 1).sum();
    System.out.printf("Campaign crash test: %d recipients, %s; %d extra copies at the sink (bound %d: in flight at each kill %s)%n",
        RECIPIENTS, String.join("; ", log), extra, send.inFlight.size(), send.inFlightPerKill);

    assertThat(missing).as("subscribers the sink never got").isEmpty();
    assertThat(copies.keySet()).as("recipients at the sink").containsExactlyInAnyOrderElementsOf(send.recipients);
    assertThat(repeated.keySet()).as("recipients with more than one copy were in flight at a kill")
        .isSubsetOf(new HashSet<>(send.inFlight.values()));
    assertThat(extra).as("extra copies").isLessThanOrEqualTo(send.inFlight.size());
    assertThat(send.inFlightPerKill.stream().mapToInt(Integer::intValue).sum()).as("the kills hit recipients in flight").isPositive();

    Map<String, Set<String>> messageIds = new HashMap<>();
    Pattern messageId = Pattern.compile("(?im)^Message-ID: *(<[^>]+>)");
    for (SinkCapture.Dump d : dumps) {
      Matcher m = messageId.matcher(new String(d.wire(), StandardCharsets.ISO_8859_1));
      assertThat(m.find()).as(d.file() + " has a Message-ID").isTrue();
      for (String to : d.recipients()) messageIds.computeIfAbsent(to, k -> new HashSet<>()).add(m.group(1));
    }
    assertThat(messageIds.values()).allSatisfy(ids -> assertThat(ids).hasSize(1));
    assertThat(messageIds.values().stream().flatMap(Set::stream).distinct().count()).as("one Message-ID per subscriber")
        .isEqualTo(RECIPIENTS);
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
