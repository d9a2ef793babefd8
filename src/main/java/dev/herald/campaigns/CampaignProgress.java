package dev.herald.campaigns;

import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the campaign pages show of a send: from the ledger, how many people it was fixed for, handed to the queue,
 * skipped, and the rate of the last minute; and one page of the recipients. Grouped queries on the ledger's indexes,
 * cheap enough to poll every few seconds.
 */
@Component
class CampaignProgress {
  private final JdbcClient jdbc;
  private final Clock clock;

  CampaignProgress(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** The ledger's counts: {@code total} fixed at the start, of which handed off and skipped. */
  record Summary(long total, long handedOff, long skipped) {
    static final Summary NONE = new Summary(0, 0, 0);

    long pending() {
      return total - handedOff - skipped;
    }

    /** Done (handed off or skipped) in whole percent, for the progress bar. */
    int percent() {
      return total == 0 ? 0 : (int) ((handedOff + skipped) * 100 / total);
    }
  }

  /** The live part of the page: the counts, and how many were handed off in the last minute. */
  record Live(Summary summary, long lastMinute) {}

  record Recipient(long id, String address, LedgerState state, String reason, Instant handedOffAt) {}

  record RecipientPage(List<Recipient> items, Long next) {}

  Map<Long, Summary> summaries(long orgId, List<Long> campaignIds) {
    Map<Long, Summary> out = new HashMap<>();
    if (campaignIds.isEmpty()) return out;
    jdbc.sql("""
        select r.campaign_id, count(*), count(*) filter (where r.state = 'handed_off'), count(*) filter (where r.state = 'skipped')
        from campaign_recipient r join campaign c on c.id = r.campaign_id
        where c.organization_id = ? and r.campaign_id = any(?) group by r.campaign_id""")
        .params(orgId, campaignIds.toArray(Long[]::new))
        .query(rs -> {
          out.put(rs.getLong(1), new Summary(rs.getLong(2), rs.getLong(3), rs.getLong(4)));
        });
    return out;
  }

  Live of(Campaign c) {
    Summary s = summaries(c.organizationId(), List.of(c.id())).getOrDefault(c.id(), Summary.NONE);
    long lastMinute = jdbc.sql("select count(*) from campaign_recipient where campaign_id = ? and handed_off_at > ?")
        .params(c.id(), Timestamp.from(clock.instant().minusSeconds(60))).query(Long.class).single();
    return new Live(s, lastMinute);
  }

  /** The ledger in its order, {@code size} rows after the row {@code after} (null: from the first). */
  RecipientPage recipients(Campaign c, Long after, int size) {
    List<Recipient> rows = jdbc.sql("""
        select id, address, state, reason, handed_off_at from campaign_recipient where campaign_id = ? and id > ?
        order by id limit ?""").params(c.id(), after == null ? 0L : after, size + 1)
        .query((rs, n) -> {
          Timestamp at = rs.getTimestamp(5);
          return new Recipient(rs.getLong(1), rs.getString(2), LedgerState.fromText(rs.getString(3)), rs.getString(4),
              at == null ? null : at.toInstant());
        }).list();
    boolean more = rows.size() > size;
    List<Recipient> page = more ? rows.subList(0, size) : rows;
    return new RecipientPage(page, more ? page.getLast().id() : null);
  }
}
