package dev.herald.campaigns;

import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.stereotype.Component;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Which campaign, subscriber and list a campaign message's recipient is, from the ledger row id the queue keeps as its
 * {@code sourceRef}: the one look-up with which tracking attributes a batch of opens and clicks (one query for the batch)
 * and feedback a bounce or complaint.
 */
@Component
public class CampaignAttribution {
  private final JdbcClient jdbc;

  CampaignAttribution(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** A ledger row: the person a campaign was sent to. */
  public record Sent(long ledgerId, long organizationId, long campaignId, long subscriberId, long listId) {}

  /** The ledger row this ref names; empty when there is none (the campaign was deleted). */
  public Optional<Sent> byRef(long ref) {
    return Optional.ofNullable(byRef(List.of(ref)).get(ref));
  }

  /** The ledger rows of these refs; a ref whose campaign was deleted is missing from the map. */
  public Map<Long, Sent> byRef(Collection<Long> refs) {
    Map<Long, Sent> out = new HashMap<>();
    if (refs.isEmpty()) return out;
    jdbc.sql("""
        select r.id, c.organization_id, r.campaign_id, r.subscriber_id, r.list_id
        from campaign_recipient r join campaign c on c.id = r.campaign_id where r.id = any (?)""")
        .param(refs.toArray(Long[]::new))
        .query(rs -> {
          out.put(rs.getLong(1), new Sent(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
        });
    return out;
  }
}
