package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Sender protection's volume count at 100,000 recipients (10 organizations of 10,000, finished over 30 days): the
 * count is right, and PostgreSQL answers it from {@code outbound_recipient_org_finished} (the window of one
 * organization, V65) rather than reading all of the organization's rows. The plans with and without the index are printed
 * for BENCHMARKS-style notes; no timing is asserted.
 */
@SpringBootTest(properties = "herald.roles=web")
@Import(TestOrganizations.class)
class SentRecipientsVolumeTest {
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired BulkSends bulk;
  @Autowired SentRecipients sent;
  @Autowired JdbcClient jdbc;
  @Autowired TransactionTemplate tx;

  static final String COUNT = """
      select count(*) from outbound_recipient
      where organization_id = %d and state in ('delivered', 'bounced') and finished_at >= now() - interval '7 days'""";

  String explain(long org) {
    return String.join("\n", jdbc.sql("explain (analyze, buffers) " + COUNT.formatted(org)).query(String.class).list());
  }

  @Test
  void the_volume_of_a_window_is_counted_from_the_index() {
    long target = 0;
    for (int o = 0; o < 10; o++) {
      long org = organizations.create("Volume " + o, "send").id();
      long domain = new TestSendingDomains(sendingDomains, jdbc).verified(org, "volume-" + o + ".example");
      long message = bulk.open(org, domain, MessageSourceKind.CAMPAIGN, "news@volume-" + o + ".example", "Volume");
      bulk.hold(message);
      // 10,000 rows: 85 % delivered, 5 % bounced, 10 % still held; finished evenly over the last 30 days.
      jdbc.sql("""
          insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, finished_at)
          select ?, ?, 'to', 'p' || i || '@volume.example', 'p' || i || '@volume.example', 'volume.example',
            case when i % 20 = 0 then 'bounced' when i % 10 = 1 then 'held' else 'delivered' end,
            case when i % 10 = 1 then null else now() - i * interval '259 seconds' end
          from generate_series(1, 10000) i""").params(message, org).update();
      if (o == 4) target = org;
    }
    jdbc.sql("analyze outbound_recipient").update();
    long org = target;
    long expected = jdbc.sql(COUNT.formatted(org)).query(Long.class).single();
    assertThat(sent.finishedSince(org, Instant.now().minus(Duration.ofDays(7)))).isEqualTo(expected).isPositive();

    String withIndex = explain(org);
    String withoutIndex = tx.execute(status -> {
      jdbc.sql("drop index outbound_recipient_org_finished").update();
      String plan = explain(org);
      status.setRollbackOnly();
      return plan;
    });
    System.out.println("finishedSince at 100,000 rows, with outbound_recipient_org_finished:\n" + withIndex);
    System.out.println("finishedSince at 100,000 rows, without it:\n" + withoutIndex);
    assertThat(withIndex).contains("outbound_recipient_org_finished");
    assertThat(withoutIndex).doesNotContain("outbound_recipient_org_finished");
    assertThat(jdbc.sql("select count(*) from outbound_recipient").query(Long.class).single()).isEqualTo(100_000L);
  }
}
