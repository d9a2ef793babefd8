package dev.herald.privacy;

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
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The privacy capability's own part of the personal-data map. Each privacy feature adds the declarations of its tables
 * to {@link #tables()} (one entry per table, in the order the migrations create them).
 */
@Component
class PrivacyPersonalData implements PersonalDataHolder {
  private final AccountExports accountExports;
  private final JdbcClient jdbc;

  PrivacyPersonalData(AccountExports accountExports, JdbcClient jdbc) {
    this.accountExports = accountExports;
    this.jdbc = jdbc;
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
    return tables;
  }

  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    // nothing of privacy's own tables is about a person yet
  }

  @Override
  public ErasureCount erase(DataSubject person) {
    // A ZIP cannot be edited: the organization's exports, which may hold the person, go whole (owners export again).
    int exports = accountExports.forget(person.organizationId());
    return exports == 0 ? ErasureCount.none()
        : new ErasureCount(java.util.Map.of("organization_export", exports), java.util.Map.of());
  }

  /**
   * The record of retention runs is the engine's audit log: finished and failed runs (with their counts) go with the
   * audit log's schedule. It is the installation's, so an organization's own schedule purges none of it.
   */
  @Override
  public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    if (category != RetentionCategory.AUDIT_LOG || organizationId != null) return 0;
    return jdbc.sql("""
        delete from retention_run where id in (
          select id from retention_run where status in ('finished', 'failed') and queued_at < ? order by id limit ?)""")
        .params(Timestamp.from(cutoff), limit).update();
  }
}
