package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ledger's reads that name a campaign and no state go through campaign_recipient_campaign (V93), not through
 * every campaign's rows: the counts by state (CampaignLedger.counts), the campaigns list's progress
 * (CampaignProgress.summaries) and the rows deleted with a campaign (the campaign_recipient_gone trigger). 200,000 rows
 * of 100 campaigns are written and analyzed inside a transaction that is rolled back, then the planner is asked. The
 * SQL is the same text as in those classes.
 */
@SpringBootTest
class CampaignLedgerPlanTest {
  @Autowired JdbcClient jdbc;
  @Autowired PlatformTransactionManager transactions;

  @Test
  void reads_of_one_campaigns_ledger_use_an_index_leading_with_the_campaign() {
    long first = 900_000_000L + (System.nanoTime() % 1_000_000L) * 100;
    long campaign = first + 42;
    TransactionTemplate tx = new TransactionTemplate(transactions);
    List<String> plans = tx.execute(status -> {
      status.setRollbackOnly();
      // The ledger has no foreign keys since V52 (campaign and subscriber deletion clean it up), so rows need no campaign.
      jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
          select ? + n % 100, null, 1, 'p' || n || '@example.com', 'p' || n || '@example.com',
                 case when n % 10 = 0 then 'pending' when n % 10 = 1 then 'skipped' else 'handed_off' end,
                 case when n % 10 > 1 then now() end
          from generate_series(1, 200000) n""").param(first).update();
      jdbc.sql("analyze campaign_recipient").update();
      return List.of(
          plan("select state, count(*) from campaign_recipient where campaign_id = ? group by state", campaign),
          plan("""
              select r.campaign_id, count(*), count(*) filter (where r.state = 'handed_off'), count(*) filter (where r.state = 'skipped')
              from campaign_recipient r join campaign c on c.id = r.campaign_id
              where c.organization_id = ? and r.campaign_id = any(?) group by r.campaign_id""", 1L, new Long[] {campaign, campaign + 1}),
          plan("delete from campaign_recipient r where r.campaign_id = ?", campaign));
    });
    for (String plan : plans) {
      assertThat(plan).contains("campaign_recipient_campaign").doesNotContain("Seq Scan on campaign_recipient");
    }
  }

  private String plan(String sql, Object... params) {
    return String.join("\n", jdbc.sql("explain " + sql).params(params).query(String.class).list());
  }
}
