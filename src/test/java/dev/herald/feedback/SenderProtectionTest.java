package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.delivery.SendingHolds;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

/**
 * Sender protection's judgement of an organization's rates: past the warn threshold the operator is alerted, past the
 * pause threshold its sending is held (the port delivery's worker asks) until lifted, and below the minimum volume
 * nothing is judged. Thresholds of the test: complaints 1 % warn, 3 % pause; hard bounces at their defaults (2 %, 5 %);
 * at least 100 messages.
 */
@SpringBootTest(properties = {"herald.roles=web", "herald.feedback.protection-minimum-sent=100", "herald.feedback.complaint-warn=0.01",
    "herald.feedback.complaint-pause=0.03"})
@Import(TestOrganizations.class)
@RecordApplicationEvents
class SenderProtectionTest {
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulk;
  @Autowired SenderProtection protection;
  @Autowired List<SendingHolds> holds;
  @Autowired ApplicationEvents events;
  static int counter;

  /** An organization that delivered {@code delivered} messages and got these complaints and hard bounces. */
  long organization(int delivered, int complaints, int hardBounces) {
    counter++;
    long org = organizations.create("Protected " + counter, "send").id();
    String domain = "protect-" + counter + ".example";
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(org, domain);
    long domainId = sendingDomains.verifiedDomainFor(org, "news@" + domain).orElseThrow().id();
    long message = bulk.open(org, domainId, MessageSourceKind.CAMPAIGN, "news@" + domain, "Hello");
    bulk.hold(message);
    List<BulkSends.BulkRecipient> recipients = new ArrayList<>();
    for (int i = 0; i < delivered; i++) recipients.add(new BulkSends.BulkRecipient(i + 1, "p" + i + "@receiver.example"));
    bulk.add(message, recipients);
    jdbc.sql("update outbound_recipient set state = 'delivered', finished_at = now() where message_id = ?").param(message).update();
    for (int i = 0; i < complaints + hardBounces; i++) {
      jdbc.sql("""
          insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key)
          values (?, ?, now(), 'smtp', ?, 'feedback', 'suppressed', ?, ?)""")
          .params(org, "test:" + i, i < complaints ? "complaint" : "hard", "p" + i + "@receiver.example", "p" + i + "@receiver.example")
          .update();
    }
    return org;
  }

  boolean held(long org) {
    return holds.stream().anyMatch(h -> h.heldOrganizations().contains(org));
  }

  @Test
  void a_complaint_rate_past_the_warn_threshold_alerts_the_operator_without_pausing() {
    long org = organization(200, 3, 0); // 1.5 %
    SenderProtection.Judgement judged = protection.judge(org);
    assertThat(judged.sent()).isEqualTo(200);
    assertThat(judged.raised()).contains(AlertLevel.WARN);
    assertThat(held(org)).isFalse();
    assertThat(protection.open()).filteredOn(a -> a.organizationId() == org).singleElement().satisfies(a -> {
      assertThat(a.level()).isEqualTo(AlertLevel.WARN);
      assertThat(a.metric()).isEqualTo(SenderMetric.COMPLAINTS);
      assertThat(a.rate()).isEqualTo(0.015);
    });
    assertThat(events.stream(FeedbackEvents.SenderWarned.class).filter(e -> e.organizationId() == org)).hasSize(1);
    assertThat(protection.judge(org).raised()).as("an open warning is not raised again").isEmpty();
  }

  @Test
  void a_hard_bounce_rate_past_the_pause_threshold_holds_the_organizations_sending_until_lifted() {
    long org = organization(200, 0, 12); // 6 %
    assertThat(protection.judge(org).raised()).contains(AlertLevel.PAUSE);
    assertThat(held(org)).isTrue();
    assertThat(events.stream(FeedbackEvents.SendingPausedForReputation.class).filter(e -> e.organizationId() == org))
        .singleElement().satisfies(e -> {
          assertThat(e.metric()).isEqualTo(SenderMetric.HARD_BOUNCES);
          assertThat(e.threshold()).isEqualTo(0.05);
        });
    long alert = protection.open().stream().filter(a -> a.organizationId() == org).findFirst().orElseThrow().id();
    assertThat(protection.lift(alert, "operator@herald.test")).isTrue();
    assertThat(held(org)).isFalse();
    assertThat(protection.lift(alert, "operator@herald.test")).isFalse();
  }

  @Test
  void below_the_minimum_volume_nothing_is_judged() {
    long org = organization(99, 10, 10); // 10 % of each, but only 99 messages
    assertThat(protection.judge(org)).isEqualTo(new SenderProtection.Judgement(99, 10, 10, Optional.empty()));
    assertThat(held(org)).isFalse();
    assertThat(protection.open()).noneMatch(a -> a.organizationId() == org);
  }
}
