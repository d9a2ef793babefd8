package dev.herald.campaigns;

import dev.herald.audiences.SentCampaigns;
import dev.herald.audiences.Subscribers;
import dev.herald.tenancy.Organizations;
import java.sql.Timestamp;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Audiences' {@link SentCampaigns} port: the campaigns whose ledger holds the subscriber, newest start first, each with
 * its subject as this person got it (a personalized subject shows their name, not the template's tags).
 */
@Component
class SentCampaignsFromLedger implements SentCampaigns {
  private final JdbcClient jdbc;
  private final Campaigns campaigns;
  private final CampaignPreviews previews;
  private final Subscribers subscribers;
  private final Organizations organizations;

  SentCampaignsFromLedger(JdbcClient jdbc, Campaigns campaigns, CampaignPreviews previews, Subscribers subscribers,
      Organizations organizations) {
    this.jdbc = jdbc;
    this.campaigns = campaigns;
    this.previews = previews;
    this.subscribers = subscribers;
    this.organizations = organizations;
  }

  @Override
  public List<Sent> to(long orgId, long subscriberId, int limit) {
    List<Sent> sent = jdbc.sql("""
        select c.id, c.name, c.subject, r.state, r.handed_off_at from campaign_recipient r join campaign c on c.id = r.campaign_id
        where r.subscriber_id = ? and c.organization_id = ?
        order by c.started_at desc nulls last, c.id desc limit ?""").params(subscriberId, orgId, limit)
        .query((rs, n) -> {
          Timestamp at = rs.getTimestamp(5);
          return new Sent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), at == null ? null : at.toInstant());
        }).list();
    if (sent.isEmpty()) return sent;
    Optional<Subscribers.Subscriber> person = subscribers.find(orgId, subscriberId);
    if (person.isEmpty()) return sent;
    String organizationName = organizations.name(orgId).orElse("");
    return sent.stream().map(s -> campaigns.find(orgId, s.campaignId())
        .map(c -> new Sent(s.campaignId(), s.name(), previews.subjectFor(c, organizationName, person.get()), s.state(), s.handedOffAt()))
        .orElse(s)).toList();
  }
}
