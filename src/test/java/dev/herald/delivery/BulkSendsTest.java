package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.delivery.BulkSends.BulkRecipient;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.messages.MessageBuilder;
import dev.herald.messages.ReturnPath;
import dev.herald.platform.Refused;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The queue's contract for large sends: adding is idempotent per address and carries the sender's ref; a held send is
 * not claimed (and rows added while it is held start held) until released; cancel ends what waits; states count
 * progress. And a lane over the send's rows, with a source answering per ref: sent, not sent any more, cancelled, or
 * held, each row ending accordingly without an attempt for those not sent, and only the one sent at the sink. No
 * worker runs on this node (role web): the test claims and runs the lane itself.
 */
@SpringBootTest(properties = {"herald.roles=web", "herald.delivery.route=static"})
@Import(TestOrganizations.class)
class BulkSendsTest {
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired BulkSends bulk;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired DeliveryQueue queue;
  @Autowired JdbcClient jdbc;
  @Autowired ReturnPath returnPath;
  @Autowired Routing routing;
  @Autowired DeliveryAttempt attempt;
  @Autowired SandboxMailbox sandbox;
  @Autowired Destinations destinations;
  @Autowired ShapingRules shaping;
  @Autowired RetrySchedule retry;
  @Autowired Clock clock;

  static int counter;

  record Sender(long org, long domainId, String from) {}

  Sender sender() {
    counter++;
    long org = organizations.create("Bulk " + counter, "send").id();
    String domain = "bulk-" + counter + ".example";
    long id = new TestSendingDomains(sendingDomains, jdbc).verified(org, domain);
    return new Sender(org, id, "news@" + domain);
  }

  long open(Sender s) {
    return bulk.open(s.org(), s.domainId(), MessageSourceKind.CAMPAIGN, s.from(), "Bulk subject");
  }

  Map<String, String> rows(long message) {
    Map<String, String> rows = new HashMap<>();
    jdbc.sql("select address, state from outbound_recipient where message_id = ?").param(message)
        .query(rs -> {
          rows.put(rs.getString(1), rs.getString(2));
        });
    return rows;
  }

  @Test
  void open_takes_only_a_verified_domain_of_the_organization_and_stores_no_content() {
    Sender s = sender();
    Sender other = sender();
    long message = open(s);
    assertThat(jdbc.sql("select source || ' ' || (content is null) || ' ' || held from outbound_message where id = ?").param(message)
        .query(String.class).single()).isEqualTo("campaign true false");
    assertThatThrownBy(() -> bulk.open(s.org(), other.domainId(), MessageSourceKind.CAMPAIGN, s.from(), "x")).isInstanceOf(Refused.class);
    assertThatThrownBy(() -> bulk.open(s.org(), s.domainId(), MessageSourceKind.CAMPAIGN, other.from(), "x")).isInstanceOf(Refused.class);
    assertThatThrownBy(() -> bulk.open(s.org(), s.domainId(), MessageSourceKind.API, s.from(), "x"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void adding_is_idempotent_per_address_and_keeps_each_recipients_ref() {
    Sender s = sender();
    long message = open(s);
    assertThat(bulk.add(message, List.of(new BulkRecipient(11, "ann@one.example"), new BulkRecipient(12, "Bob@Two.Example"),
        new BulkRecipient(13, "ann@one.example")))).isEqualTo(2);
    assertThat(bulk.add(message, List.of(new BulkRecipient(12, "bob@two.example"), new BulkRecipient(14, "cy@one.example"))))
        .as("a repeated batch queues nobody twice").isEqualTo(1);
    assertThat(bulk.add(message, List.of(new BulkRecipient(15, "not an address")))).isEqualTo(1);

    List<BulkSends.Recipient> page = bulk.page(message, null, 0, 10);
    assertThat(page).extracting(BulkSends.Recipient::ref).containsExactly(11L, 12L, 14L, 15L);
    assertThat(page).extracting(BulkSends.Recipient::address)
        .containsExactly("ann@one.example", "Bob@two.example", "cy@one.example", "not an address");
    assertThat(page.getLast().state()).isEqualTo(RecipientState.FAILED);
    assertThat(page.getLast().lastReply()).contains("not a valid address");
    assertThat(bulk.page(message, null, page.get(1).id(), 10)).extracting(BulkSends.Recipient::ref).containsExactly(14L, 15L);
    assertThat(bulk.page(message, RecipientState.QUEUED, 0, 10)).hasSize(3);
    assertThat(bulk.states(message)).isEqualTo(Map.of(RecipientState.QUEUED, 3L, RecipientState.FAILED, 1L));
    assertThat(jdbc.sql("select count(distinct organization_id) from outbound_recipient where message_id = ? and organization_id = ?")
        .params(message, s.org()).query(Long.class).single()).isEqualTo(1);

    List<DeliveryQueue.Claimed> claimed = queue.claim("one.example", 10, Set.of());
    assertThat(claimed).extracting(DeliveryQueue.Claimed::ref).containsExactlyInAnyOrder(11L, 14L);
    assertThat(claimed).extracting(DeliveryQueue.Claimed::source).containsOnly(MessageSourceKind.CAMPAIGN);
    queue.release(claimed, clock.instant());
  }

  @Test
  void a_held_send_is_not_claimed_until_it_is_released() {
    Sender s = sender();
    long message = open(s);
    bulk.add(message, List.of(new BulkRecipient(1, "dan@held.example"), new BulkRecipient(2, "eve@held.example")));
    bulk.hold(message);
    bulk.add(message, List.of(new BulkRecipient(3, "fay@held.example")));
    assertThat(rows(message).values()).as("rows added while held start held").containsOnly("held");
    assertThat(queue.claim("held.example", 10, Set.of())).isEmpty();
    assertThat(queue.dueDomains(Set.of(), 500)).extracting(DeliveryQueue.DueDomain::domain).doesNotContain("held.example");

    bulk.release(message);
    assertThat(rows(message).values()).containsOnly("queued");
    List<DeliveryQueue.Claimed> claimed = queue.claim("held.example", 10, Set.of());
    assertThat(claimed).extracting(DeliveryQueue.Claimed::ref).containsExactlyInAnyOrder(1L, 2L, 3L);

    // A row tried before goes back to deferred, not queued, when released.
    queue.release(claimed.subList(0, 1), clock.instant());
    jdbc.sql("update outbound_recipient set attempts = 1, state = 'deferred' where id = ?").param(claimed.getFirst().id()).update();
    bulk.hold(message);
    assertThat(rows(message).get(claimed.getFirst().address())).isEqualTo("held");
    bulk.release(message);
    assertThat(rows(message).get(claimed.getFirst().address())).isEqualTo("deferred");
  }

  @Test
  void cancel_ends_waiting_and_held_rows_as_deleted_with_the_reason_and_leaves_the_finished() {
    Sender s = sender();
    long message = open(s);
    bulk.add(message, List.of(new BulkRecipient(1, "gil@cancel.example"), new BulkRecipient(2, "hal@cancel.example"),
        new BulkRecipient(3, "ida@cancel.example")));
    jdbc.sql("update outbound_recipient set state = 'delivered' where message_id = ? and address = 'gil@cancel.example'").param(message).update();
    bulk.hold(message);
    assertThat(bulk.cancel(message, "Campaign cancelled by ann@org.example")).isEqualTo(2);
    assertThat(bulk.states(message)).isEqualTo(Map.of(RecipientState.DELIVERED, 1L, RecipientState.DELETED, 2L));
    assertThat(bulk.page(message, RecipientState.DELETED, 0, 10)).allSatisfy(r -> {
      assertThat(r.lastReply()).isEqualTo("Campaign cancelled by ann@org.example");
      assertThat(r.finishedAt()).isNotNull();
    });
    assertThatThrownBy(() -> bulk.cancel(-1, "x")).isInstanceOf(Refused.class);
  }

  /** A source answering per ref: 1 sent, 2 not sent any more, 3 cancelled, 4 held. */
  static final class ByRef implements MessageSource {
    final List<Wanted> asked = new ArrayList<>();
    final String from;

    ByRef(String from) {
      this.from = from;
    }

    @Override
    public MessageSourceKind kind() {
      return MessageSourceKind.CAMPAIGN;
    }

    @Override
    public Answer content(Wanted wanted) {
      throw new AssertionError("asked one at a time");
    }

    @Override
    public Map<Wanted, Answer> contents(Collection<Wanted> wanted) {
      asked.addAll(wanted);
      Map<Wanted, Answer> answers = new HashMap<>();
      for (Wanted w : wanted) {
        answers.put(w, switch (w.ref().intValue()) {
          case 1 -> {
            var m = new MessageBuilder().from(from, null).to("jo@lane.example", null).subject("Sent").text("Hello").build();
            yield new Content(m.bytes(), m.smtpUtf8());
          }
          case 2 -> new NotSent("Not sent: unsubscribed since the campaign started");
          case 3 -> new Cancelled("Campaign cancelled");
          default -> new Held();
        });
      }
      return answers;
    }
  }

  @Test
  void a_lane_sends_what_its_source_gives_and_ends_the_rest_as_the_source_answered_without_an_attempt() throws Exception {
    Sender s = sender();
    long message = open(s);
    bulk.add(message, List.of(new BulkRecipient(1, "jo@lane.example"), new BulkRecipient(2, "kit@lane.example"),
        new BulkRecipient(3, "lu@lane.example"), new BulkRecipient(4, "mo@lane.example")));
    ByRef source = new ByRef(s.from());
    DeliveryWorker.LaneParts parts = new DeliveryWorker.LaneParts(queue, Map.of(MessageSourceKind.CAMPAIGN, source),
        new Signers(sendingDomains, clock), returnPath, routing, attempt, sandbox, destinations, shaping, retry, clock,
        new ConcurrentHashMap<>(), new SessionCache(clock, 4));
    List<DeliveryQueue.Claimed> batch = queue.claim("lane.example", 10, Set.of());
    assertThat(batch).hasSize(4);
    new DeliveryLane(parts, "lane.example", 10, Set::of, () -> false).deliver(batch);

    assertThat(source.asked).extracting(MessageSource.Wanted::ref).containsExactlyInAnyOrder(1L, 2L, 3L, 4L);
    assertThat(source.asked).allSatisfy(w -> assertThat(w.messageId()).isEqualTo(message));
    assertThat(rows(message)).isEqualTo(Map.of("jo@lane.example", "delivered", "kit@lane.example", "failed",
        "lu@lane.example", "deleted", "mo@lane.example", "held"));
    Map<String, String> replies = new HashMap<>();
    jdbc.sql("select address, last_reply, attempts, finished_at is not null from outbound_recipient where message_id = ?").param(message)
        .query(rs -> {
          replies.put(rs.getString(1), rs.getString(2) + " | " + rs.getInt(3) + " | " + rs.getBoolean(4));
        });
    assertThat(replies.get("kit@lane.example")).isEqualTo("Not sent: unsubscribed since the campaign started | 0 | true");
    assertThat(replies.get("lu@lane.example")).isEqualTo("Campaign cancelled | 0 | true");
    assertThat(replies.get("mo@lane.example")).isEqualTo(" | 0 | false");
    assertThat(jdbc.sql("select count(*) from outbound_attempt where message_id = ?").param(message).query(Long.class).single())
        .as("only the one sent has an attempt").isEqualTo(1);
    assertThat(sink.messages(0).stream().filter(d -> d.contains("@lane.example>")).toList()).hasSize(1)
        .allSatisfy(d -> assertThat(d).contains("X-Rcpt-Args: <jo@lane.example>"));

    // The held one goes again once released.
    bulk.release(message);
    assertThat(rows(message).get("mo@lane.example")).isEqualTo("queued");
  }
}
