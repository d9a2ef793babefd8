package dev.herald.campaigns;

import dev.herald.audiences.AudienceEvents;
import dev.herald.audiences.AudienceSelection;
import dev.herald.platform.SqlFragment;
import java.util.Map;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A person's send-ledger rows go with them: deleted or erased, one at a time or in bulk, their rows (which hold their
 * address) are deleted in the same transaction. This was the ledger's foreign key's {@code on delete cascade}; the key
 * is gone because it checked every row of a million-row start (V52). Plain, synchronous listeners on purpose: they
 * commit with the deletion or not at all (see {@code suppression.ErasureListener}).
 *
 * <p>Without the key, a person deleted while a start reads them would keep a row: the start's INSERT read them before
 * the delete committed, and the delete's cleanup could not see the start's rows before the start committed. So each
 * start is followed by a {@link #sweep} of its ledger, and the two are ordered by an advisory lock of the organization:
 * a deletion holds it shared from its cleanup to its commit, a sweep holds it exclusively. Either the deletion committed
 * before the sweep read (the sweep deletes the row), or its cleanup ran after the start committed (it sees the row).
 */
@Component
class LedgerCleanup {
  private static final String LOCK_KEY = "hashtextextended('campaign-ledger:' || ?, 0)";
  private final JdbcClient jdbc;
  private final AudienceSelection audiences;

  LedgerCleanup(JdbcClient jdbc, AudienceSelection audiences) {
    this.jdbc = jdbc;
    this.audiences = audiences;
  }

  @EventListener
  void on(AudienceEvents.SubscriberDeleted deleted) {
    forget(deleted.organizationId(), new Long[] {deleted.subscriber().id()});
  }

  @EventListener
  void on(AudienceEvents.SubscriberErased erased) {
    forget(erased.organizationId(), new Long[] {erased.subscriberId()});
  }

  @EventListener
  void on(AudienceEvents.SubscribersDeleted deleted) {
    forget(deleted.organizationId(), deleted.subscriberIds().toArray(Long[]::new));
  }

  /**
   * Deletes the campaign's ledger rows whose person no longer exists; answers how many. Called in a transaction of its
   * own after the start committed (and again when the hand-off runs dry, in case a node died between the two). Waits
   * for the organization's deletions in flight to commit, and holds theirs back until it commits.
   */
  int sweep(long organizationId, long campaignId) {
    jdbc.sql("select pg_advisory_xact_lock(" + LOCK_KEY + ")").param(organizationId).query().singleRow();
    SqlFragment gone = audiences.subscriberGone("r");
    int deleted = 0;
    // part by part, each through its partial index (CampaignLedger.PARTS)
    for (String part : CampaignLedger.PARTS.values()) {
      deleted += jdbc.sql("delete from campaign_recipient r where r.campaign_id = :campaign and " + part + " and " + gone.sqlOver("r"))
          .params(gone.paramsWith(Map.of("campaign", campaignId))).update();
    }
    return deleted;
  }

  private void forget(long organizationId, Long[] subscriberIds) {
    jdbc.sql("select pg_advisory_xact_lock_shared(" + LOCK_KEY + ")").param(organizationId).query().singleRow();
    jdbc.sql("delete from campaign_recipient where subscriber_id = any (?)").param(subscriberIds).update();
  }
}
