package dev.herald.campaigns;

import dev.herald.delivery.BulkSends;
import dev.herald.delivery.RecipientState;
import java.time.Clock;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the campaign pages show of a send: from the ledger, how many people it was fixed for, handed to the queue and
 * skipped; from the queue ({@link BulkSends}), the recipients' delivery states, how many ended in the last minute, and
 * one page of them. Grouped queries on the ledger's indexes,
 * cheap enough to poll every few seconds.
 */
@Component
class CampaignProgress {
  private final JdbcClient jdbc;
  private final BulkSends bulkSends;
  private final Clock clock;

  CampaignProgress(JdbcClient jdbc, BulkSends bulkSends, Clock clock) {
    this.jdbc = jdbc;
    this.bulkSends = bulkSends;
    this.clock = clock;
  }

  /** The ledger's counts: {@code total} fixed at the start, of which handed off and skipped. */
  record Summary(long total, long handedOff, long skipped) {
    static final Summary NONE = new Summary(0, 0, 0);

    public long pending() {
      return total - handedOff - skipped;
    }

    /** Done (handed off or skipped) in whole percent, for the progress bar. */
    public int percent() {
      return total == 0 ? 0 : (int) ((handedOff + skipped) * 100 / total);
    }
  }

  /**
   * The live part of the page: the ledger's counts, how many recipients' delivery ended (delivered, bounced, ...) in the
   * last minute, and the queue's recipients by delivery state (empty before the start).
   */
  record Live(Summary summary, long lastMinute, Map<RecipientState, Long> delivery) {
    /**
     * Done in whole percent, for the progress bar: recipients not sent (skipped) or whose delivery ended. Handing off
     * alone is not progress a user sees: an unthrottled campaign is all queued within a minute or two.
     */
    public int percent() {
      long ended = delivery.entrySet().stream().filter(e -> e.getKey().ended()).mapToLong(Map.Entry::getValue).sum();
      return summary.total() == 0 ? 0 : (int) Math.min(100, (summary.skipped() + ended) * 100 / summary.total());
    }
  }

  /** A page of the queue's recipients with their delivery state; {@code next} is the row after which the next starts. */
  record RecipientPage(List<BulkSends.Recipient> items, Long next) {
    static final RecipientPage NONE = new RecipientPage(List.of(), null);
  }

  /** The campaigns' ledger rows pending, handed off and skipped: one count per part, each through its partial index. */
  static final String SUMMARIES = "select c.id, " + CampaignLedger.partCount(LedgerState.PENDING, "c.id") + ", "
      + CampaignLedger.partCount(LedgerState.HANDED_OFF, "c.id") + ", " + CampaignLedger.partCount(LedgerState.SKIPPED, "c.id")
      + " from campaign c where c.organization_id = ? and c.id = any(?)";

  Map<Long, Summary> summaries(long orgId, List<Long> campaignIds) {
    Map<Long, Summary> out = new HashMap<>();
    if (campaignIds.isEmpty()) return out;
    jdbc.sql(SUMMARIES)
        .params(orgId, campaignIds.toArray(Long[]::new))
        .query(rs -> {
          long pending = rs.getLong(2), handedOff = rs.getLong(3), skipped = rs.getLong(4);
          if (pending + handedOff + skipped > 0) out.put(rs.getLong(1), new Summary(pending + handedOff + skipped, handedOff, skipped));
        });
    return out;
  }

  Live of(Campaign c) {
    Summary s = summaries(c.organizationId(), List.of(c.id())).getOrDefault(c.id(), Summary.NONE);
    if (c.messageId() == null) return new Live(s, 0, Map.of());
    BulkSends.Progress queue = bulkSends.progress(c.messageId(), clock.instant().minusSeconds(60));
    return new Live(s, queue.endedSince(), queue.states());
  }

  /** The queue's recipients of a started campaign with their delivery state, {@code size} after the row {@code after}. */
  RecipientPage recipients(Campaign c, RecipientState state, Long after, int size) {
    if (c.messageId() == null) return RecipientPage.NONE;
    List<BulkSends.Recipient> rows = bulkSends.page(c.messageId(), state, after == null ? 0 : after, size + 1);
    boolean more = rows.size() > size;
    List<BulkSends.Recipient> page = more ? rows.subList(0, size) : rows;
    return new RecipientPage(page, more ? page.getLast().id() : null);
  }
}
