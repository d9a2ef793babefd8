package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.mail.AddressDigest;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.RetentionCategory;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.databind.ObjectMapper;

/**
 * Delivery's part of the personal-data map, on mail sent through the send API and delivered by the real worker into the
 * sandbox mailbox (a new installation's delivery mode): the declarations match the schema; access exports the messages
 * to the person, their attempts and their captures; erasure leaves nothing naming the person in the organization's
 * delivery rows (address, headers in stored content, subject, metadata, idempotency key, tracked links naming them,
 * captures) while the rows and their states stay for the counts, another recipient and another organization keep
 * theirs, and a message still owed to someone else keeps its content until they are done; retention empties remote
 * replies after 30 days and stored messages and captures after 35, in batches, per organization or for all.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery", "herald.delivery.worker.poll=50ms", "herald.sending.tracking-host=t.herald.test"})
@Import({TestOrganizations.class, TestClock.class})
class DeliveryPersonalDataTest {
  @Autowired List<PersonalDataHolder> holders;
  @Autowired DeliveryPersonalData delivery;
  @Autowired FinishedAddresses finished;
  @Autowired QueueControls queue;
  @Autowired OutboundMessages outbound;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  static int counter;

  static final String ANN = "Ann.Reader@One.example";
  static final String ANN_KEY = "ann.reader@one.example";

  long organization() {
    counter++;
    long org = organizations.create("Delivery privacy " + counter + " " + System.nanoTime(), "send").id();
    new TestSendingDomains(sendingDomains, jdbc).verified(org, "dp" + counter + "-" + org + ".example");
    return org;
  }

  String from(long org) {
    return "news@" + jdbc.sql("select name from sending_domain where organization_id = ?").param(org).query(String.class).single();
  }

  /** A message through the send API; the clock moved past the database's now, so the worker finds it due. */
  long send(long org, Map<String, Object> fields, String idempotencyKey) {
    Map<String, Object> m = new java.util.LinkedHashMap<>(Map.of("from", from(org), "subject", "Hello", "text", "Hi"));
    m.putAll(fields);
    long id = outbound.accept(org, json.convertValue(m, SendRequest.class), idempotencyKey).id();
    Duration behind = Duration.between(clock.instant(), Instant.now());
    if (!behind.isNegative()) clock.advance(behind.plusSeconds(1));
    return id;
  }

  void awaitFinal(long message) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (jdbc.sql("select count(*) from outbound_recipient where message_id = ? and state in ('queued', 'sending')")
        .param(message).query(Long.class).single() > 0) {
      assertThat(System.nanoTime()).as("message %d still queued", message).isLessThan(deadline);
      Thread.sleep(25);
    }
  }

  static DataSubject ann(long org) {
    return new DataSubject(org, ANN, ANN_KEY, AddressDigest.of(ANN_KEY), List.of());
  }

  Map<String, String> scopes(long org) {
    String mine = "organization_id = " + org + " or organization_id is null";
    return Map.of("outbound_message", mine, "outbound_recipient", mine, "outbound_attempt", mine, "sandbox_message", mine,
        "outbound_link", "message_id in (select id from outbound_message where organization_id = " + org + ")");
  }

  @Test
  void the_declarations_cover_every_text_column_of_every_delivery_table() {
    assertThat(holders).contains(delivery);
    PersonalDataScan.assertDeclaredAsMigrated(jdbc, delivery);
    assertThat(delivery.tables()).extracting(t -> t.table()).contains("outbound_message", "outbound_recipient", "outbound_attempt",
        "outbound_link", "sandbox_message", "delivery_setting", "ip_pool", "ip_pool_address", "organization_ip_pool", "delivery_server",
        "delivery_server_assignment", "delivery_server_usage", "queue_pause");
  }

  @Test
  void access_exports_the_persons_mail_and_erasure_leaves_nothing_naming_them_but_the_counts() throws Exception {
    long org = organization(), other = organization();
    String confirm = "https://shop.example/confirm?email=" + java.net.URLEncoder.encode(ANN_KEY, java.nio.charset.StandardCharsets.UTF_8);
    long toAnn = send(org, Map.of("to", List.of(ANN), "cc", List.of("bob@two.example"), "subject", "Welcome " + ANN,
        "html", "<p>Hi Ann, <a href=\"" + confirm + "\">confirm</a> or <a href=\"https://shop.example/\">shop</a></p>",
        "trackClicks", true, "metadata", Map.of("customer", ANN_KEY)), "welcome-" + ANN_KEY);
    long toBob = send(org, Map.of("to", List.of("bob@two.example"), "subject", "Bob's order"), null);
    long elsewhere = send(other, Map.of("to", List.of(ANN), "subject", "Another shop"), null);
    for (long m : List.of(toAnn, toBob, elsewhere)) awaitFinal(m);
    assertThat(jdbc.sql("select count(*) from sandbox_message where organization_id = ?").param(org).query(Long.class).single())
        .as("the captures say whose mail they are").isEqualTo(3);
    Map<String, Long> statesBefore = states(org);

    PersonalDataScan.Archive archive = new PersonalDataScan.Archive();
    delivery.export(ann(org), archive);
    assertThat(archive.sections.get("messages")).singleElement().satisfies(r -> {
      assertThat(r).containsEntry("message", toAnn).containsEntry("subject", "Welcome " + ANN).containsEntry("state", "delivered")
          .containsEntry("recipient kind", "to").containsEntry("from", from(org)).containsEntry("source", "api");
      assertThat(r.get("date")).isInstanceOf(Instant.class);
    });
    assertThat(archive.sections.get("delivery attempts")).singleElement()
        .satisfies(r -> {
          assertThat(r).containsEntry("message", toAnn).containsEntry("outcome", "delivered");
          assertThat(r.get("reply").toString()).contains("sandbox");
        });
    assertThat(archive.sections.get("sandbox captures")).singleElement().satisfies(r -> {
      assertThat(r.get("recipient").toString()).isEqualToIgnoringCase(ANN);
      assertThat(r.get("message").toString()).contains("Hi Ann");
    });
    assertThat(PersonalDataScan.mentions(jdbc, delivery, ann(org), scopes(org))).as("before the erasure").isNotEmpty();

    var count = delivery.erase(ann(org));
    assertThat(count.anonymized()).containsEntry("outbound_recipient", 1).containsEntry("outbound_message", 1);
    assertThat(count.deleted()).containsEntry("outbound_link", 1).containsEntry("sandbox_message", 2); // Ann's and Bob's copy (To names Ann)
    assertThat(PersonalDataScan.mentions(jdbc, delivery, ann(org), scopes(org))).as("what still names Ann").isEmpty();
    assertThat(states(org)).as("the delivery log's counts").isEqualTo(statesBefore);
    assertThat(jdbc.sql("select octet_length(content) from outbound_message where id = ?").param(toAnn).query(Integer.class).single()).isZero();
    assertThat(jdbc.sql("select link_number from outbound_link where message_id = ?").param(toAnn).query(Integer.class).list())
        .as("the link not naming her stays, for the other recipient's clicks").containsExactly(2);
    assertThat(jdbc.sql("select address from outbound_recipient where message_id = ? order by id").param(toAnn).query(String.class).list())
        .containsExactly("", "bob@two.example");
    assertThat(jdbc.sql("select octet_length(content) > 0 from outbound_message where id = ?").param(toBob).query(Boolean.class).single())
        .as("Bob's own message").isTrue();
    assertThat(jdbc.sql("select count(*) from sandbox_message where organization_id = ? and recipient = 'bob@two.example'").param(org)
        .query(Long.class).single()).as("Bob's capture of his own message").isEqualTo(1);
    assertThat(jdbc.sql("select address from outbound_recipient where message_id = ?").param(elsewhere).query(String.class).single())
        .as("another organization's mail to her").isEqualToIgnoringCase(ANN);
    PersonalDataScan.Archive after = new PersonalDataScan.Archive();
    delivery.export(ann(org), after);
    assertThat(after.sections.values()).allSatisfy(rows -> assertThat(rows).isEmpty());
  }

  @Test
  void a_message_still_owed_to_another_keeps_its_content_until_they_are_done() throws Exception {
    long org = organization();
    // Carl's destination paused by the operator: his copy waits in the queue
    queue.pause("waiting.example", "operator@herald.test");
    long shared = send(org, Map.of("to", List.of(ANN, "carl@waiting.example")), null);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (jdbc.sql("select count(*) from outbound_recipient where message_id = ? and state = 'delivered'")
        .param(shared).query(Long.class).single() < 1) {
      assertThat(System.nanoTime()).as("Ann delivered").isLessThan(deadline);
      Thread.sleep(25);
    }
    delivery.erase(ann(org));
    assertThat(jdbc.sql("select erase_content and octet_length(content) > 0 from outbound_message where id = ?").param(shared)
        .query(Boolean.class).single()).as("kept for Carl, marked").isTrue();
    finished.sweep();
    assertThat(jdbc.sql("select octet_length(content) > 0 from outbound_message where id = ?").param(shared).query(Boolean.class).single())
        .as("Carl still waits").isTrue();
    assertThat(jdbc.sql("select state from outbound_recipient where message_id = ? and address = 'carl@waiting.example'").param(shared)
        .query(String.class).single()).isEqualTo("queued");

    queue.resume("waiting.example");
    awaitFinal(shared);
    assertThat(sandboxFor("carl@waiting.example")).as("Carl got the whole message").contains("Hi");
    finished.sweep();
    assertThat(jdbc.sql("select not erase_content and octet_length(content) = 0 from outbound_message where id = ?").param(shared)
        .query(Boolean.class).single()).as("emptied once he is done").isTrue();
  }

  String sandboxFor(String recipient) {
    return jdbc.sql("select body_text from sandbox_message where recipient = ? order by id desc limit 1").param(recipient)
        .query(String.class).single();
  }

  @Test
  void retention_empties_replies_after_30_days_and_stored_messages_and_captures_after_35_in_batches() throws Exception {
    long org = organization(), other = organization();
    long mine = send(org, Map.of("to", List.of("dora@three.example", "ed@three.example")), null);
    long theirs = send(other, Map.of("to", List.of("fay@four.example")), null);
    awaitFinal(mine);
    awaitFinal(theirs);
    RetentionCategory details = RetentionCategory.DELIVERY_LOG_DETAILS, headers = RetentionCategory.MESSAGE_HEADERS;
    assertThat(delivery.purge(details, org, cutoff(details), 100)).as("nothing old yet").isZero();
    assertThat(delivery.purge(headers, org, cutoff(headers), 100)).isZero();
    assertThat(delivery.purge(RetentionCategory.AUDIT_LOG, null, clock.instant().plus(Duration.ofDays(999)), 100)).isZero();

    clock.advance(Duration.ofDays(31));
    // 2 attempts' and 2 recipients' replies, one row a call
    int[] calls = {0, 0};
    while (delivery.purge(details, org, cutoff(details), 1) == 1) assertThat(++calls[0]).isLessThanOrEqualTo(4);
    assertThat(calls[0]).isEqualTo(4);
    assertThat(nonEmptyReplies(org)).isZero();
    assertThat(nonEmptyReplies(other)).as("the other organization's (its own schedule)").isEqualTo(2);
    assertThat(delivery.purge(headers, org, cutoff(headers), 100)).as("messages are kept 35 days").isZero();
    assertThat(states(org)).containsEntry("delivered", 2L);

    clock.advance(Duration.ofDays(5));
    assertThat(delivery.purge(headers, org, cutoff(headers), 2)).as("the message and one capture").isEqualTo(2);
    assertThat(delivery.purge(headers, org, cutoff(headers), 2)).as("the other capture").isEqualTo(1);
    assertThat(jdbc.sql("select octet_length(content) from outbound_message where id = ?").param(mine).query(Integer.class).single()).isZero();
    assertThat(jdbc.sql("select count(*) from sandbox_message where organization_id = ?").param(org).query(Long.class).single()).isZero();
    assertThat(jdbc.sql("select count(*) from sandbox_message where organization_id = ?").param(other).query(Long.class).single()).isEqualTo(1);
    assertThat(delivery.purge(headers, null, cutoff(headers), 1000)).as("every organization").isGreaterThanOrEqualTo(2);
    assertThat(delivery.purge(details, null, cutoff(details), 1000)).isGreaterThanOrEqualTo(2);
    assertThat(nonEmptyReplies(other)).isZero();
    assertThat(jdbc.sql("select count(*) from sandbox_message where organization_id = ?").param(other).query(Long.class).single()).isZero();
    assertThat(jdbc.sql("select address from outbound_recipient where message_id = ?").param(theirs).query(String.class).single())
        .as("the log itself stays").isEqualTo("fay@four.example");
  }

  Instant cutoff(RetentionCategory category) {
    return clock.instant().minus(category.defaultPeriod());
  }

  long nonEmptyReplies(long org) {
    return jdbc.sql("select count(*) from outbound_attempt where organization_id = ? and reply_text <> ''").param(org).query(Long.class).single()
        + jdbc.sql("select count(*) from outbound_recipient where organization_id = ? and last_reply <> ''").param(org).query(Long.class).single();
  }

  Map<String, Long> states(long org) {
    Map<String, Long> states = new java.util.TreeMap<>();
    jdbc.sql("select state, count(*) from outbound_recipient where organization_id = ? group by state").param(org)
        .query(rs -> {
          states.put(rs.getString(1), rs.getLong(2));
        });
    return states;
  }
}
