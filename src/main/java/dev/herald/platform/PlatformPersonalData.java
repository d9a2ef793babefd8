package dev.herald.platform;

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
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The platform's part of the personal-data map. Its settings, secrets and migration history hold nobody's data; the
 * event publication registry does: an event carries what a webhook would send (a subscriber's address, name and
 * fields), and Spring Modulith keeps it until every listener ran (completed publications are deleted); so do the
 * per-network limits of public pages (an IP address). The sandbox mailbox, created by the first migration, is delivery's.
 */
@Component
class PlatformPersonalData implements PersonalDataHolder {
  private final JdbcClient jdbc;

  PlatformPersonalData(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public String capability() {
    return "platform";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.none("platform_setting", "settings the operator changes at run time", "name", "value"),
        PersonalDataTable.none("secret", "keys Herald uses itself, encrypted", "name", "key_id", "ciphertext"),
        PersonalDataTable.none("flyway_schema_history", "which migrations ran", "version", "description", "type", "script", "installed_by"),
        PersonalDataTable.of("event_publication", DataSubjectKind.SUBSCRIBER,
            "events waiting for their listeners (the transactional outbox), deleted once every listener ran",
            List.of(PersonalDataColumn.deleted("serialized_event", PROFILE, ACCOUNT_LIFETIME)),
            "listener_id", "event_type", "status"),
        PersonalDataTable.of("event_publication_archive", DataSubjectKind.SUBSCRIBER,
            "completed events, when the registry archives them (Herald deletes them instead)",
            List.of(PersonalDataColumn.deleted("serialized_event", PROFILE, ACCOUNT_LIFETIME)),
            "listener_id", "event_type", "status"),
        PersonalDataTable.of("public_attempt", DataSubjectKind.VISITOR,
            "per-network limits of public pages anyone may post to (forward to a friend): the network of each attempt, for the"
                + " limit's window",
            List.of(PersonalDataColumn.deleted("ip", IP_ADDRESS, HOSTED_PAGE_REQUESTS)),
            "scope"));
  }

  /** Nothing to show: an event waiting for its listener is a copy of data its capability exports itself. */
  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {}

  /**
   * Deletes the publications of the organization's events that name the address and have not completed (and any in
   * the archive): their listener will not see them, which is the point (a webhook must not send an erased person out).
   * The erasure's own events carry no address, and the capabilities erase what those listeners would have cleaned.
   */
  @Override
  public ErasureCount erase(DataSubject person) {
    String pattern = AddressMentions.pattern(person.addressKey());
    String org = String.valueOf(person.organizationId());
    // The address test first: a regular expression on the text is cheaper than parsing every event's JSON.
    int pending = jdbc.sql("""
        delete from event_publication
        where lower(serialized_event) ~ :pattern and cast(serialized_event as jsonb) ->> 'organizationId' = :org""")
        .param("pattern", pattern).param("org", org).update();
    int archived = jdbc.sql("""
        delete from event_publication_archive
        where lower(serialized_event) ~ :pattern and cast(serialized_event as jsonb) ->> 'organizationId' = :org""")
        .param("pattern", pattern).param("org", org).update();
    return new ErasureCount(Map.of("event_publication", pending, "event_publication_archive", archived), Map.of());
  }

  /**
   * Public pages' attempts older than the cutoff ({@link RetentionCategory#HOSTED_PAGE_REQUESTS}), a batch at a time.
   * They name a network, not an organization, so only the installation-wide run purges them. The table has no key; its
   * rows are never updated, so a row's {@code ctid} is stable within the statement.
   */
  @Override
  public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    if (category != HOSTED_PAGE_REQUESTS || organizationId != null) return 0;
    return jdbc.sql("""
        delete from public_attempt where ctid = any(array(select ctid from public_attempt where attempted_at < :cutoff limit :limit))""")
        .param("cutoff", Timestamp.from(cutoff)).param("limit", limit).update();
  }
}
