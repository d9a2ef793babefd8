package dev.herald.campaigns;

import dev.herald.audiences.AudienceEvents;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A person's send-ledger rows go with them: deleted or erased, one at a time or in bulk, their rows (which hold their
 * address) are deleted in the same transaction. This was the ledger's foreign key's {@code on delete cascade}; the key
 * is gone because it checked every row of a million-row start (V52). Plain, synchronous listeners on purpose: they
 * commit with the deletion or not at all (see {@code suppression.ErasureListener}).
 */
@Component
class LedgerCleanup {
  private final JdbcClient jdbc;

  LedgerCleanup(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @EventListener
  void on(AudienceEvents.SubscriberDeleted deleted) {
    forget(new Long[] {deleted.subscriber().id()});
  }

  @EventListener
  void on(AudienceEvents.SubscriberErased erased) {
    forget(new Long[] {erased.subscriberId()});
  }

  @EventListener
  void on(AudienceEvents.SubscribersDeleted deleted) {
    forget(deleted.subscriberIds().toArray(Long[]::new));
  }

  private void forget(Long[] subscriberIds) {
    jdbc.sql("delete from campaign_recipient where subscriber_id = any (?)").param(subscriberIds).update();
  }
}
