package dev.herald.campaigns;

import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What campaigns knows of a campaign's outcome, for its report (the reports capability reads no table of ours): the
 * ledger's counts and the people who unsubscribed from its mail ({@link CampaignUnsubscribes}); its forwards are
 * {@link Forwards#count}. One
 * grouped query per figure. The caller has checked that the campaign is the organization's.
 */
@Component
public class CampaignFigures {
  private final JdbcClient jdbc;

  CampaignFigures(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * The ledger: {@code recipients} fixed at the start, of which handed to the queue, skipped (unsubscribed or
   * suppressed before the hand-off) and still pending; {@code unsubscribed}: people who left a list from this
   * campaign's mail.
   */
  public record Ledger(long recipients, long handedOff, long skipped, long pending, long unsubscribed) {
    public static final Ledger NONE = new Ledger(0, 0, 0, 0, 0);
  }

  public Ledger ledger(long campaignId) {
    // Each count from a partial index (V64, V100 say why): the cost follows the campaign's size, not the whole ledger's.
    return jdbc.sql("select " + CampaignLedger.partCount(LedgerState.HANDED_OFF, ":c") + ", " + CampaignLedger.partCount(LedgerState.SKIPPED, ":c")
            + ", " + CampaignLedger.partCount(LedgerState.PENDING, ":c")
            + ", (select count(*) from campaign_recipient where campaign_id = :c and unsubscribed_at is not null)")
        .param("c", campaignId)
        .query((rs, i) -> new Ledger(rs.getLong(1) + rs.getLong(2) + rs.getLong(3), rs.getLong(1), rs.getLong(2), rs.getLong(3),
            rs.getLong(4)))
        .single();
  }

  /** Of these ledger rows (the queue's refs of a page of recipients), those whose person unsubscribed from this campaign. */
  public Set<Long> unsubscribed(long campaignId, Collection<Long> ledgerIds) {
    Set<Long> out = new HashSet<>();
    if (ledgerIds.isEmpty()) return out;
    jdbc.sql("select id from campaign_recipient where campaign_id = ? and id = any (?) and unsubscribed_at is not null")
        .params(campaignId, ledgerIds.toArray(Long[]::new))
        .query(rs -> {
          out.add(rs.getLong(1));
        });
    return out;
  }
}
