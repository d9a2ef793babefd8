package dev.herald.feedback;

import static dev.herald.platform.personaldata.PersonalDataColumn.anonymized;
import static dev.herald.platform.personaldata.PersonalDataColumn.kept;

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
 * Feedback's part of the personal-data map. A bounce or complaint is a person's when it names their address, one of
 * their subscriber rows, or a row of the queue sent to their address (found through delivery's
 * {@link SentRecipients#toAddress}); the remote server's own words ({@code diagnostic}, {@code remote_mta}) are what is
 * left of the raw DSN or ARF message (the message itself is never stored) and often repeat the address.
 *
 * <p>Erasure anonymizes the person's rows so that reports keep their counts: address, subscriber and the remote's words
 * go, the dedupe key (which may hold the address) becomes the row's id, and the recipient id a stand-in (minus the
 * smallest row id of each recipient or address the reports count once) that keeps their distinct counts exact.
 * Mailbox monitors hold the organization's own account (its password is a platform secret); sender alerts name the
 * member or operator who lifted them.
 */
@Component
class FeedbackPersonalData implements PersonalDataHolder {
  private final JdbcClient jdbc;
  private final SentRecipients sent;

  FeedbackPersonalData(JdbcClient jdbc, SentRecipients sent) {
    this.jdbc = jdbc;
    this.sent = sent;
  }

  @Override
  public String capability() {
    return "feedback";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.of("feedback_event", DataSubjectKind.SUBSCRIBER,
            "Bounces, complaints and mailed unsubscribes of the organization's mail: suppression, sender protection and reports",
            List.of(anonymized("address", PersonalDataCategory.CONTACT, RetentionCategory.ACCOUNT_LIFETIME),
                anonymized("address_key", PersonalDataCategory.CONTACT, RetentionCategory.ACCOUNT_LIFETIME),
                anonymized("dedupe_key", PersonalDataCategory.DELIVERY_LOG, RetentionCategory.ACCOUNT_LIFETIME),
                anonymized("subscriber_id", PersonalDataCategory.DELIVERY_LOG, RetentionCategory.ACCOUNT_LIFETIME),
                anonymized("recipient_id", PersonalDataCategory.DELIVERY_LOG, RetentionCategory.ACCOUNT_LIFETIME),
                anonymized("diagnostic", PersonalDataCategory.RAW_BOUNCE, RetentionCategory.RAW_FEEDBACK),
                anonymized("remote_mta", PersonalDataCategory.RAW_BOUNCE, RetentionCategory.RAW_FEEDBACK)),
            "source", "feedback_class", "reason", "action", "status", "reply_code", "feedback_type"),
        PersonalDataTable.of("feedback_mailbox", DataSubjectKind.MEMBER,
            "The organization's mailboxes polled for bounces and complaints (the password is a platform secret, never here)",
            List.of(kept("username", PersonalDataCategory.CREDENTIALS, RetentionCategory.ACCOUNT_LIFETIME,
                "the organization's own mailbox account, needed to poll it; removed with the monitor or the organization").notExported()),
            "name", "protocol", "host", "tls", "secret_name", "folder", "after_processing", "processed_folder", "last_error",
            "lease_owner"),
        PersonalDataTable.of("sender_alert", DataSubjectKind.OPERATOR,
            "Sender protection's warnings and sending pauses of organizations, and who lifted them",
            List.of(kept("lifted_by", PersonalDataCategory.AUDIT, RetentionCategory.AUDIT_LOG,
                "the record of who lifted an organization's sending pause, kept like the audit log")),
            "level", "metric"));
  }

  /**
   * The person's rows: their address, a subscriber row of theirs, a queue row sent to them, or (feedback that named no
   * address) the remote's words quoting their address. Each branch has an index (V89's three and feedback_event_message,
   * which needs the message too: a recipient id is unique, so naming its message as well selects nothing more), so the
   * planner combines them instead of reading every event of the organization ({@code FeedbackLookupPlanTest}).
   */
  static final String MINE = """
      organization_id = :org and (address_key = :key or subscriber_id = any (:subscribers)
        or (message_id = any (:messages) and recipient_id = any (:recipients))
        or (address_key is null and strpos(lower(diagnostic), :key) > 0))""";

  private Map<String, Object> params(DataSubject person) {
    return params(person.organizationId(), person.addressKey(), person.subscriberIds(),
        sent.toAddress(person.organizationId(), person.addressKey()));
  }

  static Map<String, Object> params(long organizationId, String addressKey, List<Long> subscriberIds, List<SentRecipients.Sent> sentTo) {
    return Map.of("org", organizationId, "key", addressKey, "subscribers", subscriberIds.toArray(Long[]::new),
        "messages", sentTo.stream().map(SentRecipients.Sent::messageId).distinct().toArray(Long[]::new),
        "recipients", sentTo.stream().map(SentRecipients.Sent::recipientId).toArray(Long[]::new));
  }

  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    List<Map<String, Object>> rows = jdbc.sql("""
        select occurred_at, source, feedback_class, reason, action, address, status, reply_code, diagnostic, remote_mta, feedback_type,
          campaign_id, message_id
        from feedback_event where """ + " " + MINE + " order by occurred_at, id")
        .params(params(person))
        .query((rs, n) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("occurred_at", rs.getTimestamp("occurred_at").toInstant());
          for (String c : List.of("source", "feedback_class", "reason", "action", "address", "status", "reply_code", "diagnostic",
              "remote_mta", "feedback_type")) {
            row.put(c, rs.getString(c));
          }
          row.put("campaign_id", rs.getObject("campaign_id", Long.class));
          row.put("message_id", rs.getObject("message_id", Long.class));
          return row;
        }).list();
    archive.section(capability(), "bounces and complaints",
        "Each bounce, complaint or mailed unsubscribe of the organization's mail to you: its class and reason, the date, the "
            + "receiving server's reply, and what Herald did (suppressed the address, counted it, unsubscribed you).",
        rows);
  }

  @Override
  public ErasureCount erase(DataSubject person) {
    // "who" is what CampaignFeedback.totals counts once; one stand-in per who keeps those counts exact
    int anonymized = jdbc.sql("""
        with mine as (select id, coalesce(recipient_id::text, address_key, id::text) as who from feedback_event where %s),
             stand_in as (select who, -min(id) as anon from mine group by who)
        update feedback_event f set address = null, address_key = null, subscriber_id = null, recipient_id = s.anon, diagnostic = '',
               remote_mta = '', dedupe_key = 'erased:' || f.id
          from mine m join stand_in s on s.who = m.who
         where f.id = m.id""".formatted(MINE))
        .params(params(person)).update();
    return new ErasureCount(Map.of(), Map.of("feedback_event", anonymized));
  }

  /**
   * What is left of raw bounce and complaint messages (the remote's reply and server) is cleared past its schedule, a
   * batch at a time; the row stays for suppression's record and the reports. Who lifted a sender alert goes with the
   * audit log's schedule.
   */
  @Override
  public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    return switch (category) {
      case RAW_FEEDBACK -> jdbc.sql("""
          update feedback_event set diagnostic = '', remote_mta = '' where id in (
            select id from feedback_event where (diagnostic <> '' or remote_mta <> '') and occurred_at < :cutoff
               and (cast(:org as bigint) is null or organization_id = :org) limit :limit)""")
          .param("cutoff", Timestamp.from(cutoff)).param("org", organizationId).param("limit", limit).update();
      case AUDIT_LOG -> jdbc.sql("""
          update sender_alert set lifted_by = null where id in (
            select id from sender_alert where lifted_by is not null and lifted_at < :cutoff
               and (cast(:org as bigint) is null or organization_id = :org) limit :limit)""")
          .param("cutoff", Timestamp.from(cutoff)).param("org", organizationId).param("limit", limit).update();
      default -> 0;
    };
  }
}
