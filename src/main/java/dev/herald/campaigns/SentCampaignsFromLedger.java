package dev.herald.campaigns;

import dev.herald.audiences.SentCampaigns;
import java.sql.Timestamp;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** Audiences' {@link SentCampaigns} port: the campaigns whose ledger holds the subscriber, newest start first. */
@Component
class SentCampaignsFromLedger implements SentCampaigns {
  private final JdbcClient jdbc;

  SentCampaignsFromLedger(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public List<Sent> to(long orgId, long subscriberId, int limit) {
    return jdbc.sql("""
        select c.id, c.name, c.subject, r.state, r.handed_off_at from campaign_recipient r join campaign c on c.id = r.campaign_id
        where r.subscriber_id = ? and c.organization_id = ?
        order by c.started_at desc nulls last, c.id desc limit ?""").params(subscriberId, orgId, limit)
        .query((rs, n) -> {
          Timestamp at = rs.getTimestamp(5);
          return new Sent(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), at == null ? null : at.toInstant());
        }).list();
  }
}
