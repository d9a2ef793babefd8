package dev.herald.campaigns;

import dev.herald.audiences.AudienceSelection;
import dev.herald.audiences.SuppressionScreen;
import dev.herald.platform.SqlFragment;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The per-recipient send ledger ({@code campaign_recipient}), the truth of a campaign's send: fixed once at the start,
 * then read and marked chunk by chunk by the hand-off, in the hand-off's transactions.
 */
@Component
class CampaignLedger {
  /** One person of the ledger, as the hand-off gives them to the queue ({@code id} is the queue row's ref). */
  record Entry(long id, String address) {}

  private final JdbcClient jdbc;
  private final AudienceSelection audiences;
  private final SuppressionScreen screen;

  CampaignLedger(JdbcClient jdbc, AudienceSelection audiences, SuppressionScreen screen) {
    this.jdbc = jdbc;
    this.audiences = audiences;
    this.screen = screen;
  }

  /**
   * Fixes the audience into the ledger with one set-based statement: the subscribed people of the campaign's lists and
   * segments minus its exclusions (audiences' {@link AudienceSelection#recipients}, once each), less those the
   * suppression lists refuse (an anti-join, {@link SuppressionScreen#admittedSql}) and those who restricted processing or
   * objected to marketing ({@link SuppressionScreen#unrestrictedSql}). Answers how many rows it wrote. Run
   * once per campaign, in the transaction that moves it to sending, so a start that fails leaves no half ledger.
   */
  long fix(Campaign c) {
    Campaign.Audience a = c.audience();
    SqlFragment audience = audiences.recipients(c.organizationId(),
        new AudienceSelection.Selection(a.lists(), a.segments(), a.excludedLists(), a.excludedSegments()), "aud_");
    SqlFragment admitted = screen.admittedSql(c.organizationId(), audience.alias(), "sup_");
    SqlFragment unrestricted = screen.unrestrictedSql(c.organizationId(), audience.alias(), "rst_", true);
    jdbc.sql("select set_config('work_mem', ?, true)").param(AudienceSelection.WORK_MEM).query(String.class).single();
    return jdbc.sql("insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key)"
            + " select :campaign, aud.subscriber_id, aud.list_id, aud.email, aud.email_key from (" + audience.sqlOver("aud") + ") aud"
            + " where " + admitted.sqlOver("aud") + " and " + unrestricted.sqlOver("aud"))
        .params(unrestricted.paramsWith(admitted.paramsWith(audience.paramsWith(Map.of("campaign", c.id()))))).update();
  }

  /**
   * The next {@code limit} pending rows, first skipping those among them who since the start unsubscribed from the
   * list they were to get it through, were suppressed, or restricted processing or objected to marketing (marked skipped
   * with the reason). Called in the hand-off's
   * transaction, which holds the campaign's lease: no other node reads these rows meanwhile.
   */
  List<Entry> nextPending(Campaign c, int limit) {
    SqlFragment subscribed = audiences.stillSubscribed("r");
    SqlFragment suppressed = screen.refusalSql(c.organizationId(), "r", "sup_");
    SqlFragment restricted = screen.restrictedSql(c.organizationId(), "r", "rst_", true);
    jdbc.sql("""
        with next as (select id from campaign_recipient where campaign_id = :campaign and state = 'pending' order by id limit :limit),
             checked as (
               select r.id, case when not (%s) then 'unsubscribed after the campaign started' else %s end as reason
                 from (select cr.id, cr.subscriber_id, cr.list_id, cr.address_key as email_key
                         from campaign_recipient cr join next using (id)) r)
        update campaign_recipient set state = 'skipped', reason = checked.reason
          from checked where campaign_recipient.id = checked.id and checked.reason is not null""".formatted(
            "coalesce((" + subscribed.sqlOver("r") + "), false)", "coalesce(" + suppressed.sqlOver("r") + ", " + restricted.sqlOver("r") + ")"))
        .params(restricted.paramsWith(suppressed.paramsWith(Map.of("campaign", c.id(), "limit", limit)))).update();
    return jdbc.sql("select id, address from campaign_recipient where campaign_id = ? and state = 'pending' order by id limit ?")
        .params(c.id(), limit).query((rs, n) -> new Entry(rs.getLong(1), rs.getString(2))).list();
  }

  /** Marks these rows handed off: only ever in the transaction in which the queue took them. */
  void handedOff(List<Entry> entries, Instant at) {
    if (entries.isEmpty()) return;
    jdbc.sql("update campaign_recipient set state = 'handed_off', handed_off_at = ? where id = any (?) and state = 'pending'")
        .params(Timestamp.from(at), entries.stream().map(Entry::id).toArray(Long[]::new)).update();
  }

  /**
   * Rows the queue gave back untried ({@link dev.herald.delivery.BulkSends#withdraw}): pending again, no longer counted
   * in the throttle's window, handed off again at the campaign's pace.
   */
  void backToPending(long campaignId, List<Long> ids) {
    if (ids.isEmpty()) return;
    jdbc.sql("""
        update campaign_recipient set state = 'pending', handed_off_at = null
        where campaign_id = ? and id = any (?) and state = 'handed_off'""").params(campaignId, ids.toArray(Long[]::new)).update();
  }

  /** How many rows were handed off after {@code since}: the throttle's window. */
  long handedOffSince(long campaignId, Instant since) {
    return jdbc.sql("select count(*) from campaign_recipient where campaign_id = ? and handed_off_at > ?")
        .params(campaignId, Timestamp.from(since)).query(Long.class).single();
  }

  boolean anyPending(long campaignId) {
    return jdbc.sql("select exists (select 1 from campaign_recipient where campaign_id = ? and state = 'pending')").param(campaignId)
        .query(Boolean.class).single();
  }

  /**
   * The ledger's three parts as conditions over a row named {@code r}, by state. Every row is in exactly one (V100's
   * check: handed_off_at is set exactly when the state is handed_off) and each has a partial index leading with
   * campaign_id (V48, V64), the only indexes by campaign: a reading of one campaign's rows goes part by part through
   * them, never through every campaign's rows (CampaignLedgerPlanTest).
   */
  static final Map<LedgerState, String> PARTS = Map.of(
      LedgerState.PENDING, "r.state = 'pending'",
      LedgerState.HANDED_OFF, "r.handed_off_at is not null",
      LedgerState.SKIPPED, "r.state = 'skipped'");

  /**
   * A scalar subquery counting one part of a campaign's rows through its partial index; {@code campaign} is the SQL
   * that names the campaign (a parameter, or a column of the caller's row).
   */
  static String partCount(LedgerState part, String campaign) {
    return "(select count(*) from campaign_recipient r where r.campaign_id = " + campaign + " and " + PARTS.get(part) + ")";
  }

  /** The rows by state, every state present (zero when none): one statement, a count per part. */
  Map<LedgerState, Long> counts(long campaignId) {
    LedgerState[] states = LedgerState.values();
    String sql = "select " + Arrays.stream(states).map(s -> partCount(s, ":c")).collect(Collectors.joining(", "));
    return jdbc.sql(sql).param("c", campaignId).query((rs, n) -> {
      Map<LedgerState, Long> counts = new EnumMap<>(LedgerState.class);
      for (int i = 0; i < states.length; i++) counts.put(states[i], rs.getLong(i + 1));
      return counts;
    }).single();
  }
}
