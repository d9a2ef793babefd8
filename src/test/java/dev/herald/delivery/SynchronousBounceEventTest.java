package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestClock;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.event.TransactionalEventListener;
import tools.jackson.databind.ObjectMapper;

/**
 * A remote 5xx to RCPT publishes {@link DeliveryEvents.RecipientBounced} in the transaction that records the bounce
 * (a transactional listener sees it after the commit), and {@link SentRecipients} finds the recipient a return path
 * names. Peer: Postfix's smtp-sink refusing RCPT (-f rcpt) or accepting everything.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.delivery.static-route=127.0.0.1:9"})
@Import({TestOrganizations.class, TestClock.class, DeliveryFaultsTest.Peers.class, SynchronousBounceEventTest.Listener.class})
class SynchronousBounceEventTest {
  /** Sees an event only after the transaction it was published in commits. */
  static class Listener {
    static final List<DeliveryEvents.RecipientBounced> committed = new CopyOnWriteArrayList<>();

    @TransactionalEventListener
    void on(DeliveryEvents.RecipientBounced event) {
      committed.add(event);
    }
  }

  @Autowired DeliveryFaultsTest.SwitchedRoute route;
  @Autowired MutableClock clock;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
  @Autowired SentRecipients sent;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @TempDir Path dir;
  SmtpSink sink;

  @AfterEach
  void close() throws Exception {
    if (sink != null) sink.close();
  }

  long organizationId;

  long send(String from, String to) {
    SendRequest request = json.convertValue(Map.of("from", from, "to", List.of(to), "subject", "Bounce test", "text", "Hello"),
        SendRequest.class);
    long id = outbound.accept(organizationId, request, null).recipients().getFirst().id();
    Duration behind = Duration.between(clock.instant(), Instant.now());
    if (!behind.isNegative()) clock.advance(behind.plusSeconds(1));
    return id;
  }

  String state(long id) {
    return jdbc.sql("select state from outbound_recipient where id = ?").param(id).query(String.class).single();
  }

  void await(long id, String state) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!state(id).equals(state)) {
      assertThat(System.nanoTime()).as("recipient %d never %s", id, state).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void a_5xx_to_rcpt_publishes_the_bounce_after_its_commit_and_a_delivery_publishes_nothing() throws Exception {
    organizationId = organizations.create("Bounce events", "send").id();
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(organizationId, "bounce-events.example");
    sink = SmtpSink.start(null, "-f", "rcpt");
    route.to(sink.address, dev.herald.delivery.smtp.TlsPolicy.OPPORTUNISTIC);
    long id = send("news@bounce-events.example", "gone@reject.example");
    await(id, "bounced");
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (Listener.committed.stream().noneMatch(e -> e.recipientId() == id)) {
      assertThat(System.nanoTime()).as("no RecipientBounced after the commit").isLessThan(deadline);
      Thread.sleep(20);
    }
    DeliveryEvents.RecipientBounced event = Listener.committed.stream().filter(e -> e.recipientId() == id).findFirst().orElseThrow();
    long messageId = jdbc.sql("select message_id from outbound_recipient where id = ?").param(id).query(Long.class).single();
    assertThat(event.organizationId()).isEqualTo(organizationId);
    assertThat(event.messageId()).isEqualTo(messageId);
    assertThat(event.address()).isEqualTo("gone@reject.example");
    assertThat(event.replyCode()).isEqualTo(500);
    assertThat(event.enhancedStatus()).isEqualTo("5.3.0");
    assertThat(event.reply()).contains("command failed");
    assertThat(event.kind()).isEqualTo(MessageSourceKind.API);
    assertThat(event.sourceRef()).isNull();

    assertThat(sent.find(messageId, id)).hasValueSatisfying(r -> {
      assertThat(r.organizationId()).isEqualTo(organizationId);
      assertThat(r.address()).isEqualTo("gone@reject.example");
      assertThat(r.kind()).isEqualTo(MessageSourceKind.API);
      assertThat(r.sourceRef()).isNull();
    });
    assertThat(sent.find(messageId + 1000, id)).as("a pair that does not match").isEmpty();

    sink.close();
    sink = SmtpSink.start(null);
    route.to(sink.address, dev.herald.delivery.smtp.TlsPolicy.OPPORTUNISTIC);
    long delivered = send("news@bounce-events.example", "here@accept.example");
    await(delivered, "delivered");
    assertThat(Listener.committed).extracting(DeliveryEvents.RecipientBounced::recipientId).containsExactly(id);
  }
}
