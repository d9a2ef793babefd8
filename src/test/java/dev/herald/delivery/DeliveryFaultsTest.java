package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.smtp.SmtpClient;
import dev.herald.delivery.smtp.TlsPolicy;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.messages.PythonDkim;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MimeLint;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestClock;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.ObjectMapper;

/**
 * Remote servers that misbehave (issue 10, "Reliability tests"): each recipient ends in the right state, retry or
 * bounce, and nothing is lost. The peers are Postfix's smtp-sink with its fault injection (-r, -f, -q, -W); it offers
 * no STARTTLS at all, which is the peer of the "STARTTLS required" case. One node in this JVM delivers, its clock a
 * {@link MutableClock} moved past each retry instead of waiting for it.
 *
 * <p>Two parts are the test's own: the route, which sends every domain to the sink of the moment (the static route's
 * destination, with a TLS policy a test may make "required": Herald has no setting for that on the static route), and
 * the SMTP client's wait for the reply to the end of data, 3 s instead of RFC 5321's 10 minutes, so a stalled server is
 * given up in a test's time.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.delivery.static-route=127.0.0.1:9"})
@Import({TestOrganizations.class, TestClock.class, DeliveryFaultsTest.Peers.class})
class DeliveryFaultsTest {
  /** The wait for the reply to the end of data; every other wait is 20 s, so a loaded machine does not trip them. */
  static final Duration DATA_TERMINATION = Duration.ofSeconds(3);

  /** Where every domain's mail goes now: one server, with a TLS policy. */
  static final class SwitchedRoute implements Route {
    private volatile Destination destination;

    void to(InetSocketAddress server, TlsPolicy tls) {
      destination = new Servers(List.of(new Server("sink.test", List.of(server.getAddress()), server.getPort(), tls)));
    }

    @Override
    public Destination route(Sender sender, String domain) {
      return destination;
    }
  }

  @TestConfiguration
  static class Peers {
    static final Duration LONG = Duration.ofSeconds(20);

    @Bean
    @Primary
    SwitchedRoute switchedRoute() {
      return new SwitchedRoute();
    }

    @Bean
    @Primary
    DeliveryAttempt shortTimeouts(SwitchedRoute route, IpPools pools, SandboxMailbox sandbox) {
      return new DeliveryAttempt(route, new SmtpClient(new SmtpClient.Timeouts(LONG, LONG, LONG, LONG, LONG, LONG, LONG, DATA_TERMINATION)),
          pools::egressFor, sandbox, 100);
    }
  }

  @Autowired SwitchedRoute route;
  @Autowired MutableClock clock;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @TempDir Path dir;

  static int counter;
  long organizationId;
  String from;
  Map<String, String> dkimRecords;
  /** Every sink of the test: what they captured goes through python3-dkim at the end. */
  final List<SmtpSink> sinks = new ArrayList<>();

  @BeforeEach
  void organization() {
    counter++;
    TestOrganizations.Created org = organizations.create("Faults " + counter, "send");
    organizationId = org.id();
    from = "news@faults-" + counter + ".example";
    dkimRecords = new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(organizationId, "faults-" + counter + ".example");
  }

  @AfterEach
  void everyCapturedMessagePassesTheMimeLintAndIsDkimValid() throws Exception {
    try {
      List<Path> files = new ArrayList<>();
      List<byte[]> messages = new ArrayList<>();
      for (SmtpSink sink : sinks) {
        for (SmtpSink.Dump d : sink.captured()) {
          Path file = dir.resolve("wire-" + files.size() + ".eml");
          Files.write(file, d.wire());
          files.add(file);
          messages.add(d.wire());
        }
      }
      if (!files.isEmpty()) {
        MimeLint.checkAll(messages, false);
        assertThat(PythonDkim.verify(dir, dkimRecords, files)).allSatisfy((file, verdicts) ->
            assertThat(verdicts).as(file.toString()).hasSize(2).containsOnly("pass"));
      }
    } finally {
      for (SmtpSink sink : sinks) sink.close();
    }
  }

  /** A sink with these smtp-sink options, now the destination of every domain. */
  SmtpSink sink(TlsPolicy tls, String... options) throws Exception {
    SmtpSink sink = SmtpSink.start(SmtpSink.directory(dir, "sink-" + sinks.size()), options);
    sinks.add(sink);
    route.to(sink.address, tls);
    return sink;
  }

  SmtpSink sink(String... options) throws Exception {
    return sink(TlsPolicy.OPPORTUNISTIC, options);
  }

  record Row(long id, String state, int attempts, String lastReply, Instant nextAttemptAt, Instant finishedAt) {}

  /** Sends one message to {@code to}; its one recipient row's id. */
  long send(String to) {
    SendRequest request = json.convertValue(Map.of("from", from, "to", List.of(to), "subject", "Fault test", "text", "Hello " + to,
        "html", "<p>Hello " + to + "</p>"), SendRequest.class);
    long id = outbound.accept(organizationId, request, null).recipients().getFirst().id();
    // The row is due from the database's now(); the worker compares with the test's clock, which stands still.
    Duration behind = Duration.between(clock.instant(), Instant.now());
    if (!behind.isNegative()) clock.advance(behind.plusSeconds(1));
    return id;
  }

  Row row(long id) {
    return jdbc.sql("select id, state, attempts, last_reply, next_attempt_at, finished_at from outbound_recipient where id = ?").param(id)
        .query((rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getInt(3), rs.getString(4), rs.getTimestamp(5).toInstant(),
            rs.getTimestamp(6) == null ? null : rs.getTimestamp(6).toInstant()))
        .single();
  }

  List<String> attemptOutcomes(long id) {
    return jdbc.sql("select outcome from outbound_attempt where recipient_id = ? order by id").param(id).query(String.class).list();
  }

  /** Waits (at most 20 s) until the recipient's row is in this state. */
  Row await(long id, String state) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!row(id).state().equals(state)) {
      assertThat(System.nanoTime()).as("waited 20 s for recipient %d %s: %s, attempts %s", id, state, row(id), attempts(id))
          .isLessThan(deadline);
      Thread.sleep(20);
    }
    return row(id);
  }

  List<String> attempts(long id) {
    return jdbc.sql("select outcome || ' ' || coalesce(reply_code::text, '-') || ' ' || reply_text from outbound_attempt where recipient_id = ? order by id")
        .param(id).query(String.class).list();
  }

  /** A deferred recipient: its reply kept, its next attempt at the first retry (5 min ± 10 %), not finished. */
  void deferredForTheFirstRetry(Row row, String reply) {
    assertThat(row.state()).isEqualTo("deferred");
    assertThat(row.attempts()).isEqualTo(1);
    assertThat(row.lastReply()).contains(reply);
    assertThat(row.finishedAt()).isNull();
    assertThat(row.nextAttemptAt()).isBetween(clock.instant().plus(Duration.ofSeconds(270)), clock.instant().plus(Duration.ofSeconds(330)));
  }

  /** The server is fixed; the retry comes when the clock passes the next attempt, and the message arrives once. */
  void deliveredOnRetry(long id, String to) throws Exception {
    SmtpSink good = sink();
    clock.advance(Duration.ofMinutes(6));
    Row row = await(id, "delivered");
    assertThat(row.attempts()).isEqualTo(2);
    assertThat(row.lastReply()).startsWith("250");
    assertThat(attemptOutcomes(id)).containsExactly("deferred", "delivered");
    assertThat(SmtpSink.perRecipient(good.captured())).containsExactly(Map.entry(to, 1));
  }

  @Test
  void a_4xx_to_rcpt_defers_the_recipient_until_the_retry_delivers_it() throws Exception {
    SmtpSink deferring = sink("-r", "rcpt");
    long id = send("ann@defer.example");
    deferredForTheFirstRetry(await(id, "deferred"), "450 4.3.0 Error: command failed");
    assertThat(deferring.captured()).isEmpty();
    deliveredOnRetry(id, "ann@defer.example");
  }

  @Test
  void a_5xx_after_the_message_bounces_the_recipient_with_the_reply_and_it_is_never_tried_again() throws Exception {
    SmtpSink rejecting = sink("-f", ".");
    long id = send("bob@reject.example");
    Row row = await(id, "bounced");
    assertThat(row.attempts()).isEqualTo(1);
    assertThat(row.lastReply()).startsWith("500 5.3.0 Error: command failed");
    assertThat(row.finishedAt()).isNotNull();
    // The sink refused what it received in full (smtp-sink keeps the file of a message it refuses at its end).
    assertThat(SmtpSink.perRecipient(rejecting.captured())).containsExactly(Map.entry("bob@reject.example", 1));

    SmtpSink good = sink();
    clock.advance(Duration.ofHours(1));
    long other = send("cat@reject.example"); // the worker runs on: a later message goes, the bounced one does not
    await(other, "delivered");
    assertThat(row(id)).isEqualTo(row);
    assertThat(attemptOutcomes(id)).containsExactly("bounced");
    assertThat(SmtpSink.perRecipient(good.captured())).containsOnlyKeys("cat@reject.example");
  }

  @Test
  void a_connection_dropped_after_the_message_defers_the_recipient_and_the_retry_delivers_it() throws Exception {
    SmtpSink dropping = sink("-q", ".");
    long id = send("dan@drop.example");
    deferredForTheFirstRetry(await(id, "deferred"), "");
    // The sink may have kept the message it never confirmed: the retry can only repeat it, never lose it.
    assertThat(dropping.captured().size()).isLessThanOrEqualTo(1);
    deliveredOnRetry(id, "dan@drop.example");
  }

  @Test
  void a_server_stalling_past_the_timeout_after_the_message_defers_the_recipient_and_the_retry_delivers_it() throws Exception {
    // smtp-sink waits 10 s before its reply to the end of data; the client gives up after 3 s.
    SmtpSink stalling = sink("-W", ".:10");
    long id = send("eve@stall.example");
    Row row = await(id, "deferred");
    deferredForTheFirstRetry(row, "");
    assertThat(row.lastReply()).contains("no reply").contains("to end of data within 3 s");
    assertThat(stalling.captured().size()).isLessThanOrEqualTo(1);
    deliveredOnRetry(id, "eve@stall.example");
  }

  @Test
  void starttls_required_of_a_server_without_it_defers_the_recipient_until_it_expires_and_sends_nothing_in_clear() throws Exception {
    SmtpSink plain = sink(TlsPolicy.REQUIRED);
    long id = send("fay@notls.example");
    Row row = await(id, "deferred");
    deferredForTheFirstRetry(row, "STARTTLS");
    // Retried until the give-up age (5 days), then expired with the reason; never sent without TLS.
    clock.advance(Duration.ofDays(5).plusHours(1));
    row = await(id, "expired");
    assertThat(row.lastReply()).contains("STARTTLS");
    assertThat(row.finishedAt()).isNotNull();
    assertThat(attemptOutcomes(id)).startsWith("deferred").endsWith("expired");
    assertThat(plain.captured()).isEmpty();
  }
}
