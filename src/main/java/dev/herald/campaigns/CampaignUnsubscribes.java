package dev.herald.campaigns;

import dev.herald.audiences.AudienceEvents;
import java.sql.Timestamp;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Component;

/**
 * Marks the ledger row of a person who left a list from a campaign's mail ({@link AudienceEvents.SubscriberUnsubscribed}
 * naming the campaign), so the campaign's report counts them. After the unsubscribe's commit, from Spring Modulith's
 * publication registry: a repeat (a restart) finds the row marked and changes nothing, and the first time is kept.
 */
@Component
class CampaignUnsubscribes {
  private final JdbcClient jdbc;

  CampaignUnsubscribes(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @ApplicationModuleListener
  void on(AudienceEvents.SubscriberUnsubscribed unsubscribed) {
    if (unsubscribed.campaignId() == null) return;
    // campaign_recipient_subscriber finds the person's few rows; the campaign's organization must be the event's.
    jdbc.sql("""
        update campaign_recipient r set unsubscribed_at = ?
        from campaign c
        where c.id = r.campaign_id and c.organization_id = ? and r.campaign_id = ? and r.subscriber_id = ? and r.unsubscribed_at is null""")
        .params(Timestamp.from(unsubscribed.occurredAt()), unsubscribed.organizationId(), unsubscribed.campaignId(),
            unsubscribed.subscriber().id())
        .update();
  }
}
