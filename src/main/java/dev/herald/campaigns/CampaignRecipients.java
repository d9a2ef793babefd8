package dev.herald.campaigns;

import dev.herald.audiences.AudienceSelection;
import dev.herald.audiences.SuppressionScreen;
import dev.herald.platform.SqlFragment;
import dev.herald.platform.TextEnum;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What {@link CampaignMessageSource} reads of the campaign and its ledger when delivery asks for a batch of messages:
 * the ledger rows of the batch with whether each person may still be mailed, and the campaign's content. Which campaign,
 * subscriber and list a delivered message's ledger ref names (for feedback and tracking) is {@link CampaignAttribution}'s.
 */
@Component
class CampaignRecipients {
  private final JdbcClient jdbc;
  private final AudienceSelection audiences;
  private final SuppressionScreen screen;

  CampaignRecipients(JdbcClient jdbc, AudienceSelection audiences, SuppressionScreen screen) {
    this.jdbc = jdbc;
    this.audiences = audiences;
    this.screen = screen;
  }

  /**
   * One ledger row as the source needs it. {@code stop} is why the person must not be mailed any more (unsubscribed
   * from the list since, suppressed, restricted processing or objected to marketing), null when they may be.
   */
  record Row(long id, long campaignId, long organizationId, long subscriberId, long listId, String address, Instant handedOffAt,
      CampaignState campaignState, String stop) {}

  /**
   * The rows of these ledger ids, each with its campaign's state and whether the person may still be mailed: one query
   * for the rows, then one per organization in the batch (in practice one) for the subscription and suppression checks.
   */
  Map<Long, Row> rows(Collection<Long> ids) {
    Map<Long, Row> rows = new HashMap<>();
    jdbc.sql("""
        select r.id, r.campaign_id, c.organization_id, r.subscriber_id, r.list_id, r.address, coalesce(r.handed_off_at, c.started_at,
          c.created_at), c.state
        from campaign_recipient r join campaign c on c.id = r.campaign_id where r.id = any (?)""")
        .param(ids.toArray(Long[]::new))
        .query(rs -> {
          rows.put(rs.getLong(1), new Row(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getString(6),
              rs.getTimestamp(7).toInstant(), TextEnum.fromText(CampaignState.class, rs.getString(8)), null));
        });
    Map<Long, List<Long>> byOrganization = new HashMap<>();
    rows.values().forEach(r -> byOrganization.computeIfAbsent(r.organizationId(), k -> new java.util.ArrayList<>()).add(r.id()));
    byOrganization.forEach((org, orgIds) -> {
      SqlFragment subscribed = audiences.stillSubscribed("r");
      SqlFragment suppressed = screen.refusalSql(org, "r", "sup_");
      // a restriction of processing or an objection to marketing placed since the start stops the mail too
      SqlFragment restricted = screen.restrictedSql(org, "r", "rst_", true);
      jdbc.sql("""
          select r.id, case when not coalesce((%s), false) then 'Not sent: unsubscribed since the campaign started'
                            else 'Not sent: ' || coalesce(%s, %s) end
          from (select id, subscriber_id, list_id, address_key as email_key from campaign_recipient where id = any (:ids)) r"""
              .formatted(subscribed.sqlOver("r"), suppressed.sqlOver("r"), restricted.sqlOver("r")))
          .params(restricted.paramsWith(suppressed.paramsWith(Map.of("ids", orgIds.toArray(Long[]::new)))))
          .query(rs -> {
            String stop = rs.getString(2);
            if (stop != null) rows.computeIfPresent(rs.getLong(1), (id, r) -> new Row(r.id(), r.campaignId(), r.organizationId(),
                r.subscriberId(), r.listId(), r.address(), r.handedOffAt(), r.campaignState(), stop));
          });
    });
    return rows;
  }

  /**
   * A campaign's content and sender as fixed at its start (the template's source was copied then), and what its
   * rendering was fixed with at its first hand-off ({@code snippets} null and {@code trackingHost} meaningless until
   * then, {@code trackingHost} null: untracked).
   */
  record Content(long id, long organizationId, String name, String subject, String preheader, String fromAddress, String fromName,
      String replyTo, String templateSource, String body, String bodyFormat, Instant updatedAt, Long messageId, boolean trackOpens,
      boolean trackClicks, String trackingHost, Map<String, String> snippets) {
    boolean renderingFixed() {
      return snippets != null;
    }
  }

  Optional<Content> content(long campaignId) {
    return jdbc.sql("""
        select id, organization_id, name, subject, preheader, from_address, from_name, reply_to, template_source, body, body_format,
          updated_at, message_id, track_opens, track_clicks, tracking_host, rendering_fixed_at is not null, snippet_names, snippet_sources
        from campaign where id = ?""")
        .param(campaignId)
        .query((rs, i) -> new Content(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
            rs.getString(7), rs.getString(8), rs.getString(9), rs.getString(10), rs.getString(11), rs.getTimestamp(12).toInstant(),
            rs.getObject(13, Long.class), rs.getBoolean(14), rs.getBoolean(15), rs.getString(16),
            rs.getBoolean(17) ? snippets((String[]) rs.getArray(18).getArray(), (String[]) rs.getArray(19).getArray()) : null))
        .optional();
  }

  private static Map<String, String> snippets(String[] names, String[] sources) {
    Map<String, String> snippets = new HashMap<>();
    for (int i = 0; i < names.length; i++) snippets.put(names[i], sources[i]);
    return Map.copyOf(snippets);
  }

  boolean renderingFixed(long campaignId) {
    return jdbc.sql("select rendering_fixed_at is not null from campaign where id = ?").param(campaignId).query(Boolean.class).single();
  }

  /**
   * Fixes what the campaign's rendering depends on outside it, unless that was done already (by another node, say):
   * the first write wins and every later render reads it.
   */
  void fixRendering(long campaignId, String trackingHost, Map<String, String> snippets) {
    List<String> names = snippets.keySet().stream().sorted().toList();
    jdbc.sql("""
        update campaign set rendering_fixed_at = now(), tracking_host = ?, snippet_names = ?, snippet_sources = ?
        where id = ? and rendering_fixed_at is null""")
        .params(trackingHost, names.toArray(String[]::new), names.stream().map(snippets::get).toArray(String[]::new), campaignId)
        .update();
  }
}
