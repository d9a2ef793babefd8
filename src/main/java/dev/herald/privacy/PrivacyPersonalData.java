package dev.herald.privacy;

import static dev.herald.platform.personaldata.PersonalDataCategory.AUDIT;
import static dev.herald.platform.personaldata.PersonalDataCategory.CONTACT;
import static dev.herald.platform.personaldata.PersonalDataCategory.IP_ADDRESS;
import static dev.herald.platform.personaldata.PersonalDataCategory.PROFILE;
import static dev.herald.platform.personaldata.RetentionCategory.ACCOUNT_LIFETIME;
import static dev.herald.platform.personaldata.RetentionCategory.HOSTED_PAGE_REQUESTS;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.DataSubjectKind;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataCategory;
import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The privacy capability's own part of the personal-data map. Each privacy feature adds the declarations of its tables
 * to {@link #tables()} (one entry per table, in the order the migrations create them).
 */
@Component
class PrivacyPersonalData implements PersonalDataHolder {
  private final AccountExports accountExports;
  private final StaffAccessLog staffAccess;
  private final SubProcessors subProcessors;
  private final JdbcClient jdbc;
  private final DataSubjectRequests requests;
  private final AddressMacs macs;

  PrivacyPersonalData(AccountExports accountExports, StaffAccessLog staffAccess, SubProcessors subProcessors, JdbcClient jdbc,
      DataSubjectRequests requests, AddressMacs macs) {
    this.accountExports = accountExports;
    this.staffAccess = staffAccess;
    this.subProcessors = subProcessors;
    this.jdbc = jdbc;
    this.requests = requests;
    this.macs = macs;
  }

  @Override
  public String capability() {
    return "privacy";
  }

  @Override
  public List<PersonalDataTable> tables() {
    List<PersonalDataTable> tables = new ArrayList<>();
    // retention (V71): schedules and the record of runs; counts only, nobody's data
    tables.add(PersonalDataTable.none("retention_schedule", "the operator's retention schedule per category", "category", "period"));
    tables.add(PersonalDataTable.none("retention_override", "an organization's shorter retention schedules", "category", "period"));
    tables.add(PersonalDataTable.none("retention_run", "the record of retention runs (kept as long as the audit log)", "status",
        "failure", "lease_owner"));
    tables.add(PersonalDataTable.none("retention_run_count", "rows each retention run purged, per category and capability",
        "category", "capability"));
    // accounts (V82): an owner's export of the whole organization, its ZIP, and the purge certificates
    tables.add(PersonalDataTable.none("organization_export", "an owner's export of all of the organization's data: the job and its progress",
        "status", "failure", "lease_owner", "current_part"));
    tables.add(PersonalDataTable.of("organization_export_chunk", DataSubjectKind.SUBSCRIBER,
        "the export's ZIP, downloadable by the organization's owners for 7 days, then deleted by the export worker",
        List.of(PersonalDataColumn.deleted("bytes", PersonalDataCategory.PROFILE, RetentionCategory.ACCOUNT_LIFETIME).notExported())));
    tables.add(PersonalDataTable.none("organization_purge",
        "the purge certificate of a closed organization: its name and slug, and rows deleted per table (counts only)",
        "organization_name", "organization_slug", "status", "failure", "lease_owner", "certificate"));
    // breach notification and transparency (V83)
    tables.add(PersonalDataTable.of("breach_incident", DataSubjectKind.OPERATOR,
        "the operator's record of a personal-data breach and of when the supervisory authority was told (GDPR art. 33(5))",
        List.of(PersonalDataColumn.kept("recorded_by", PersonalDataCategory.AUDIT, RetentionCategory.ACCOUNT_LIFETIME,
            "the breach documentation GDPR art. 33(5) requires names who recorded it")),
        "title", "description", "authority_reference"));
    tables.add(PersonalDataTable.none("breach_incident_category", "the categories of personal data a breach concerned", "category"));
    tables.add(PersonalDataTable.none("breach_incident_organization",
        "the organizations a breach affected, and the draft campaign each made to tell its subscribers"));
    tables.add(PersonalDataTable.of("breach_notice", DataSubjectKind.MEMBER,
        "who of the affected organizations' members was told of a breach, when, and when they acknowledged it",
        List.of(PersonalDataColumn.kept("email", PersonalDataCategory.CONTACT, RetentionCategory.ACCOUNT_LIFETIME,
            "the breach documentation GDPR art. 33(5) and 34 require shows who was notified; the row goes with the person's account"))));
    tables.add(PersonalDataTable.none("privacy_subprocessor", "the sub-processors the public privacy page and access archives list",
        "name", "purpose", "location", "url"));
    tables.add(PersonalDataTable.none("privacy_setting", "the public privacy page's region and contact", "region", "contact"));
    tables.add(PersonalDataTable.of("staff_access", DataSubjectKind.OPERATOR,
        "the operators' requests under an organization, shown to it (staff access to its personal data)",
        List.of(PersonalDataColumn.kept("email", PersonalDataCategory.AUDIT, RetentionCategory.AUDIT_LOG,
            "the organization's record of which operator looked at its data")),
        "method", "path"));
    // V73: data-subject requests
    tables.add(PersonalDataTable.of("privacy_request", DataSubjectKind.SUBSCRIBER,
        "Data-subject requests: what the person asked for, when, and how it was answered (GDPR articles 12 and 15-21)",
        List.of(PersonalDataColumn.anonymized("address", CONTACT, ACCOUNT_LIFETIME),
            PersonalDataColumn.anonymized("address_key", CONTACT, ACCOUNT_LIFETIME),
            PersonalDataColumn.anonymized("extension_reason", PROFILE, ACCOUNT_LIFETIME),
            PersonalDataColumn.anonymized("rejection_reason", PROFILE, ACCOUNT_LIFETIME),
            PersonalDataColumn.kept("handled_by", AUDIT, ACCOUNT_LIFETIME,
                "who answered the request: the organization's accountability for it (article 5(2)); scrubbed of the person's address")),
        "type", "status", "channel", "outcome", "verification"));
    tables.add(PersonalDataTable.of("privacy_request_step", DataSubjectKind.SUBSCRIBER, "The history of each data-subject request",
        List.of(PersonalDataColumn.anonymized("note", PROFILE, ACCOUNT_LIFETIME),
            PersonalDataColumn.kept("actor", AUDIT, ACCOUNT_LIFETIME,
                "who took the step: the organization's accountability for the request (article 5(2)); scrubbed of the person's address")),
        "action"));
    tables.add(PersonalDataTable.of("privacy_archive", DataSubjectKind.SUBSCRIBER,
        "The copy of a person's data an access or portability request made, kept 14 days for download",
        List.of(PersonalDataColumn.deleted("content", PROFILE, ACCOUNT_LIFETIME)), "file_name"));
    tables.add(PersonalDataTable.none("privacy_request_setting", "Whether an organization's self-service requests complete themselves"));
    tables.add(PersonalDataTable.of("privacy_self_service_attempt", DataSubjectKind.VISITOR,
        "Rate limits of the self-service request form, kept a day",
        List.of(PersonalDataColumn.deleted("ip", IP_ADDRESS, HOSTED_PAGE_REQUESTS),
            PersonalDataColumn.deleted("address_mac", CONTACT, HOSTED_PAGE_REQUESTS))));
    return tables;
  }

  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    // The recipients of the person's data: the installation's sub-processors (GDPR art. 15(1)(c)).
    archive.section("privacy", "sub-processors", "companies that process personal data for this installation",
        subProcessors.list().stream().map(s -> {
          java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
          row.put("name", s.name());
          row.put("purpose", s.purpose());
          row.put("location", s.location());
          row.put("url", s.url());
          return row;
        }).toList());
    // A member of the organization with the person's address was told of these breaches.
    List<java.util.Map<String, Object>> notices = jdbc.sql("""
        select i.title, i.detected_at, n.notified_at, n.acknowledged_at from breach_notice n join breach_incident i on i.id = n.incident_id
        where n.organization_id = ? and lower(n.email) = ? order by n.notified_at""").params(person.organizationId(), person.addressKey())
        .query((rs, n) -> {
          java.util.Map<String, Object> row = new java.util.LinkedHashMap<>();
          row.put("incident", rs.getString(1));
          row.put("detected_at", rs.getTimestamp(2).toInstant());
          row.put("notified_at", rs.getTimestamp(3).toInstant());
          row.put("acknowledged_at", rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant());
          return row;
        }).list();
    if (!notices.isEmpty()) archive.section("privacy", "breach notices", "personal-data breaches the person was notified of", notices);
    List<Map<String, Object>> rows = jdbc.sql("""
        select id, type, status, channel, received_at, due_at, closed_at, extension_reason, rejection_reason
        from privacy_request where organization_id = ? and address_key = ? order by id""")
        .params(person.organizationId(), person.addressKey())
        .query((rs, n) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("request", rs.getLong("id"));
          row.put("type", rs.getString("type"));
          row.put("status", rs.getString("status"));
          row.put("channel", rs.getString("channel"));
          row.put("received", rs.getTimestamp("received_at").toInstant());
          row.put("due", rs.getTimestamp("due_at").toInstant());
          row.put("closed", rs.getTimestamp("closed_at") == null ? null : rs.getTimestamp("closed_at").toInstant());
          row.put("extension reason", rs.getString("extension_reason"));
          row.put("rejection reason", rs.getString("rejection_reason"));
          return row;
        }).list();
    archive.section("privacy", "privacy requests", "The requests about your data you made to the organization", rows);
  }

  @Override
  public ErasureCount erase(DataSubject person) {
    // A ZIP cannot be edited: the organization's exports, which may hold the person, go whole (owners export again).
    int exports = accountExports.forget(person.organizationId());
    // Data-subject requests: the person's requests keep no address; their archives and rate-limit entries go.
    int[] changed = requests.forgetSubject(person.organizationId(), person.address(), person.addressKey());
    int attempts = jdbc.sql("delete from privacy_self_service_attempt where address_mac = ?")
        .param(macs.of(person.organizationId(), person.addressKey())).update();
    return new ErasureCount(Map.of("organization_export", exports, "privacy_archive", changed[1], "privacy_self_service_attempt", attempts),
        Map.of("privacy_request", changed[0]));
  }

  /**
   * The record of retention runs is the engine's audit log: finished and failed runs (with their counts) go with the
   * audit log's schedule. It is the installation's, so an organization's own schedule purges none of it. Staff-access
   * entries go with the same schedule, the organization's own when it set a shorter one.
   */
  @Override
  public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    if (category != RetentionCategory.AUDIT_LOG) return 0;
    int runs = organizationId != null ? 0 : jdbc.sql("""
        delete from retention_run where id in (
          select id from retention_run where status in ('finished', 'failed') and queued_at < ? order by id limit ?)""")
        .params(Timestamp.from(cutoff), limit).update();
    return runs + (runs < limit ? staffAccess.purge(organizationId, cutoff, limit - runs) : 0);
  }
}
