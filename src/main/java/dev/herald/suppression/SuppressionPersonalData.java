package dev.herald.suppression;

import static dev.herald.platform.personaldata.PersonalDataCategory.AUDIT;
import static dev.herald.platform.personaldata.PersonalDataCategory.CONTACT;
import static dev.herald.platform.personaldata.PersonalDataCategory.PROFILE;
import static dev.herald.platform.personaldata.RetentionCategory.ACCOUNT_LIFETIME;

import dev.herald.mail.AddressDigest;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.DataSubjectKind;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The suppression capability's part of the personal-data map: the organization's entries for a person's address, their
 * restrictions of processing and objections to marketing, and what is kept of them once they are erased (one entry with a keyed hash, {@link ErasureHash}). The installation's own
 * list is the operator's, kept for every organization, and an organization's request does not reach it.
 */
@Component
class SuppressionPersonalData implements PersonalDataHolder {
  private final JdbcClient jdbc;
  private final Suppressions suppressions;

  SuppressionPersonalData(JdbcClient jdbc, Suppressions suppressions) {
    this.jdbc = jdbc;
    this.suppressions = suppressions;
  }

  @Override
  public String capability() {
    return "suppression";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(PersonalDataTable.of("suppression", DataSubjectKind.SUBSCRIBER,
        "addresses and domains never mailed or re-added (bounces, complaints, unsubscribes, a member's decision), and erased people",
        List.of(
            PersonalDataColumn.deleted("address", CONTACT, ACCOUNT_LIFETIME),
            PersonalDataColumn.kept("address_hash", CONTACT, ACCOUNT_LIFETIME,
                "an erased person's entry keeps only a keyed hash of the address (HMAC-SHA256 under a secret of the installation,"
                    + " which cannot be read back or matched against other systems' hashes), so that nobody adds them again;"
                    + " the entries holding the address or its plain SHA-256 are deleted"),
            PersonalDataColumn.deleted("note", PROFILE, ACCOUNT_LIFETIME),
            PersonalDataColumn.deleted("source", AUDIT, ACCOUNT_LIFETIME)),
        "domain", "reason"),
        PersonalDataTable.of("suppression_restriction", DataSubjectKind.SUBSCRIBER,
            "restrictions of processing (no mail at all) and objections to marketing that people asked for",
            List.of(
                PersonalDataColumn.deleted("address", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("address_key", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("reason", PROFILE, ACCOUNT_LIFETIME)),
            "kind"));
  }

  /**
   * The organization's entries for the address (by address, or an erasure), and its entry for the address's whole
   * domain if there is one: why the person is not mailed.
   */
  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    String domain = person.addressKey().substring(person.addressKey().lastIndexOf('@') + 1);
    List<Map<String, Object>> rows = jdbc.sql("""
        select address, domain, reason, note, source, created_at, expires_at from suppression
        where organization_id = :org and (address_hash = :hash or domain = :domain) order by created_at, id""")
        .param("org", person.organizationId()).param("hash", AddressDigest.of(person.addressKey())).param("domain", domain)
        .query((rs, n) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("entry", rs.getString("domain") != null ? "whole domain" : "address");
          row.put("address", rs.getString("address"));
          row.put("domain", rs.getString("domain"));
          row.put("reason", rs.getString("reason"));
          row.put("note", rs.getString("note"));
          row.put("source", rs.getString("source"));
          row.put("created_at", rs.getTimestamp("created_at").toInstant());
          row.put("expires_at", rs.getTimestamp("expires_at") == null ? null : rs.getTimestamp("expires_at").toInstant());
          return row;
        }).list();
    if (!rows.isEmpty()) {
      archive.section(capability(), "suppression entries", "Why the organization does not mail the address (its own list)", rows);
    }
    List<Map<String, Object>> restrictions = jdbc.sql("""
        select address, kind, reason, created_at from suppression_restriction
        where organization_id = :org and address_key = :key order by kind""")
        .param("org", person.organizationId()).param("key", person.addressKey())
        .query((rs, n) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("address", rs.getString("address"));
          row.put("kind", rs.getString("kind"));
          row.put("reason", rs.getString("reason"));
          row.put("created_at", rs.getTimestamp("created_at").toInstant());
          return row;
        }).list();
    if (!restrictions.isEmpty()) {
      archive.section(capability(), "restrictions and objections", "What the person asked the organization to stop: all mail"
          + " (restriction of processing) or marketing (objection)", restrictions);
    }
  }

  /** The organization's entries and restrictions for the address go; one erased entry with the keyed hash stays. */
  @Override
  public ErasureCount erase(DataSubject person) {
    Suppressions.Erased erased = suppressions.erase(person.organizationId(), person.addressKey());
    return new ErasureCount(Map.of("suppression", erased.deleted(), "suppression_restriction", erased.restrictions()), Map.of());
  }
}
