package dev.herald.tracking;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Collection;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A campaign's opens and clicks as its report shows them (the reports capability reads no table of ours). People's
 * events and machines' ({@link MachineDetector}) are counted apart. "Unique" counts distinct recipients, which only
 * events tied to one can tell: an anonymous event (the privacy setting, or the reader's Do Not Track) counts in the
 * totals and in {@code anonymous}, never in the unique counts. One grouped query per figure over
 * {@code tracking_event_campaign} (campaign_id, kind, occurred_at); the caller has checked the campaign is the
 * organization's.
 */
@Component
public class CampaignEngagement {
  private final JdbcClient jdbc;

  CampaignEngagement(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Opens or clicks of a campaign: people's {@code total} and {@code unique} (distinct recipients), of the total those
   * {@code anonymous}, and {@code machine} events apart.
   */
  public record Counts(long total, long unique, long anonymous, long machine) {
    public static final Counts NONE = new Counts(0, 0, 0, 0);
  }

  public Map<EventKind, Counts> counts(long organizationId, long campaignId) {
    Map<EventKind, Counts> out = new EnumMap<>(EventKind.class);
    for (EventKind k : EventKind.values()) out.put(k, Counts.NONE);
    jdbc.sql("""
        select kind, count(*) filter (where not machine), count(distinct recipient_id) filter (where not machine),
          count(*) filter (where not machine and recipient_id is null), count(*) filter (where machine)
        from tracking_event where campaign_id = ? and organization_id = ? group by kind""")
        .params(campaignId, organizationId)
        .query(rs -> {
          out.put(EventKind.OPEN.text().equals(rs.getString(1)) ? EventKind.OPEN : EventKind.CLICK,
              new Counts(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)));
        });
    return out;
  }

  /** The clicks of one link (its number in the message, 1..n). */
  public record LinkClicks(int link, Counts clicks) {}

  /** Clicks per link, in link order; links nobody clicked are left out. */
  public List<LinkClicks> perLink(long organizationId, long campaignId) {
    return jdbc.sql("""
        select link_number, count(*) filter (where not machine), count(distinct recipient_id) filter (where not machine),
          count(*) filter (where not machine and recipient_id is null), count(*) filter (where machine)
        from tracking_event where campaign_id = ? and organization_id = ? and kind = 'click'
        group by link_number order by link_number""")
        .params(campaignId, organizationId)
        .query((rs, i) -> new LinkClicks(rs.getInt(1), new Counts(rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5))))
        .list();
  }

  /** People's and machines' opens and clicks in one period. */
  public record Period(Instant start, long opens, long clicks, long machineOpens, long machineClicks) {}

  /** Opens and clicks by the {@code unit} (hours or days, UTC) they happened in, oldest first; empty periods left out. */
  public List<Period> timeline(long organizationId, long campaignId, ChronoUnit unit) {
    return jdbc.sql("""
        select date_trunc(:unit, occurred_at, 'UTC') as t,
          count(*) filter (where kind = 'open' and not machine), count(*) filter (where kind = 'click' and not machine),
          count(*) filter (where kind = 'open' and machine), count(*) filter (where kind = 'click' and machine)
        from tracking_event where campaign_id = :campaign and organization_id = :org
        group by t order by t""")
        .param("unit", unit == ChronoUnit.DAYS ? "day" : unit == ChronoUnit.HOURS ? "hour" : badUnit(unit))
        .param("campaign", campaignId).param("org", organizationId)
        .query((rs, i) -> new Period(rs.getTimestamp(1).toInstant(), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5)))
        .list();
  }

  /**
   * The queue's recipient ids that opened (or clicked), people's events only, each once, for a breakdown by domain:
   * streamed {@code fetchSize} rows at a time when the caller holds a transaction (PostgreSQL's driver streams only
   * then), so millions of events never sit in a list.
   */
  public void eachRecipient(long organizationId, long campaignId, EventKind kind, int fetchSize, java.util.function.LongConsumer out) {
    jdbc.sql("""
        select distinct recipient_id from tracking_event
        where campaign_id = ? and organization_id = ? and kind = ? and not machine and recipient_id is not null""")
        .params(campaignId, organizationId, kind.text()).withFetchSize(Math.clamp(fetchSize, 1, 100_000))
        .query((org.springframework.jdbc.core.RowCallbackHandler) rs -> out.accept(rs.getLong(1)));
  }

  /** One recipient's people's opens and clicks, and their machines' events. */
  public record RecipientEngagement(long opens, long clicks, long machine) {}

  /**
   * Of these recipient ids of the queue's message {@code messageId} (a page of a per-recipient export), those with any
   * event: read through {@code tracking_event_message} (message_id, recipient_id).
   */
  public Map<Long, RecipientEngagement> perRecipient(long organizationId, long messageId, Collection<Long> recipientIds) {
    Map<Long, RecipientEngagement> out = new HashMap<>();
    if (recipientIds.isEmpty()) return out;
    jdbc.sql("""
        select recipient_id, count(*) filter (where kind = 'open' and not machine), count(*) filter (where kind = 'click' and not machine),
          count(*) filter (where machine)
        from tracking_event where message_id = ? and organization_id = ? and recipient_id = any (?) group by recipient_id""")
        .params(messageId, organizationId, recipientIds.toArray(Long[]::new))
        .query(rs -> {
          out.put(rs.getLong(1), new RecipientEngagement(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
        });
    return out;
  }

  private static String badUnit(ChronoUnit unit) {
    throw new IllegalArgumentException("hours or days, not " + unit);
  }
}
