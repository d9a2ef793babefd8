package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The ledger's reads of one campaign go through the partial indexes leading with campaign_id, never through every
 * campaign's rows: the counts by state (CampaignLedger.counts), the campaigns list's progress
 * (CampaignProgress.SUMMARIES), the rows of people gone (LedgerCleanup.sweep) and of a deleted campaign (the
 * campaign_recipient_gone trigger), part by part (CampaignLedger.PARTS). 200,000 rows of 100 campaigns and 100,000
 * pending rows of one just started are written and analyzed inside a transaction that is rolled back, then the planner
 * is asked. (Not asserted: the hand-off's "first pending rows by id, limit n", CampaignLedger.nextPending. On these rows
 * the planner takes them from the primary key with a filter, betting that matches are spread evenly; see
 * docs/status.md, issue 11, session 13.)
 */
@SpringBootTest
class CampaignLedgerPlanTest {
  @Autowired JdbcClient jdbc;
  @Autowired PlatformTransactionManager transactions;

  @Test
  void reads_of_one_campaigns_ledger_go_part_by_part_through_its_partial_indexes() {
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
      // and one campaign just started: 100,000 rows, all pending, as the hand-off first meets them
      jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key)
          select ?, null, 1, 'q' || n || '@example.com', 'q' || n || '@example.com' from generate_series(1, 100000) n""")
          .param(first + 100).update();
      jdbc.sql("analyze campaign_recipient").update();
      List<String> out = new ArrayList<>();
      for (LedgerState state : LedgerState.values()) {
        out.add(plan("select " + CampaignLedger.partCount(state, "?"), campaign));
        String part = CampaignLedger.PARTS.get(state);
        out.add(plan("delete from campaign_recipient r where r.campaign_id = ? and " + part
            + " and not exists (select 1 from subscriber sub_g where sub_g.id = r.subscriber_id)", campaign));
      }
      out.add(plan(CampaignProgress.SUMMARIES, 1L, new Long[] {campaign, campaign + 1}));
      return out;
    });
    for (String plan : plans) {
      assertThat(plan).containsPattern("campaign_recipient_(pending|handed|skipped)").doesNotContain("Seq Scan on campaign_recipient");
    }
  }

  private String plan(String sql, Object... params) {
    return String.join("\n", jdbc.sql("explain " + sql).params(params).query(String.class).list());
  }
}
