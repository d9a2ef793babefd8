package dev.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.herald.messages.PythonDkim;
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
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the kill -9 tests share ({@code MtaCrashTest}, {@code CampaignCrashTest}): Herald nodes as separate processes
 * ({@link HeraldProcess}) over the test's own PostgreSQL database, all decrypting the same DKIM keys and delivering
 * through the static route to one {@link SmtpSink}; bounded waits that fail with the node's log; what was in flight at
 * each kill; and the check of what reached the sink.
 *
 * <p>In flight at a kill: the recipients the killed node had claimed and not yet recorded (its queue rows still
 * {@code sending} once it is dead). Only those can reach the sink twice (the sink took the message but the node died
 * before writing that down); every other recipient is either recorded delivered (never claimed again) or was never
 * handed to the sink. So: every recipient at the sink at least once, every extra copy one of a recipient in flight at
 * a kill, and at most as many extra copies as there were such recipients.
 */
public final class KilledNodes {
  private final Path dir;
  private final String dbUrl;
  private final String secretKeys;
  /** Recipient row id → address of those in flight at some kill. */
  private final Map<Long, String> inFlight = new HashMap<>();
  private final List<Integer> inFlightPerKill = new ArrayList<>();
  private final List<String> log = new ArrayList<>();

  /**
   * @param dir     the test's temporary directory (nodes' logs and data, the sink's dumps, files for python3-dkim)
   * @param dbUrl   the test context's {@code herald.db.url}: the nodes share its database
   * @param dataDir the test context's {@code herald.data-dir}: its master keys become every node's
   *                {@code HERALD_SECRET_KEYS}, so all decrypt the DKIM keys the test made
   */
  public KilledNodes(Path dir, String dbUrl, Path dataDir) throws Exception {
    this.dir = dir;
    this.dbUrl = dbUrl;
    this.secretKeys = Files.readAllLines(dataDir.resolve("secret.keys")).stream()
        .filter(l -> !l.isBlank() && !l.strip().startsWith("#")).collect(Collectors.joining(","));
  }

  /** A new sink capturing into the test's directory. */
  public SmtpSink sink() throws Exception {
    return SmtpSink.start(SmtpSink.directory(dir, "sink"));
  }

  /**
   * The settings of a node with these roles delivering every message to the sink, polling every 100 ms, with the
   * shortest lease term (1 minute); the caller adds its own (worker batch size, lanes, rates) before {@link #start}.
   */
  public Map<String, String> settings(String roles, SmtpSink sink, String dnsResolvers) {
    Map<String, String> settings = new LinkedHashMap<>();
    settings.put("herald.db.url", dbUrl);
    settings.put("herald.db.pool-size", "6");
    settings.put("herald.roles", roles);
    settings.put("herald.dns.resolvers", dnsResolvers);
    settings.put("herald.delivery.route", "static");
    settings.put("herald.delivery.static-route", "127.0.0.1:" + sink.address.getPort());
    settings.put("herald.delivery.worker.lease-term", "1m");
    settings.put("herald.delivery.worker.poll", "100ms");
    return settings;
  }

  public HeraldProcess start(String name, Map<String, String> settings) throws Exception {
    return HeraldProcess.start(name, dir, settings, Map.of("HERALD_SECRET_KEYS", secretKeys));
  }

  /** Polls (every 10 ms) until the condition holds; fails with the node's log if it died or the minutes passed. */
  public static void await(HeraldProcess node, String what, BooleanSupplier condition, int minutes) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(minutes);
    while (!condition.getAsBoolean()) {
      if (!node.alive()) fail(node.name() + " died while waiting for " + what + ":\n" + node.tail(60));
      if (System.nanoTime() > deadline) fail("No " + what + " within " + minutes + " minutes; " + node.name() + "'s log:\n" + node.tail(60));
      Thread.sleep(10);
    }
  }

  /**
   * Kills the node (kill -9) while it holds claimed recipients ({@code holding} counts them): the sink is frozen
   * first, so no transaction completes from then on, and after a moment for replies already sent to be taken in, the
   * node's claims can only grow until the kill. Without the freeze a node could record its last claimed recipients
   * between the look and the kill, and die holding none (a kill that tests no takeover; seen in CI).
   */
  public static void killHolding(HeraldProcess node, SmtpSink sink, LongSupplier holding) throws Exception {
    sink.freeze();
    try {
      Thread.sleep(300);
      await(node, "the node holding claimed recipients", () -> holding.getAsLong() > 0, 1);
      node.kill();
    } finally {
      sink.thaw();
    }
  }

  /**
   * The rows of {@code table} whose {@code column} is {@code key}, counted by their {@code state} (the states present,
   * in order): the queue's or the ledger's picture a crash test compares before and after the kills.
   */
  public static Map<String, Long> countByState(JdbcClient jdbc, String table, String column, long key) {
    Map<String, Long> states = new TreeMap<>();
    jdbc.sql("select state, count(*) from " + table + " where " + column + " = ? group by state").param(key)
        .query(rs -> {
          states.put(rs.getString(1), rs.getLong(2));
        });
    return states;
  }

  /**
   * Records a kill: the dead node's claimed, unrecorded recipients (row id → address), and a line for the summary
   * ({@code what}, e.g. "kill 2 at 300 messages at the sink"). Returns how many were in flight.
   */
  public int killed(String what, Map<Long, String> claimed) {
    inFlight.putAll(claimed);
    inFlightPerKill.add(claimed.size());
    log.add(what + ": " + claimed.size() + " in flight");
    return claimed.size();
  }

  /** What reached the sink, against what was sent and what was in flight. */
  public record Copies(int recipients, int missing, int extra, int bound, List<Integer> inFlightPerKill, int messageIds) {}

  /**
   * Prints a summary line starting with {@code title}, then checks what the sink holds: every recipient got the
   * message at least once and nobody else got it; extra copies only for recipients in flight at a kill, at most one
   * per such recipient, and the kills hit recipients in flight; each copy of a recipient the same message (one
   * Message-ID per recipient, a different one for each); every copy passes the MIME lint, and python3-dkim verifies
   * both of its signatures (RSA and Ed25519) against {@code dkimRecords}.
   */
  public Copies check(String title, SmtpSink sink, List<String> recipients, Map<String, String> dkimRecords, long startedNanos)
      throws Exception {
    List<SmtpSink.Dump> dumps = sink.captured();
    Map<String, Integer> copies = SmtpSink.perRecipient(dumps);
    Set<String> missing = new HashSet<>(recipients);
    missing.removeAll(copies.keySet());
    Map<String, Integer> repeated = new TreeMap<>();
    copies.forEach((to, n) -> {
      if (n > 1) repeated.put(to, n);
    });
    int extra = repeated.values().stream().mapToInt(n -> n - 1).sum();
    Map<String, Set<String>> messageIds = new HashMap<>();
    Pattern messageId = Pattern.compile("(?im)^Message-ID: *(<[^>]+>)");
    for (SmtpSink.Dump d : dumps) {
      Matcher m = messageId.matcher(d.text());
      assertThat(m.find()).as(d.file() + " has a Message-ID").isTrue();
      for (String to : d.recipients()) messageIds.computeIfAbsent(to, k -> new HashSet<>()).add(m.group(1));
    }
    long distinctIds = messageIds.values().stream().flatMap(Set::stream).distinct().count();
    Copies result = new Copies(recipients.size(), missing.size(), extra, inFlight.size(), List.copyOf(inFlightPerKill), (int) distinctIds);
    System.out.printf("%s: %d recipients, %s; %d missing; %d extra copies at the sink (bound %d: in flight at each kill %s); %d copies, %.1f s%n",
        title, recipients.size(), String.join("; ", log), missing.size(), extra, inFlight.size(), inFlightPerKill, dumps.size(),
        (System.nanoTime() - startedNanos) / 1e9);

    assertThat(missing).as("recipients the sink never got").isEmpty();
    assertThat(copies.keySet()).as("recipients at the sink").containsExactlyInAnyOrderElementsOf(recipients);
    assertThat(repeated.keySet()).as("recipients with more than one copy were in flight at a kill")
        .isSubsetOf(new HashSet<>(inFlight.values()));
    assertThat(extra).as("extra copies").isLessThanOrEqualTo(inFlight.size());
    assertThat(inFlightPerKill.stream().mapToInt(Integer::intValue).sum()).as("the kills hit recipients in flight").isPositive();
    assertThat(messageIds.values()).as("one Message-ID per recipient over its copies").allSatisfy(ids -> assertThat(ids).hasSize(1));
    assertThat(distinctIds).as("a Message-ID of its own for each recipient").isEqualTo(recipients.size());

    Path wire = Files.createDirectories(dir.resolve("wire"));
    List<Path> files = new ArrayList<>();
    for (SmtpSink.Dump d : dumps) {
      Path file = wire.resolve(d.file().getFileName() + ".eml");
      Files.write(file, d.wire());
      files.add(file);
    }
    for (int from = 0; from < dumps.size(); from += 2_000) { // in runs of 2,000: each message is an argument of the lint
      MimeLint.checkAll(dumps.subList(from, Math.min(dumps.size(), from + 2_000)).stream().map(SmtpSink.Dump::wire).toList(), false);
    }
    Map<Path, List<String>> verdicts = PythonDkim.verify(dir, dkimRecords, files);
    assertThat(verdicts).as("python3-dkim's verdicts per captured message").allSatisfy((file, v) ->
        assertThat(v).as(file.toString()).hasSize(2).containsOnly("pass"));
    System.out.printf("%s: every copy (%d) lint-clean and DKIM-valid (both signatures)%n", title, files.size());
    return result;
  }
}
