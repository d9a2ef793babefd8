package dev.herald.campaigns;

import static dev.herald.platform.personaldata.PersonalDataCategory.CONTACT;
import static dev.herald.platform.personaldata.RetentionCategory.ACCOUNT_LIFETIME;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.DataSubjectKind;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Campaigns' part of the personal-data map. A campaign itself is the organization's content (its subject, body and
 * sender); what it holds about a person is its send ledger, one row per recipient with their address and subscriber,
 * kept for the campaign's report and per-recipient pages. Forwards to a friend keep no address here (V62): only counts,
 * per campaign and per ledger row.
 *
 * <p>Erasure anonymizes the person's ledger rows rather than deleting them, so that the campaign's report keeps its
 * counts (recipients, handed off, skipped, unsubscribed): the address becomes '' and its key {@code erased:<row id>} (not
 * a hash of the address), the subscriber is forgotten, and a row not yet handed off is skipped ("erased") so the hand-off
 * never queues it. Ledger rows are found by the person's subscriber ids (a person deleted earlier took their rows with
 * them, {@link LedgerCleanup}); it runs before audiences' erasure, whose event then finds no row of theirs.
 */
@Component
class CampaignsPersonalData implements PersonalDataHolder {
  static final String ERASED = "erased";
  private final JdbcClient jdbc;

  CampaignsPersonalData(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public String capability() {
    return "campaigns";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.none("campaign", "Campaigns the organization wrote: their content, sender and schedule",
            "name", "tags", "subject", "preheader", "from_address", "from_name", "reply_to", "template_source", "body", "body_format",
            "state", "time_zone", "throttle_unit", "failure", "tracking_host", "snippet_names", "snippet_sources"),
        PersonalDataTable.none("campaign_audience", "The lists and segments a campaign goes to"),
        PersonalDataTable.of("campaign_recipient", DataSubjectKind.SUBSCRIBER,
            "The send ledger: who a campaign was sent to, through which list, and whether it was handed to the queue",
            List.of(PersonalDataColumn.anonymized("address", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.anonymized("address_key", CONTACT, ACCOUNT_LIFETIME)),
            "state", "reason"),
        PersonalDataTable.none("campaign_send", "A campaign's sending job and its lease", "status", "failure", "lease_owner"),
        PersonalDataTable.none("campaign_forward", "How many times a campaign was forwarded to a friend (no address is kept)"),
        PersonalDataTable.none("campaign_forward_by_recipient",
            "How many forwards each recipient's link sent, for its cap (no address; it goes with the ledger row)"));
  }

  @Override
  @Transactional(readOnly = true)
  public void export(DataSubject person, PersonalDataArchive archive) {
    archive.section(capability(), "campaigns", "Campaigns sent to you: when, through which list, and what became of them",
        jdbc.sql("""
            select c.id, c.name, c.subject, c.from_address, c.message_id, r.list_id, r.address, r.state, r.reason, r.handed_off_at,
              r.unsubscribed_at, coalesce(f.forwards, 0)
            from campaign_recipient r join campaign c on c.id = r.campaign_id
              left join campaign_forward_by_recipient f on f.ledger_id = r.id
            where c.organization_id = ? and r.subscriber_id = any (?) order by r.id""")
            .params(person.organizationId(), person.subscriberIds().toArray(Long[]::new))
            .query((rs, i) -> {
              Map<String, Object> row = new LinkedHashMap<>();
              row.put("campaign", rs.getLong(1));
              row.put("name", rs.getString(2));
              row.put("subject", rs.getString(3));
              row.put("from", rs.getString(4));
              row.put("message", rs.getObject(5));
              row.put("list", rs.getLong(6));
              row.put("address", rs.getString(7));
              row.put("state", rs.getString(8));
              row.put("reason", rs.getString(9));
              row.put("sent", instant(rs, 10));
              row.put("unsubscribed", instant(rs, 11));
              row.put("forwards", rs.getInt(12));
              return row;
            })
            .list());
  }

  @Override
  @Transactional
  public ErasureCount erase(DataSubject person) {
    int rows = jdbc.sql("""
        update campaign_recipient r set address = '', address_key = 'erased:' || r.id, subscriber_id = null,
          state = case when r.state = 'pending' then 'skipped' else r.state end,
          reason = case when r.state = 'pending' then ? else r.reason end
        from campaign c
        where c.id = r.campaign_id and c.organization_id = ? and r.subscriber_id = any (?)""")
        .params(ERASED, person.organizationId(), person.subscriberIds().toArray(Long[]::new)).update();
    return new ErasureCount(Map.of(), Map.of("campaign_recipient", rows));
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
