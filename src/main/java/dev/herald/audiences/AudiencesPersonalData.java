package dev.herald.audiences;

import static dev.herald.platform.personaldata.PersonalDataCategory.CONSENT_EVIDENCE;
import static dev.herald.platform.personaldata.PersonalDataCategory.CONTACT;
import static dev.herald.platform.personaldata.PersonalDataCategory.DELIVERY_LOG;
import static dev.herald.platform.personaldata.PersonalDataCategory.IP_ADDRESS;
import static dev.herald.platform.personaldata.PersonalDataCategory.PROFILE;
import static dev.herald.platform.personaldata.RetentionCategory.ACCOUNT_LIFETIME;
import static dev.herald.platform.personaldata.RetentionCategory.HOSTED_PAGE_REQUESTS;

import dev.herald.platform.personaldata.AddressMentions;
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
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.ObjectMapper;

/**
 * The audiences capability's part of the personal-data map: subscribers with their fields, subscriptions, consent
 * records (with the texts shown), confirmation mails, what imports hold of an address, and the hosted forms' request
 * log. An erasure goes through {@link Subscribers#erase}, so that the keyed suppression entry, the event and the audit
 * entry are those of an erasure from the panel or the API.
 */
@Component
class AudiencesPersonalData implements PersonalDataHolder {
  private final JdbcClient jdbc;
  private final Subscribers subscribers;
  private final ObjectMapper json;

  AudiencesPersonalData(JdbcClient jdbc, Subscribers subscribers, ObjectMapper json) {
    this.jdbc = jdbc;
    this.subscribers = subscribers;
    this.json = json;
  }

  @Override
  public String capability() {
    return "audiences";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.none("mailing_list", "the organization's lists and their hosted forms",
            "name", "description", "visibility", "optin", "default_from_name", "default_from_email", "tags", "public_id"),
        PersonalDataTable.none("custom_field", "the organization's subscriber fields (their values are in subscriber.attributes)",
            "key", "label", "type", "choices"),
        PersonalDataTable.of("subscriber", DataSubjectKind.SUBSCRIBER, "the people an organization mails, with their fields",
            List.of(
                PersonalDataColumn.deleted("email", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("email_key", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("name", PROFILE, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("attributes", PROFILE, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("tags", PROFILE, ACCOUNT_LIFETIME)),
            "source"),
        PersonalDataTable.of("subscription", DataSubjectKind.SUBSCRIBER, "who is on which list, with which status",
            List.of(PersonalDataColumn.deleted("status", PROFILE, ACCOUNT_LIFETIME)),
            "source"),
        PersonalDataTable.none("consent_text", "the wording of a form or an import's consent, stored once and shared by every consent"
            + " record that showed it", "sha256", "body"),
        PersonalDataTable.of("consent_record", DataSubjectKind.SUBSCRIBER,
            "proof of consent: what was shown, when, from where, through which form, import or API call",
            List.of(
                PersonalDataColumn.deleted("channel_ref", CONSENT_EVIDENCE, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("basis", CONSENT_EVIDENCE, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("ip", IP_ADDRESS, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("user_agent", CONSENT_EVIDENCE, ACCOUNT_LIFETIME)),
            "channel"),
        PersonalDataTable.none("segment", "the organization's saved segments (their rules may name values, not people)", "name",
            "conditions"),
        PersonalDataTable.of("import_job", DataSubjectKind.SUBSCRIBER, "subscriber imports and, until each finishes, the file uploaded",
            // The file of an import that has not finished yet, dropped when it finishes (a draft's within a day); an erasure
            // cuts the person's rows out of it (PendingImportFiles), the rest of the file stays.
            List.of(PersonalDataColumn.anonymized("content", CONTACT, ACCOUNT_LIFETIME).notExported()),
            "file_name", "format", "mapping", "import_as", "consent_basis", "tags", "status", "failure", "lease_owner", "layout"),
        PersonalDataTable.of("import_error", DataSubjectKind.SUBSCRIBER, "the lines an import set aside, with why, for the member to fix",
            List.of(
                PersonalDataColumn.deleted("value", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("reason", PROFILE, ACCOUNT_LIFETIME))),
        PersonalDataTable.of("import_row", DataSubjectKind.SUBSCRIBER, "an import's rows while it runs (deleted when it finishes)",
            List.of(
                PersonalDataColumn.deleted("email", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("email_key", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("name", PROFILE, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("attributes", PROFILE, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("tags", PROFILE, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("optin_ip", IP_ADDRESS, ACCOUNT_LIFETIME)),
            "skip", "row_status"),
        PersonalDataTable.of("confirmation_mail", DataSubjectKind.SUBSCRIBER,
            "when double opt-in mails went to a subscriber, so one address gets only a few a day",
            List.of(PersonalDataColumn.deleted("sent_at", DELIVERY_LOG, ACCOUNT_LIFETIME))),
        PersonalDataTable.none("import_step", "how long each step of an import took", "step"),
        PersonalDataTable.of("form_attempt", DataSubjectKind.VISITOR,
            "the hosted forms' per-network limit: the network of every sign-up attempt, for ten minutes",
            List.of(PersonalDataColumn.deleted("ip", IP_ADDRESS, HOSTED_PAGE_REQUESTS))));
  }

  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    Long[] ids = subscriberIds(person).toArray(Long[]::new);
    section(archive, "subscriber", "The subscriber record: address, name, custom fields and tags", """
        select email, name, attributes::text as fields, tags, source, created_at, updated_at, last_opened_at, last_clicked_at, withdrawn_at
        from subscriber where organization_id = :org and id = any(:ids) order by id""", person, ids);
    section(archive, "list memberships", "The lists the person is on, with their status there", """
        select l.name as list, x.status, x.source, x.created_at, x.confirmed_at, x.unsubscribed_at
        from subscription x join mailing_list l on l.id = x.list_id
        where l.organization_id = :org and x.subscriber_id = any(:ids) order by l.name""", person, ids);
    section(archive, "consent records", "Every consent given: the text shown, when, from where and through what", """
        select l.name as list, c.channel, c.channel_ref, t.body as consent_text, c.basis, c.ip, c.user_agent, c.given_at,
               c.confirmed_at, c.withdrawn_at
        from consent_record c left join mailing_list l on l.id = c.list_id left join consent_text t on t.id = c.consent_text_id
        where c.organization_id = :org and c.subscriber_id = any(:ids) order by c.given_at, c.id""", person, ids);
    section(archive, "confirmation mails", "When a double opt-in confirmation was mailed, and for which list", """
        select l.name as list, m.sent_at from confirmation_mail m left join mailing_list l on l.id = m.list_id
        where m.subscriber_id = any(:ids) order by m.sent_at""", person, ids);
    List<Map<String, Object>> setAside = jdbc.sql("""
        select j.file_name as import_file, j.created_at as imported_at, e.line, e.reason, e.value
        from import_error e join import_job j on j.id = e.job_id
        where j.organization_id = :org and (lower(e.value) ~ :pattern or lower(e.reason) ~ :pattern) order by j.id, e.line""")
        .param("org", person.organizationId()).param("pattern", AddressMentions.pattern(person.addressKey()))
        .query((rs, n) -> row(rs)).list();
    if (!setAside.isEmpty()) {
      archive.section(capability(), "import lines set aside", "Lines of the organization's imports naming the address that were not imported",
          setAside);
    }
  }

  private void section(PersonalDataArchive archive, String name, String description, String sql, DataSubject person, Long[] ids) {
    if (ids.length == 0) return;
    List<Map<String, Object>> rows = jdbc.sql(sql).param("org", person.organizationId()).param("ids", ids).query((rs, n) -> row(rs)).list();
    if (!rows.isEmpty()) archive.section(capability(), name, description, rows);
  }

  /** A row as the archive takes it: times as instants, arrays as lists, the fields as a map. */
  private Map<String, Object> row(ResultSet rs) throws SQLException {
    Map<String, Object> row = new LinkedHashMap<>();
    var meta = rs.getMetaData();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      String column = meta.getColumnLabel(i);
      Object value = rs.getObject(i);
      if (value instanceof Timestamp t) value = t.toInstant();
      else if (value instanceof java.sql.Array a) value = List.of((Object[]) a.getArray());
      else if (column.equals("fields") && value instanceof String text) value = json.readValue(text, LinkedHashMap.class);
      row.put(column, value);
    }
    return row;
  }

  /**
   * Deletes the subscriber rows (with their subscriptions, consent records and confirmation mails) through
   * {@link Subscribers#erase}, and what imports hold of the address even where no subscriber has it. Consent records go
   * too: the evidence of a consent is about the person, and once they asked to be erased it proves nothing anyone may
   * still act on (they can never be mailed again; the keyed suppression entry is what remains).
   */
  @Override
  @Transactional
  public ErasureCount erase(DataSubject person) {
    long org = person.organizationId();
    Long[] ids = subscriberIds(person).toArray(Long[]::new);
    Map<String, Integer> deleted = new LinkedHashMap<>();
    deleted.put("subscription", count("select count(*) from subscription where subscriber_id = any(:ids)", ids));
    deleted.put("consent_record", count("select count(*) from consent_record where subscriber_id = any(:ids)", ids));
    deleted.put("confirmation_mail", count("select count(*) from confirmation_mail where subscriber_id = any(:ids)", ids));
    Subscribers.ImportTraces traces = subscribers.forgetImportedAddress(org, person.addressKey());
    deleted.put("import_error", traces.errors());
    deleted.put("import_row", traces.staged());
    int erased = 0;
    for (Long id : ids) {
      if (subscribers.erase(org, id)) erased++;
    }
    deleted.put("subscriber", erased);
    return new ErasureCount(deleted, Map.of("import_job", traces.files()));
  }

  /** The ids privacy resolved and any subscriber of the organization with the key now (one may have been added since). */
  private Set<Long> subscriberIds(DataSubject person) {
    Set<Long> ids = new LinkedHashSet<>(jdbc.sql("select id from subscriber where organization_id = :org and id = any(:ids)")
        .param("org", person.organizationId()).param("ids", person.subscriberIds().toArray(Long[]::new)).query(Long.class).list());
    ids.addAll(jdbc.sql("select id from subscriber where organization_id = :org and email_key = :key")
        .param("org", person.organizationId()).param("key", person.addressKey()).query(Long.class).list());
    return ids;
  }

  private int count(String sql, Long[] ids) {
    return ids.length == 0 ? 0 : jdbc.sql(sql).param("ids", ids).query(Integer.class).single();
  }

  /**
   * The hosted forms' attempts older than the cutoff, a batch at a time. They name a network but no organization (the
   * limit is per network across every form), so only the installation-wide run ({@code organizationId} null) purges
   * them. The table has no key; its rows are never updated, so their {@code ctid} is stable within the statement.
   */
  @Override
  public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    if (category != HOSTED_PAGE_REQUESTS || organizationId != null) return 0;
    return jdbc.sql("""
        delete from form_attempt where ctid = any(array(
          select ctid from form_attempt where attempted_at < :cutoff limit :limit))""")
        .param("cutoff", Timestamp.from(cutoff)).param("limit", limit).update();
  }
}
