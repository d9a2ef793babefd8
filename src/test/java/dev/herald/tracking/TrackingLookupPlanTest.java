package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.SentRecipients;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Erasure and access find a person's opens and clicks through indexes, not by reading every event of the organization
 * (V88). 200,000 events of one organization, most anonymous (the default privacy setting), are written and analyzed
 * inside a transaction that is rolled back, and the planner is asked for the plan of the holder's own condition
 * ({@link TrackingPersonalData#MINE}) with the person's subscriber ids, messages and queue recipients.
 */
@SpringBootTest
class TrackingLookupPlanTest {
  static final long ORG = 900_000_001L;
  @Autowired JdbcClient jdbc;
  @Autowired PlatformTransactionManager transactions;

  @Test
  void a_persons_events_are_found_through_the_subscriber_and_message_indexes_at_a_size_where_a_scan_would_be_chosen_otherwise() {
    TransactionTemplate tx = new TransactionTemplate(transactions);
    String plan = tx.execute(status -> {
      status.setRollbackOnly();
      // No foreign key on organization_id since V85: an id no organization has keeps the rows apart from every other test's.
      jdbc.sql("""
          insert into tracking_event (organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, subscriber_id)
          select ?, 'open', now() - make_interval(secs => n), n / 3, case when n % 10 = 0 then n end, 7,
                 case when n % 10 = 0 then n / 10 end
          from generate_series(1, 200000) n""").param(ORG).update();
      jdbc.sql("analyze tracking_event").update();
      return jdbc.sql("explain (format json) select id from tracking_event where " + TrackingPersonalData.MINE)
          .params(TrackingPersonalData.params(ORG, List.of(1_234L, 5_678L), List.of(new SentRecipients.Sent(40_000L, 120_000L))))
          .query(String.class).single();
    });
    assertThat(plan).contains("tracking_event_subscriber").contains("tracking_event_message").doesNotContain("Seq Scan");
  }
}
