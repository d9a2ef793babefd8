package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Subscribers;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.DeliveryEvents;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.messages.ReturnPath;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Feedback's actions on real DSNs and ARF reports attributed by Herald's signed return path, and on delivery's
 * synchronous bounces: suppression, the subscriber's status, the soft-bounce limit, block never suppressing, unsubscribe
 * requests, the events, and the same report twice acting once.
 */
@SpringBootTest(properties = {"herald.roles=web", "herald.feedback.soft-bounce-limit=3"})
@Import(TestOrganizations.class)
@RecordApplicationEvents
class FeedbackActionsTest {
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulk;
  @Autowired Subscribers subscribers;
  @Autowired ReturnPath returnPath;
  @Autowired Suppressions suppressions;
  @Autowired InboundFeedback inbound;
  @Autowired ApplicationEventPublisher publisher;
  @Autowired PlatformTransactionManager transactions;
  @Autowired ApplicationEvents events;

  FeedbackFixtures.Sent sent(String... people) {
    return FeedbackFixtures.campaign(organizations, sendingDomains, jdbc, bulk, subscribers, returnPath, people);
  }

  boolean suppressed(long org, String address) {
    return !suppressions.check(org, address.toLowerCase()).isEmpty();
  }

  String status(FeedbackFixtures.Sent s, String address) {
    return jdbc.sql("select status from subscription where subscriber_id = ? and list_id = ?")
        .params(s.recipients().get(address).subscriberId(), s.listId()).query(String.class).single();
  }

  record Row(String source, String feedbackClass, String reason, String action, Long campaignId, Long messageId, String status) {}

  java.util.List<Row> rows(long org) {
    return jdbc.sql("""
        select source, feedback_class, reason, action, campaign_id, message_id, status from feedback_event
        where organization_id = ? order by id""").param(org)
        .query((rs, i) -> new Row(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getObject(5, Long.class),
            rs.getObject(6, Long.class), rs.getString(7))).list();
  }

  @Test
  void a_hard_bounce_suppresses_marks_the_subscriber_bounced_is_an_event_and_the_same_dsn_twice_acts_once() {
    var s = sent("gone@receiver.example", "kept@receiver.example");
    var gone = s.recipients().get("gone@receiver.example");
    byte[] dsn = FeedbackFixtures.dsn(gone.returnPath(), gone.address(), "5.1.1", "550 5.1.1 <gone@receiver.example>: User unknown");
    InboundFeedback.Processed first = inbound.process(dsn, gone.returnPath(), null, FeedbackSource.SMTP);
    assertThat(first.acted()).extracting(FeedbackActions.Acted::action).containsExactly(FeedbackAction.SUPPRESSED);
    assertThat(suppressed(s.organizationId(), gone.address())).isTrue();
    assertThat(suppressed(s.organizationId(), "kept@receiver.example")).isFalse();
    assertThat(status(s, gone.address())).isEqualTo("bounced");
    assertThat(status(s, "kept@receiver.example")).isEqualTo("subscribed");
    assertThat(rows(s.organizationId())).containsExactly(
        new Row("smtp", "hard", "userunknown", "suppressed", s.campaignId(), s.messageId(), "5.1.1"));
    assertThat(events.stream(FeedbackEvents.BounceRecorded.class).filter(e -> e.organizationId() == s.organizationId()))
        .singleElement().satisfies(e -> {
          assertThat(e.address()).isEqualTo(gone.address());
          assertThat(e.feedbackClass()).isEqualTo(FeedbackClass.HARD);
          assertThat(e.suppressed()).isTrue();
          assertThat(e.campaignId()).isEqualTo(s.campaignId());
        });

    InboundFeedback.Processed again = inbound.process(dsn, gone.returnPath(), null, FeedbackSource.SMTP);
    assertThat(again.acted()).isEmpty();
    assertThat(again.repeated()).isEqualTo(1);
    assertThat(rows(s.organizationId())).hasSize(1);
    assertThat(events.stream(FeedbackEvents.BounceRecorded.class).filter(e -> e.organizationId() == s.organizationId())).hasSize(1);
  }

  @Test
  void soft_bounces_are_counted_and_the_limit_within_the_window_suppresses() {
    String[] people = {"full@receiver.example"};
    var first = sent(people);
    long org = first.organizationId();
    // Three messages to the same address, each soft-bouncing once (mailbox full): the third reaches the limit of 3.
    for (int i = 0; i < 3; i++) {
      var r = i == 0 ? first.recipients().get("full@receiver.example") : another(org, first, "full@receiver.example");
      var processed = inbound.process(FeedbackFixtures.dsn(r.returnPath(), r.address(), "4.2.2", "452 4.2.2 Mailbox full"),
          r.returnPath(), null, FeedbackSource.SMTP);
      assertThat(processed.acted()).extracting(FeedbackActions.Acted::action)
          .containsExactly(i < 2 ? FeedbackAction.COUNTED : FeedbackAction.SUPPRESSED);
      assertThat(suppressed(org, "full@receiver.example")).isEqualTo(i == 2);
    }
    assertThat(rows(org)).extracting(Row::feedbackClass).containsOnly("soft");
  }

  /** Another message of the same organization to {@code address}: a new outbound recipient with its own return path. */
  FeedbackFixtures.Recipient another(long org, FeedbackFixtures.Sent s, String address) {
    long domainId = sendingDomains.verifiedDomainFor(org, "news@" + s.domain()).orElseThrow().id();
    long message = bulk.open(org, domainId, MessageSourceKind.CAMPAIGN, "news@" + s.domain(), "Again");
    bulk.hold(message);
    bulk.add(message, java.util.List.of(new BulkSends.BulkRecipient(0, address)));
    long id = jdbc.sql("select id from outbound_recipient where message_id = ?").param(message).query(Long.class).single();
    return new FeedbackFixtures.Recipient(address, id, 0, 0, returnPath.address(message, id, s.domain()));
  }

  @Test
  void a_block_records_the_bounce_and_never_suppresses_the_recipient() {
    var s = sent("fine@receiver.example");
    var r = s.recipients().get("fine@receiver.example");
    var processed = inbound.process(FeedbackFixtures.dsn(r.returnPath(), r.address(), "5.7.1",
        "554 5.7.1 Service unavailable; Client host [127.0.0.1] blocked using zen.spamhaus.org"), r.returnPath(), null, FeedbackSource.SMTP);
    assertThat(processed.acted()).extracting(FeedbackActions.Acted::action).containsExactly(FeedbackAction.RECORDED);
    assertThat(rows(s.organizationId())).extracting(Row::feedbackClass).containsExactly("block");
    assertThat(suppressed(s.organizationId(), r.address())).isFalse();
    assertThat(status(s, r.address())).isEqualTo("subscribed");
    assertThat(events.stream(FeedbackEvents.BounceRecorded.class).filter(e -> e.organizationId() == s.organizationId()))
        .singleElement().satisfies(e -> assertThat(e.suppressed()).isFalse());
  }

  @Test
  void a_complaint_suppresses_and_marks_the_subscriber_complained() {
    var s = sent("angry@receiver.example");
    var r = s.recipients().get("angry@receiver.example");
    var processed = inbound.process(FeedbackFixtures.complaint(r.returnPath(), r.address()), r.returnPath(), null, FeedbackSource.SMTP);
    assertThat(processed.acted()).extracting(FeedbackActions.Acted::action).containsExactly(FeedbackAction.SUPPRESSED);
    assertThat(suppressed(s.organizationId(), r.address())).isTrue();
    assertThat(status(s, r.address())).isEqualTo("complained");
    assertThat(events.stream(FeedbackEvents.ComplaintRecorded.class).filter(e -> e.organizationId() == s.organizationId()))
        .singleElement().satisfies(e -> assertThat(e.feedbackType()).isEqualTo("abuse"));
  }

  @Test
  void mail_to_the_list_unsubscribe_address_unsubscribes_from_the_campaigns_list() {
    var s = sent("leaving@receiver.example");
    var r = s.recipients().get("leaving@receiver.example");
    var processed = inbound.process(FeedbackFixtures.unsubscribeRequest(r.returnPath(), r.address()), r.returnPath(), null,
        FeedbackSource.SMTP);
    assertThat(processed.acted()).extracting(FeedbackActions.Acted::action).containsExactly(FeedbackAction.UNSUBSCRIBED);
    assertThat(status(s, r.address())).isEqualTo("unsubscribed");
    assertThat(events.stream(FeedbackEvents.UnsubscribeRecorded.class).filter(e -> e.organizationId() == s.organizationId()))
        .singleElement().satisfies(e -> assertThat(e.listId()).isEqualTo(s.listId()));
  }

  @Test
  void a_synchronous_bounce_from_delivery_goes_through_the_same_actions_after_its_commit() throws Exception {
    var s = sent("nobody@receiver.example", "blocked@receiver.example");
    var nobody = s.recipients().get("nobody@receiver.example");
    var blocked = s.recipients().get("blocked@receiver.example");
    new TransactionTemplate(transactions).executeWithoutResult(t -> {
      publisher.publishEvent(new DeliveryEvents.RecipientBounced(s.organizationId(), s.messageId(), nobody.recipientId(), nobody.address(),
          550, "5.1.1", "550 5.1.1 The email account that you tried to reach does not exist", MessageSourceKind.CAMPAIGN,
          nobody.ledgerRef(), Instant.now()));
      publisher.publishEvent(new DeliveryEvents.RecipientBounced(s.organizationId(), s.messageId(), blocked.recipientId(), blocked.address(),
          554, "5.7.1", "554 5.7.1 Message rejected due to sender reputation", MessageSourceKind.CAMPAIGN, blocked.ledgerRef(),
          Instant.now()));
    });
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (rows(s.organizationId()).size() < 2) {
      assertThat(System.nanoTime()).as("the listener stored both bounces").isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(rows(s.organizationId())).extracting(Row::source).containsOnly("synchronous");
    assertThat(suppressed(s.organizationId(), nobody.address())).isTrue();
    assertThat(status(s, nobody.address())).isEqualTo("bounced");
    assertThat(suppressed(s.organizationId(), blocked.address())).isFalse();

    // The DSN of the same bounce arriving later acts no more.
    var processed = inbound.process(FeedbackFixtures.dsn(nobody.returnPath(), nobody.address(), "5.1.1", "550 5.1.1 User unknown"),
        nobody.returnPath(), null, FeedbackSource.SMTP);
    assertThat(processed.acted()).isEmpty();
    assertThat(rows(s.organizationId())).hasSize(2);
  }

  /**
   * A campaign forwarded to a friend (delivery's FORWARD messages): reports about the friend, by Herald's return path or
   * in the organization's mailbox, are neither acted on nor recorded: the friend is nobody the organization mails and
   * their address is kept nowhere (campaigns.Forwards).
   */
  @Test
  void reports_about_a_forwarded_copy_are_not_acted_on_nor_recorded_anywhere() {
    var s = sent("reader@receiver.example");
    long domainId = jdbc.sql("select sending_domain_id from outbound_message where id = ?").param(s.messageId()).query(Long.class).single();
    long message = bulk.sendOnce(s.organizationId(), domainId, MessageSourceKind.FORWARD, "news@" + s.domain(), "Hello",
        new BulkSends.BulkRecipient(s.campaignId(), "friend@receiver.example"));
    long recipient = jdbc.sql("select id from outbound_recipient where message_id = ?").param(message).query(Long.class).single();
    String path = returnPath.address(message, recipient, s.domain());
    byte[] dsn = FeedbackFixtures.dsn(path, "friend@receiver.example", "5.1.1", "550 5.1.1 User unknown");
    assertThat(inbound.process(dsn, path, null, FeedbackSource.SMTP).acted()).isEmpty();
    assertThat(inbound.process(dsn, null, s.organizationId(), FeedbackSource.MAILBOX).acted()).as("in the mailbox, by address").isEmpty();
    assertThat(inbound.process(FeedbackFixtures.complaint(path, "friend@receiver.example"), null, s.organizationId(),
        FeedbackSource.MAILBOX).acted()).isEmpty();
    assertThat(rows(s.organizationId())).isEmpty();
    assertThat(suppressed(s.organizationId(), "friend@receiver.example")).isFalse();
    // the same DSN about the campaign's own recipient is acted on: the difference is the forward
    var reader = s.recipients().get("reader@receiver.example");
    assertThat(inbound.process(FeedbackFixtures.dsn(reader.returnPath(), reader.address(), "5.1.1", "550 5.1.1 User unknown"),
        reader.returnPath(), null, FeedbackSource.SMTP).acted()).hasSize(1);
  }

  @Test
  void a_mailbox_report_without_a_return_path_acts_for_the_mailboxs_organization_by_address() {
    var s = sent("plain@receiver.example");
    byte[] dsn = FeedbackFixtures.dsn("bounces@external.example", "plain@receiver.example", "5.1.1", "550 5.1.1 User unknown");
    var processed = inbound.process(dsn, null, s.organizationId(), FeedbackSource.MAILBOX);
    assertThat(processed.acted()).extracting(FeedbackActions.Acted::action).containsExactly(FeedbackAction.SUPPRESSED);
    assertThat(suppressed(s.organizationId(), "plain@receiver.example")).isTrue();
    assertThat(inbound.process(dsn, null, s.organizationId(), FeedbackSource.MAILBOX).acted()).as("polled twice").isEmpty();

    // Another organization's return path in a mailbox is not this organization's to act on.
    var other = sent("theirs@receiver.example");
    var theirs = other.recipients().get("theirs@receiver.example");
    var foreign = inbound.process(FeedbackFixtures.dsn(theirs.returnPath(), theirs.address(), "5.1.1", "550 5.1.1 User unknown"), null,
        s.organizationId(), FeedbackSource.MAILBOX);
    assertThat(suppressed(other.organizationId(), theirs.address())).isFalse();
    assertThat(foreign.acted()).allSatisfy(a -> assertThat(jdbc.sql("select organization_id from feedback_event where id = ?")
        .param(a.feedbackId()).query(Long.class).single()).isEqualTo(s.organizationId()));
  }
}
