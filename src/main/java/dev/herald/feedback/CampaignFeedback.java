package dev.herald.feedback;

import dev.herald.platform.TextEnum;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A campaign's feedback as its report shows it (the reports capability reads no table of ours): bounces by class and
 * reason, synchronous (a remote 5xx while sending, {@link SynchronousBounces}) and asynchronous (a DSN received later)
 * alike, complaints and the rest. One grouped query per figure over {@code feedback_event_campaign} (campaign_id,
 * feedback_class); the caller has checked the campaign is the organization's.
 */
@Component
public class CampaignFeedback {
  private final JdbcClient jdbc;

  CampaignFeedback(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * One class and reason: how many recipients it was recorded for (a recipient once per class: the stored dedupe key),
   * of them {@code synchronous} (refused while sending; the others bounced after the receiving server had accepted).
   */
  public record ClassReason(FeedbackClass feedbackClass, FeedbackReason reason, long recipients, long synchronous) {}

  /** Every class and reason recorded for the campaign, by class, then most recipients first. */
  public List<ClassReason> byClassAndReason(long organizationId, long campaignId) {
    return jdbc.sql("""
        select feedback_class, reason, count(*), count(*) filter (where source = 'synchronous')
        from feedback_event where campaign_id = ? and organization_id = ?
        group by feedback_class, reason order by feedback_class, count(*) desc, reason""")
        .params(campaignId, organizationId)
        .query((rs, i) -> new ClassReason(TextEnum.fromText(FeedbackClass.class, rs.getString(1)), reason(rs.getString(2)), rs.getLong(3),
            rs.getLong(4)))
        .list();
  }

  /**
   * How many distinct recipients bounced (hard, soft or block) and complained: a recipient with a soft bounce and later a
   * hard one is one bounced recipient. Feedback that named no recipient counts by its address.
   */
  public record Totals(long bounced, long complained) {}

  public Totals totals(long organizationId, long campaignId) {
    return jdbc.sql("""
        select count(distinct coalesce(recipient_id::text, address_key, id::text)) filter (where feedback_class in ('hard', 'soft', 'block')),
          count(distinct coalesce(recipient_id::text, address_key, id::text)) filter (where feedback_class = 'complaint')
        from feedback_event where campaign_id = ? and organization_id = ?""")
        .params(campaignId, organizationId)
        .query((rs, i) -> new Totals(rs.getLong(1), rs.getLong(2))).single();
  }

  /** Bounces (hard, soft, block) and complaints recorded in one period. */
  public record Period(Instant start, long bounces, long complaints) {}

  /** Bounces and complaints by the {@code unit} (hours or days, UTC) they were recorded in, oldest first; empty periods left out. */
  public List<Period> timeline(long organizationId, long campaignId, ChronoUnit unit) {
    if (unit != ChronoUnit.HOURS && unit != ChronoUnit.DAYS) throw new IllegalArgumentException("hours or days, not " + unit);
    return jdbc.sql("""
        select date_trunc(:unit, occurred_at, 'UTC') as t, count(*) filter (where feedback_class in ('hard', 'soft', 'block')),
          count(*) filter (where feedback_class = 'complaint')
        from feedback_event where campaign_id = :campaign and organization_id = :org and feedback_class in ('hard', 'soft', 'block', 'complaint')
        group by t order by t""")
        .param("unit", unit == ChronoUnit.DAYS ? "day" : "hour").param("campaign", campaignId).param("org", organizationId)
        .query((rs, i) -> new Period(rs.getTimestamp(1).toInstant(), rs.getLong(2), rs.getLong(3)))
        .list();
  }

  /**
   * The queue's recipient ids of the campaign that bounced (hard, soft or block), each once, for a breakdown by domain:
   * streamed {@code fetchSize} rows at a time when the caller holds a transaction.
   */
  public void eachBouncedRecipient(long organizationId, long campaignId, int fetchSize, java.util.function.LongConsumer out) {
    jdbc.sql("""
        select distinct recipient_id from feedback_event
        where campaign_id = ? and organization_id = ? and feedback_class in ('hard', 'soft', 'block') and recipient_id is not null""")
        .params(campaignId, organizationId).withFetchSize(Math.clamp(fetchSize, 1, 100_000))
        .query((org.springframework.jdbc.core.RowCallbackHandler) rs -> out.accept(rs.getLong(1)));
  }

  /** Of these queue recipient ids (a page of a per-recipient export), the classes recorded for each, comma-separated. */
  public Map<Long, String> perRecipient(long organizationId, long campaignId, Collection<Long> recipientIds) {
    Map<Long, String> out = new HashMap<>();
    if (recipientIds.isEmpty()) return out;
    jdbc.sql("""
        select recipient_id, string_agg(feedback_class || ':' || reason, ',' order by id) from feedback_event
        where campaign_id = ? and organization_id = ? and recipient_id = any (?) group by recipient_id""")
        .params(campaignId, organizationId, recipientIds.toArray(Long[]::new))
        .query(rs -> {
          out.put(rs.getLong(1), rs.getString(2));
        });
    return out;
  }

  private static FeedbackReason reason(String text) {
    return dev.herald.platform.TextEnum.find(FeedbackReason.class, text).orElse(FeedbackReason.UNDEFINED);
  }
}
