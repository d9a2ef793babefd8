package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.mail.AddressDigest;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.RetentionCategory;
import dev.herald.tenancy.TestOrganizations;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Feedback's and tracking's holders on rows as their writers store them: a person's bounces, complaints, opens and clicks
 * (by address, subscriber and queue recipient) are exported, then erased without changing a campaign report's counts or
 * touching another person's rows; raw feedback and IP addresses are purged past their schedule, newer ones kept.
 */
@SpringBootTest
@Import(TestOrganizations.class)
class FeedbackPersonalDataTest {
  @Autowired List<PersonalDataHolder> holders;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;
  @Autowired CampaignFeedback campaignFeedback;
  @Autowired dev.herald.tracking.CampaignEngagement engagement;

  PersonalDataHolder holder(String capability) {
    return holders.stream().filter(h -> h.capability().equals(capability)).findFirst().orElseThrow();
  }

  record World(long org, long campaign, long message, long annRecipient, long bobRecipient, long annSubscriber, long bobSubscriber) {}

  /** A message to Ann and Bob in the queue (the ids feedback and tracking keep), and subscriber ids that need no row. */
  World world() {
    long org = organizations.create("Holder Co " + System.nanoTime(), "lists:read").id();
    long domain = new TestSendingDomains(sendingDomains, jdbc).verified(org, "holders-" + org + ".example");
    long message = jdbc.sql("""
        insert into outbound_message (organization_id, sending_domain_id, source, from_address, header_message_id, header_date, content)
        values (?, ?, 'api', 'news@holders.example', 'x@holders.example', now(), '\\x00') returning id""").params(org, domain)
        .query(Long.class).single();
    long ann = recipient(org, message, "Ann@Example.com"), bob = recipient(org, message, "bob@example.com");
    return new World(org, 9_000_000 + org, message, ann, bob, 8_000_000 + org * 2, 8_000_001 + org * 2);
  }

  long recipient(long org, long message, String address) {
    return jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state)
        values (?, ?, 'to', ?, ?, 'example.com', 'delivered') returning id""")
        .params(message, org, address, address.toLowerCase()).query(Long.class).single();
  }

  void feedback(World w, String key, String cls, String address, Long recipient, Long subscriber, String diagnostic, Instant at) {
    jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key,
          message_id, recipient_id, campaign_id, subscriber_id, diagnostic, remote_mta)
        values (?, ?, ?, 'smtp', ?, 'userunknown', 'recorded', ?, lower(?), ?, ?, ?, ?, ?, 'dns; mx.example.com')""")
        .params(w.org(), key, java.sql.Timestamp.from(at), cls, address, address, w.message(), recipient, w.campaign(), subscriber, diagnostic)
        .update();
  }

  void event(World w, String kind, Long recipient, Long subscriber, String ip, Instant at) {
    jdbc.sql("""
        insert into tracking_event (organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, subscriber_id, link_number, ip)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
        .params(w.org(), kind, java.sql.Timestamp.from(at), w.message(), recipient, w.campaign(), subscriber, kind.equals("click") ? 1 : null,
            ip).update();
  }

  DataSubject ann(World w) {
    return new DataSubject(w.org(), "Ann@Example.com", "ann@example.com", AddressDigest.of("ann@example.com"), List.of(w.annSubscriber()));
  }

  record Section(String capability, String name, List<Map<String, Object>> rows) {}

  List<Section> export(String capability, DataSubject person) {
    List<Section> sections = new ArrayList<>();
    holder(capability).export(person, (cap, name, description, rows) -> sections.add(new Section(cap, name, rows)));
    return sections;
  }

  @Test
  void a_persons_feedback_and_tracking_are_exported_then_anonymized_with_the_reports_counts_kept() {
    World w = world();
    Instant now = Instant.now();
    feedback(w, "r:" + w.annRecipient() + ":soft", "soft", "Ann@Example.com", w.annRecipient(), w.annSubscriber(),
        "452 mailbox of <ann@example.com> full", now);
    feedback(w, "r:" + w.annRecipient() + ":hard", "hard", "Ann@Example.com", w.annRecipient(), w.annSubscriber(),
        "550 5.1.1 <Ann@Example.com>: unknown", now);
    feedback(w, "address:ann@example.com:complaint:x", "complaint", "Ann@Example.com", null, null, "", now);
    feedback(w, "r:" + w.bobRecipient() + ":hard", "hard", "bob@example.com", w.bobRecipient(), w.bobSubscriber(), "550 <bob@example.com>", now);
    event(w, "open", w.annRecipient(), w.annSubscriber(), "203.0.113.0", now);
    event(w, "open", w.annRecipient(), w.annSubscriber(), "203.0.113.0", now);
    event(w, "click", w.annRecipient(), null, null, now); // the send API's: named by the queue's recipient only
    event(w, "open", w.bobRecipient(), w.bobSubscriber(), "198.51.100.0", now);
    event(w, "open", null, null, null, now); // anonymous

    assertThat(export("feedback", ann(w))).singleElement().satisfies(s -> {
      assertThat(s.name()).isEqualTo("bounces and complaints");
      assertThat(s.rows()).hasSize(3).extracting(r -> r.get("feedback_class")).containsExactlyInAnyOrder("soft", "hard", "complaint");
      assertThat(s.rows().getFirst()).containsKeys("occurred_at", "reason", "diagnostic", "address");
    });
    assertThat(export("tracking", ann(w))).singleElement().satisfies(s -> {
      assertThat(s.rows()).hasSize(3).extracting(r -> r.get("kind")).containsExactlyInAnyOrder("open", "open", "click");
      assertThat(s.rows()).extracting(r -> r.get("ip")).contains("203.0.113.0");
    });

    CampaignFeedback.Totals totals = campaignFeedback.totals(w.org(), w.campaign());
    var counts = engagement.counts(w.org(), w.campaign());
    assertThat(totals).isEqualTo(new CampaignFeedback.Totals(2, 1));
    tx.executeWithoutResult(t -> {
      assertThat(holder("feedback").erase(ann(w)).anonymized()).containsEntry("feedback_event", 3);
      assertThat(holder("tracking").erase(ann(w)).anonymized()).containsEntry("tracking_event", 3);
    });

    assertThat(campaignFeedback.totals(w.org(), w.campaign())).as("distinct bounced and complained survive").isEqualTo(totals);
    assertThat(campaignFeedback.byClassAndReason(w.org(), w.campaign())).hasSize(3);
    assertThat(engagement.counts(w.org(), w.campaign())).as("opens and clicks, unique ones too").isEqualTo(counts);
    assertThat(export("feedback", ann(w)).getFirst().rows()).isEmpty();
    assertThat(export("tracking", ann(w)).getFirst().rows()).isEmpty();
    assertThat(jdbc.sql("""
        select count(*) from feedback_event where organization_id = ? and (lower(coalesce(address, '') || dedupe_key || diagnostic) like '%ann@%'
          or subscriber_id = ? or recipient_id = ?)""").params(w.org(), w.annSubscriber(), w.annRecipient()).query(Long.class).single())
        .isZero();
    assertThat(jdbc.sql("select count(*) from tracking_event where organization_id = ? and (subscriber_id = ? or recipient_id = ?)")
        .params(w.org(), w.annSubscriber(), w.annRecipient()).query(Long.class).single()).isZero();
    assertThat(jdbc.sql("select count(*) from tracking_event where organization_id = ? and ip = '203.0.113.0'").param(w.org())
        .query(Long.class).single()).isZero();
    DataSubject bob = new DataSubject(w.org(), "bob@example.com", "bob@example.com", AddressDigest.of("bob@example.com"),
        List.of(w.bobSubscriber()));
    assertThat(export("feedback", bob).getFirst().rows()).singleElement().satisfies(r -> assertThat(r.get("diagnostic"))
        .isEqualTo("550 <bob@example.com>"));
    assertThat(export("tracking", bob).getFirst().rows()).singleElement().satisfies(r -> assertThat(r.get("ip")).isEqualTo("198.51.100.0"));
  }

  @Test
  void raw_feedback_and_tracking_ip_addresses_are_purged_past_their_schedule_in_batches() {
    World w = world();
    Instant now = Instant.now(), old = now.minus(40, ChronoUnit.DAYS);
    for (int i = 0; i < 3; i++) {
      feedback(w, "old" + i, "hard", "bob@example.com", w.bobRecipient(), null, "550 <bob@example.com> old", old);
      event(w, "open", w.bobRecipient(), w.bobSubscriber(), "198.51.100.0", old);
    }
    feedback(w, "new", "hard", "bob@example.com", w.bobRecipient(), null, "550 <bob@example.com> new", now);
    event(w, "open", w.bobRecipient(), w.bobSubscriber(), "198.51.100.7", now);
    Instant rawCutoff = now.minus(RetentionCategory.RAW_FEEDBACK.defaultPeriod());
    Instant ipCutoff = now.minus(RetentionCategory.TRACKING_IP_ADDRESSES.defaultPeriod());

    assertThat(holder("feedback").purge(RetentionCategory.RAW_FEEDBACK, w.org(), rawCutoff, 2)).isEqualTo(2);
    assertThat(holder("feedback").purge(RetentionCategory.RAW_FEEDBACK, w.org(), rawCutoff, 2)).isEqualTo(1);
    assertThat(holder("feedback").purge(RetentionCategory.RAW_FEEDBACK, w.org(), rawCutoff, 2)).isZero();
    assertThat(holder("feedback").purge(RetentionCategory.TRACKING_IP_ADDRESSES, w.org(), rawCutoff, 2)).isZero();
    assertThat(jdbc.sql("select dedupe_key || '=' || diagnostic || remote_mta from feedback_event where organization_id = ? order by dedupe_key")
        .param(w.org()).query(String.class).list())
        .containsExactly("new=550 <bob@example.com> newdns; mx.example.com", "old0=", "old1=", "old2=");

    // every organization's (null), as the engine runs it: again until a batch is not full (other tests' rows may be old too)
    int purged = 0;
    for (int batch = 0, n = 10; batch < 1000 && n == 10; batch++) purged += n = holder("tracking").purge(RetentionCategory.TRACKING_IP_ADDRESSES, null, ipCutoff, 10);
    assertThat(purged).isGreaterThanOrEqualTo(3);
    assertThat(holder("tracking").purge(RetentionCategory.RAW_FEEDBACK, null, ipCutoff, 10)).isZero();
    assertThat(jdbc.sql("select count(*) from tracking_event where organization_id = ? and ip is not null").param(w.org())
        .query(Long.class).single()).as("the new event's address stays").isEqualTo(1);
    assertThat(jdbc.sql("select count(*) from tracking_event where organization_id = ?").param(w.org()).query(Long.class).single())
        .as("the events stay, for the counts").isEqualTo(4);
  }
}
