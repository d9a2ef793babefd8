package dev.herald.tracking;

import static dev.herald.platform.personaldata.PersonalDataColumn.anonymized;

import dev.herald.delivery.SentRecipients;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.DataSubjectKind;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataCategory;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Tracking's part of the personal-data map. An open or click is a person's when it names them: by subscriber (a
 * campaign's event in identified mode) or by the queue's recipient (any identified event, the send API's too), found
 * through delivery's {@link SentRecipients#toAddress}. Anonymous events name nobody, and their IP address (if the
 * setting keeps one) cannot be tied to anyone either. No user agent is stored.
 *
 * <p>Erasure anonymizes the person's events instead of deleting them, so that reports keep their counts: the subscriber
 * and IP address go, and the recipient id is replaced by a stand-in (minus the smallest event id of that recipient's
 * events) that keeps "unique" counts (distinct recipients) exact but names no row of the queue.
 */
@Component
class TrackingPersonalData implements PersonalDataHolder {
  private final JdbcClient jdbc;
  private final SentRecipients sent;

  TrackingPersonalData(JdbcClient jdbc, SentRecipients sent) {
    this.jdbc = jdbc;
    this.sent = sent;
  }

  @Override
  public String capability() {
    return "tracking";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.of("tracking_event", DataSubjectKind.SUBSCRIBER,
            "Opens and clicks of the organization's mail: its campaign and organization reports and engagement segments",
            List.of(anonymized("subscriber_id", PersonalDataCategory.TRACKING_EVENT, RetentionCategory.ACCOUNT_LIFETIME),
                anonymized("recipient_id", PersonalDataCategory.TRACKING_EVENT, RetentionCategory.ACCOUNT_LIFETIME),
                anonymized("ip", PersonalDataCategory.IP_ADDRESS, RetentionCategory.TRACKING_IP_ADDRESSES)),
            "kind", "machine_reason"),
        PersonalDataTable.none("tracking_privacy", "Each organization's and campaign's tracking privacy settings", "mode", "ip"));
  }

  /**
   * The person's events: named by one of their subscriber rows or by one of the queue's recipient rows of their address.
   * Each branch has an index (tracking_event_subscriber, V88; tracking_event_message, which needs the message too: a
   * recipient id is unique, so naming its message as well selects nothing more), so the lookup never reads every event
   * of the organization ({@code TrackingLookupPlanTest}).
   */
  static final String MINE = """
      organization_id = :org and (subscriber_id = any (:subscribers)
        or (message_id = any (:messages) and recipient_id = any (:recipients)))""";

  private Map<String, Object> params(DataSubject person) {
    List<SentRecipients.Sent> sentTo = sent.toAddress(person.organizationId(), person.addressKey());
    return params(person.organizationId(), person.subscriberIds(), sentTo);
  }

  static Map<String, Object> params(long organizationId, List<Long> subscriberIds, List<SentRecipients.Sent> sentTo) {
    return Map.of("org", organizationId, "subscribers", subscriberIds.toArray(Long[]::new),
        "messages", sentTo.stream().map(SentRecipients.Sent::messageId).distinct().toArray(Long[]::new),
        "recipients", sentTo.stream().map(SentRecipients.Sent::recipientId).toArray(Long[]::new));
  }

  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    List<Map<String, Object>> rows = jdbc.sql("""
        select kind, occurred_at, campaign_id, message_id, link_number, machine, machine_reason, ip from tracking_event
        where """ + " " + MINE + " order by occurred_at, id")
        .params(params(person))
        .query((rs, n) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("kind", rs.getString("kind"));
          row.put("occurred_at", rs.getTimestamp("occurred_at").toInstant());
          row.put("campaign_id", rs.getObject("campaign_id", Long.class));
          row.put("message_id", rs.getLong("message_id"));
          row.put("link_number", rs.getObject("link_number", Integer.class));
          row.put("machine", rs.getBoolean("machine"));
          row.put("machine_reason", rs.getString("machine_reason"));
          row.put("ip", rs.getString("ip"));
          return row;
        }).list();
    archive.section(capability(), "tracking events",
        "Each time the organization's mail to you was opened (its image loaded) or a link in it clicked, with the time; the IP "
            + "address only where the organization keeps it; 'machine' marks privacy proxies and link scanners.",
        rows);
  }

  @Override
  public ErasureCount erase(DataSubject person) {
    int anonymized = jdbc.sql("""
        with mine as (select id, recipient_id from tracking_event where %s),
             stand_in as (select recipient_id, -min(id) as anon from mine where recipient_id is not null group by recipient_id)
        update tracking_event t set subscriber_id = null, ip = null, recipient_id = s.anon
          from mine m left join stand_in s on s.recipient_id = m.recipient_id
         where t.id = m.id""".formatted(MINE))
        .params(params(person)).update();
    return new ErasureCount(Map.of(), Map.of("tracking_event", anonymized));
  }

  /** IP addresses past their schedule are nulled, a batch of the oldest at a time; the events stay for the counts. */
  @Override
  public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    if (category != RetentionCategory.TRACKING_IP_ADDRESSES) return 0;
    return jdbc.sql("""
        update tracking_event set ip = null where id in (
          select id from tracking_event where ip is not null and occurred_at < :cutoff
             and (cast(:org as bigint) is null or organization_id = :org) limit :limit)""")
        .param("cutoff", Timestamp.from(cutoff)).param("org", organizationId).param("limit", limit).update();
  }
}
