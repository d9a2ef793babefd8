package dev.herald.delivery;

import static dev.herald.platform.personaldata.PersonalDataCategory.AUDIT;
import static dev.herald.platform.personaldata.PersonalDataCategory.CONTACT;
import static dev.herald.platform.personaldata.PersonalDataCategory.CREDENTIALS;
import static dev.herald.platform.personaldata.PersonalDataCategory.DELIVERY_LOG;
import static dev.herald.platform.personaldata.PersonalDataCategory.HEADERS;
import static dev.herald.platform.personaldata.PersonalDataCategory.MESSAGE_CONTENT;
import static dev.herald.platform.personaldata.RetentionCategory.ACCOUNT_LIFETIME;
import static dev.herald.platform.personaldata.RetentionCategory.DELIVERY_LOG_DETAILS;
import static dev.herald.platform.personaldata.RetentionCategory.MESSAGE_HEADERS;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.DataSubjectKind;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;

/**
 * Delivery's part of the personal-data map: the queue and message log (each message's recipients by address, their
 * attempts with the remote servers' replies, the stored raw messages of the send API and of system mail, the tracked
 * links), and the sandbox mailbox's captured messages.
 *
 * <p>Erasure keeps the delivery log's rows, anonymized, because reports count them (a campaign's recipients by state
 * and by domain): the address becomes '' and its key {@code erased:<row id>} (not a hash: a hash of an address is the
 * address to anyone who can guess it), the remote replies (which often quote the address) are emptied, a recipient
 * still waiting ends as deleted. A stored message that went to the person loses its content, subject, metadata and
 * idempotency key (its To/Cc name them); if other recipients still wait for it, its content goes once they reached a
 * final state ({@link #emptyErasedContents}). Tracked links and sandbox captures that name the person go.
 *
 * <p>Herald's own mail (no organization: confirmations, invitations) is erased with the person in any organization: it
 * exists only to be delivered, and no organization keeps it; but only an organization's own rows are exported to it.
 */
@Component
class DeliveryPersonalData implements PersonalDataHolder {
  /** The last reply of a recipient the erasure ended before it was sent. */
  static final String ERASED_UNSENT = "Not sent: the person's data was erased at their request";
  private final JdbcClient jdbc;
  private final Clock clock;

  DeliveryPersonalData(JdbcClient jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  @Override
  public String capability() {
    return "delivery";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.of("outbound_message", DataSubjectKind.SUBSCRIBER,
            "The queue and the message log: mail the organization sent (send API, campaigns, forwards) and Herald's own mail",
            List.of(PersonalDataColumn.anonymized("content", HEADERS, MESSAGE_HEADERS),
                PersonalDataColumn.anonymized("subject", MESSAGE_CONTENT, ACCOUNT_LIFETIME),
                PersonalDataColumn.anonymized("metadata", MESSAGE_CONTENT, ACCOUNT_LIFETIME),
                PersonalDataColumn.anonymized("idempotency_key", DELIVERY_LOG, ACCOUNT_LIFETIME),
                PersonalDataColumn.anonymized("request_hash", DELIVERY_LOG, ACCOUNT_LIFETIME)),
            "source", "from_address", "header_message_id", "tags"),
        PersonalDataTable.of("outbound_recipient", DataSubjectKind.SUBSCRIBER,
            "The delivery log: each recipient of a message, its delivery state and the last reply of its server",
            List.of(PersonalDataColumn.anonymized("address", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.anonymized("address_key", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.anonymized("last_reply", DELIVERY_LOG, DELIVERY_LOG_DETAILS),
                PersonalDataColumn.kept("domain", DELIVERY_LOG, ACCOUNT_LIFETIME,
                    "Reports count recipients by mail domain; a domain alone names a mailbox provider, not a person")),
            "kind", "state", "lease_owner"),
        PersonalDataTable.of("outbound_attempt", DataSubjectKind.SUBSCRIBER,
            "The delivery log's attempts: when each recipient was tried, which server answered and what it said",
            List.of(PersonalDataColumn.anonymized("reply_text", DELIVERY_LOG, DELIVERY_LOG_DETAILS)),
            "server_host", "server_ip", "source_ip", "enhanced_code", "outcome"),
        PersonalDataTable.of("outbound_link", DataSubjectKind.SUBSCRIBER,
            "Tracked links of a message, for the click redirect; a send API message's links may name its recipient",
            List.of(PersonalDataColumn.deleted("url", MESSAGE_CONTENT, ACCOUNT_LIFETIME))),
        PersonalDataTable.of("sandbox_message", DataSubjectKind.SUBSCRIBER,
            "The sandbox mailbox: mail captured instead of sent, for trying Herald out without sending",
            List.of(PersonalDataColumn.deleted("recipient", CONTACT, MESSAGE_HEADERS),
                PersonalDataColumn.deleted("subject", MESSAGE_CONTENT, MESSAGE_HEADERS),
                PersonalDataColumn.deleted("body_text", MESSAGE_CONTENT, MESSAGE_HEADERS)),
            "purpose"),
        PersonalDataTable.none("delivery_setting", "The operator's delivery mode and the installation's system sender address",
            "mode", "system_sender"),
        PersonalDataTable.none("ip_pool", "The operator's pools of sending IP addresses", "name"),
        PersonalDataTable.none("ip_pool_address", "The installation's own sending IP addresses and their EHLO names",
            "address", "ehlo_name"),
        PersonalDataTable.none("organization_ip_pool", "Which IP pool an organization sends from"),
        PersonalDataTable.of("delivery_server", DataSubjectKind.OPERATOR,
            "Smarthosts the operator configured (their passwords are in the platform's encrypted secrets)",
            List.of(PersonalDataColumn.kept("auth_user", CREDENTIALS, ACCOUNT_LIFETIME,
                "The operator's own account at a smarthost, kept while the server is configured").notExported()),
            "name", "host", "tls_mode"),
        PersonalDataTable.none("delivery_server_assignment", "Which delivery server an organization or sending domain uses",
            "sending_domain"),
        PersonalDataTable.none("delivery_server_usage", "Messages per delivery server and hour, for its limits"),
        PersonalDataTable.of("queue_pause", DataSubjectKind.OPERATOR, "Destinations the operator paused, and who paused them",
            List.of(PersonalDataColumn.kept("paused_by", AUDIT, ACCOUNT_LIFETIME,
                "Shows operators who paused a destination; it goes with the pause")),
            "domain"));
  }

  @Override
  @Transactional(readOnly = true)
  public void export(DataSubject person, PersonalDataArchive archive) {
    archive.section(capability(), "messages", "Mail sent to you: its sender, subject and date, and how its delivery went",
        jdbc.sql("""
            select m.id, m.source, m.from_address, m.subject, m.header_date, r.kind, r.address, r.state, r.attempts, r.last_reply,
              r.last_attempt_at, r.finished_at
            from outbound_recipient r join outbound_message m on m.id = r.message_id
            where r.organization_id = ? and r.address_key = ? order by m.id, r.id""")
            .params(person.organizationId(), person.addressKey())
            .query((rs, i) -> row("message", rs.getLong(1), "source", rs.getString(2), "from", rs.getString(3), "subject",
                rs.getString(4), "date", instant(rs, 5), "recipient kind", rs.getString(6), "address", rs.getString(7), "state",
                rs.getString(8), "attempts", rs.getInt(9), "last reply", rs.getString(10), "last attempt", instant(rs, 11),
                "finished", instant(rs, 12)))
            .list());
    archive.section(capability(), "delivery attempts", "Each try to deliver mail to you, and what your mail server answered",
        jdbc.sql("""
            select a.message_id, a.attempted_at, a.outcome, a.server_host, a.reply_code, a.enhanced_code, a.reply_text
            from outbound_recipient r join outbound_attempt a on a.recipient_id = r.id
            where r.organization_id = ? and r.address_key = ? order by a.id""")
            .params(person.organizationId(), person.addressKey())
            .query((rs, i) -> row("message", rs.getLong(1), "attempted", instant(rs, 2), "outcome", rs.getString(3), "server",
                rs.getString(4), "reply code", rs.getObject(5), "enhanced code", rs.getString(6), "reply", rs.getString(7)))
            .list());
    archive.section(capability(), "sandbox captures", "Mail to you kept in the test mailbox instead of being sent",
        jdbc.sql("""
            select id, created_at, recipient, subject, purpose, body_text from sandbox_message
            where organization_id = ? and lower(recipient) = ? order by id""")
            .params(person.organizationId(), person.addressKey())
            .query((rs, i) -> row("capture", rs.getLong(1), "captured", instant(rs, 2), "recipient", rs.getString(3), "subject",
                rs.getString(4), "purpose", rs.getString(5), "message", rs.getString(6)))
            .list());
  }

  @Override
  @Transactional
  public ErasureCount erase(DataSubject person) {
    Map<String, Integer> deleted = new LinkedHashMap<>(), anonymized = new LinkedHashMap<>();
    String[] mentions = PersonMentions.patterns(person);
    Long[] recipients = jdbc.sql("""
        select id from outbound_recipient where (organization_id = ? or organization_id is null) and address_key = ? order by id for update""")
        .params(person.organizationId(), person.addressKey()).query(Long.class).list().toArray(Long[]::new);
    Long[] messages = jdbc.sql("select distinct message_id from outbound_recipient where id = any (?) order by 1")
        .param(recipients).query(Long.class).list().toArray(Long[]::new);
    anonymized.put("outbound_attempt", jdbc.sql("update outbound_attempt set reply_text = '' where recipient_id = any (?) and reply_text <> ''")
        .param(recipients).update());
    // A recipient still waiting (or in a worker's hands) ends here: the worker's result, fenced on 'sending', is not written.
    // Its last reply says why it was never sent (the message page and API show it); the reason names nobody.
    anonymized.put("outbound_recipient", jdbc.sql("""
        update outbound_recipient set address = '', address_key = 'erased:' || id, lease_until = null,
          last_reply = case when state in ('queued', 'sending', 'deferred', 'held') then :erased else '' end,
          state = case when state in ('queued', 'sending', 'deferred', 'held') then 'deleted' else state end,
          finished_at = coalesce(finished_at, :now)
        where id = any (:ids)""")
        .param("now", Timestamp.from(clock.instant())).param("ids", recipients).param("erased", ERASED_UNSENT).update());
    // Stored messages (send API, system mail) name every recipient in their headers: emptied now, or once the others
    // still waiting for the same message were delivered (content is what they are sent).
    anonymized.put("outbound_message", jdbc.sql("""
        update outbound_message m set subject = '', metadata = '{}', idempotency_key = null, request_hash = null,
          content = case when w.waiting then m.content else '\\x'::bytea end, erase_content = w.waiting
        from (select m2.id, exists (select 1 from outbound_recipient r where r.message_id = m2.id
                and r.state in ('queued', 'sending', 'deferred', 'held')) as waiting
              from outbound_message m2 where m2.id = any (?) and m2.content is not null) w
        where m.id = w.id""")
        .param(messages).update());
    deleted.put("outbound_link", jdbc.sql("delete from outbound_link where message_id = any (?) and lower(url) like any (?)")
        .params(messages, mentions).update());
    deleted.put("sandbox_message", jdbc.sql("""
        delete from sandbox_message where (organization_id = ? or organization_id is null)
          and (lower(recipient) = ? or lower(subject) like any (?) or lower(body_text) like any (?))""")
        .params(person.organizationId(), person.addressKey(), mentions, mentions).update());
    return new ErasureCount(deleted, anonymized);
  }

  /**
   * Empties the content of stored messages an erasure marked ({@code erase_content}) once none of their recipients waits
   * any more. Run by {@link FinishedAddresses}'s sweep; at most {@code limit} messages a call.
   */
  @Transactional
  int emptyErasedContents(int limit) {
    return jdbc.sql("""
        with done as (
          select m.id from outbound_message m
          where m.erase_content
            and not exists (select 1 from outbound_recipient r where r.message_id = m.id and r.state in ('queued', 'sending', 'deferred', 'held'))
          order by m.id limit ? for update of m skip locked
        )
        update outbound_message m set content = '\\x'::bytea, erase_content = false from done where m.id = done.id""")
        .param(limit).update();
  }

  /**
   * Delivery log details: the remote replies of attempts and of finished recipients (servers often quote the address).
   * Message headers: the stored raw messages (emptied, not deleted: the log keeps the message's row and recipients) and
   * the sandbox's captures (deleted). Oldest first, at most {@code limit} rows, in one transaction.
   */
  @Override
  @Transactional
  public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    Timestamp before = Timestamp.from(cutoff);
    return switch (category) {
      case DELIVERY_LOG_DETAILS -> {
        int attempts = jdbc.sql("""
            update outbound_attempt set reply_text = '' where id in (
              select id from outbound_attempt
              where attempted_at < :before and reply_text <> '' and (cast(:org as bigint) is null or organization_id = :org)
              order by attempted_at, id limit :limit)""")
            .param("before", before).param("org", organizationId).param("limit", limit).update();
        if (attempts >= limit) yield attempts;
        yield attempts + jdbc.sql("""
            update outbound_recipient set last_reply = '' where id in (
              select id from outbound_recipient
              where finished_at < :before and last_reply <> '' and (cast(:org as bigint) is null or organization_id = :org)
              order by finished_at, id limit :limit)""")
            .param("before", before).param("org", organizationId).param("limit", limit - attempts).update();
      }
      case MESSAGE_HEADERS -> {
        // A message some recipient still waits for keeps its content (it is what they are sent): past the retention
        // only if the operator's schedule is shorter than the queue's give-up age.
        int messages = jdbc.sql("""
            update outbound_message set content = '\\x'::bytea where id in (
              select m.id from outbound_message m
              where m.created_at < :before and octet_length(m.content) > 0 and (cast(:org as bigint) is null or m.organization_id = :org)
                and not exists (select 1 from outbound_recipient r where r.message_id = m.id
                  and r.state in ('queued', 'sending', 'deferred', 'held'))
              order by m.created_at, m.id limit :limit)""")
            .param("before", before).param("org", organizationId).param("limit", limit).update();
        if (messages >= limit) yield messages;
        yield messages + jdbc.sql("""
            delete from sandbox_message where id in (
              select id from sandbox_message
              where created_at < :before and (cast(:org as bigint) is null or organization_id = :org)
              order by created_at, id limit :limit)""")
            .param("before", before).param("org", organizationId).param("limit", limit - messages).update();
      }
      default -> 0;
    };
  }

  /** A row of an archive section: names and values in turn, in the order shown. */
  private static Map<String, Object> row(Object... namesAndValues) {
    Map<String, Object> row = new LinkedHashMap<>();
    for (int i = 0; i < namesAndValues.length; i += 2) row.put((String) namesAndValues[i], namesAndValues[i + 1]);
    return row;
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
