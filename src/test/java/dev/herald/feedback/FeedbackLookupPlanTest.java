package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.SentRecipients;
import dev.herald.tenancy.TestOrganizations;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Erasure and access find a person's bounces and complaints through indexes, one per branch of the holder's condition
 * ({@link FeedbackPersonalData#MINE}, V89), not by reading every event of the organization. 100,000 events of one
 * organization are written and analyzed inside a transaction that is rolled back, then the planner is asked.
 */
@SpringBootTest
@Import(TestOrganizations.class)
class FeedbackLookupPlanTest {
  @Autowired JdbcClient jdbc;
  @Autowired TestOrganizations organizations;
  @Autowired PlatformTransactionManager transactions;

  @Test
  void a_persons_feedback_is_found_through_an_index_for_each_way_it_can_name_them() {
    long org = organizations.create("Feedback Plan " + System.nanoTime(), "lists:read").id();
    TransactionTemplate tx = new TransactionTemplate(transactions);
    String plan = tx.execute(status -> {
      status.setRollbackOnly();
      jdbc.sql("""
          insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key,
            message_id, recipient_id, subscriber_id, diagnostic)
          select ?, 'k' || n, now() - make_interval(secs => n), 'smtp', 'hard', 'no such user', 'suppressed',
                 case when n % 100 <> 0 then 'p' || n || '@example.com' end, case when n % 100 <> 0 then 'p' || n || '@example.com' end,
                 n, n, case when n % 2 = 0 then n end, '550 5.1.1 unknown user'
          from generate_series(1, 100000) n""").param(org).update();
      jdbc.sql("analyze feedback_event").update();
      return jdbc.sql("explain (format json) select id from feedback_event where " + FeedbackPersonalData.MINE)
          .params(FeedbackPersonalData.params(org, "p77@example.com", List.of(1_234L),
              List.of(new SentRecipients.Sent(40_000L, 40_000L))))
          .query(String.class).single();
    });
    assertThat(plan).contains("feedback_event_address").contains("feedback_event_subscriber").contains("feedback_event_message")
        .contains("feedback_event_unaddressed").doesNotContain("Seq Scan");
  }
}
