package dev.herald.audiences;

import dev.herald.platform.TextEnum;
import dev.herald.platform.Tokens;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Consent records: for every subscription, which text was shown (stored once), when, from which
 * address and browser, through which form, import or API call, and when it was confirmed or withdrawn.
 */
@Service
public class Consent {
  private final JdbcClient jdbc;

  Consent(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Where a subscription came from: the channel and its reference, plus the evidence we have. */
  public record Evidence(ConsentChannel channel, String channelRef, String consentText, String basis, String ip, String userAgent) {
    public static Evidence panel(String memberEmail, String basis, String ip) {
      return new Evidence(ConsentChannel.PANEL, memberEmail, null, basis, ip, null);
    }
  }

  public record ConsentRecord(long id, Long listId, String listName, ConsentChannel channel, String channelRef, String consentText,
      String basis, String ip, String userAgent, Instant givenAt, Instant confirmedAt, Instant withdrawnAt) {}

  long record(long orgId, long subscriberId, Long listId, Evidence e, boolean confirmed) {
    Long textId = e.consentText() == null || e.consentText().isBlank() ? null : textId(orgId, e.consentText().trim());
    return jdbc.sql("""
        insert into consent_record (organization_id, subscriber_id, list_id, consent_text_id, channel, channel_ref, basis, ip,
          user_agent, confirmed_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, case when ? then now() end) returning id""")
        .params(orgId, subscriberId, listId, textId, e.channel().text(), e.channelRef(), e.basis(), e.ip(),
            e.userAgent() == null ? null : e.userAgent().substring(0, Math.min(400, e.userAgent().length())), confirmed)
        .query(Long.class).single();
  }

  void confirm(long subscriberId, long listId) {
    jdbc.sql("""
        update consent_record set confirmed_at = now()
        where subscriber_id = ? and list_id = ? and confirmed_at is null and withdrawn_at is null""")
        .params(subscriberId, listId).update();
  }

  void withdraw(long subscriberId, long listId) {
    jdbc.sql("update consent_record set withdrawn_at = now() where subscriber_id = ? and list_id = ? and withdrawn_at is null")
        .params(subscriberId, listId).update();
  }

  /** The text's id, storing it the first time it is used. */
  long textId(long orgId, String body) {
    String sha = Tokens.hash(body);
    jdbc.sql("insert into consent_text (organization_id, sha256, body) values (?, ?, ?) on conflict do nothing")
        .params(orgId, sha, body).update();
    return jdbc.sql("select id from consent_text where organization_id = ? and sha256 = ?").params(orgId, sha)
        .query(Long.class).single();
  }

  public List<ConsentRecord> of(long orgId, long subscriberId) {
    return jdbc.sql("""
        select c.id, c.list_id, l.name as list_name, c.channel, c.channel_ref, t.body as consent_text, c.basis, c.ip, c.user_agent, c.given_at, c.confirmed_at,
               c.withdrawn_at
        from consent_record c left join mailing_list l on l.id = c.list_id left join consent_text t on t.id = c.consent_text_id
        where c.organization_id = ? and c.subscriber_id = ? order by c.given_at desc, c.id desc""")
        .params(orgId, subscriberId)
        .query((rs, n) -> new ConsentRecord(rs.getLong("id"), (Long) rs.getObject("list_id"), rs.getString("list_name"),
            TextEnum.fromText(ConsentChannel.class, rs.getString("channel")), rs.getString("channel_ref"), rs.getString("consent_text"),
            rs.getString("basis"), rs.getString("ip"), rs.getString("user_agent"), instant(rs.getTimestamp("given_at")),
            instant(rs.getTimestamp("confirmed_at")), instant(rs.getTimestamp("withdrawn_at"))))
        .list();
  }

  private static Instant instant(java.sql.Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
