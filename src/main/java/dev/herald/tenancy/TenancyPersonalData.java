package dev.herald.tenancy;

import static dev.herald.platform.personaldata.PersonalDataCategory.AUDIT;
import static dev.herald.platform.personaldata.PersonalDataCategory.CONTACT;
import static dev.herald.platform.personaldata.PersonalDataCategory.CREDENTIALS;
import static dev.herald.platform.personaldata.PersonalDataCategory.IP_ADDRESS;
import static dev.herald.platform.personaldata.PersonalDataCategory.PROFILE;
import static dev.herald.platform.personaldata.PersonalDataCategory.REQUEST_LOG;
import static dev.herald.platform.personaldata.PersonalDataCategory.SIGN_IN_HISTORY;
import static dev.herald.platform.personaldata.RetentionCategory.ACCOUNT_LIFETIME;

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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The tenancy capability's part of the personal-data map: the people who use Herald (members of organizations and the
 * operators), their credentials, sessions and sign-in history, and the audit log.
 *
 * <p>A data-subject request is about a person in an organization's audience. What tenancy holds of such a person is
 * little: audit entries whose object is their subscriber record (who changed it and when; no address, since no
 * capability writes one there), exported as action, detail and time only (the actor and the network are the members'
 * data, not the subscriber's). On erasure those entries stay, naming only a former subscriber id that nothing links to
 * the person any more, and any detail that mentions the address is blanked. A member's own account (export, deletion)
 * is the accounts feature's, not a data-subject request of an organization.
 */
@Component
class TenancyPersonalData implements PersonalDataHolder {
  private static final String AUDIT_KEPT = "the organization's record of who did what and when (accountability), purged after the"
      + " audit-log period; it names a subscriber only by a former id, never by address";

  private final JdbcClient jdbc;

  TenancyPersonalData(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public String capability() {
    return "tenancy";
  }

  @Override
  public List<PersonalDataTable> tables() {
    return List.of(
        PersonalDataTable.of("app_user", DataSubjectKind.MEMBER, "the accounts of organization members and operators",
            List.of(
                PersonalDataColumn.deleted("email", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("display_name", PROFILE, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("password_hash", CREDENTIALS, ACCOUNT_LIFETIME).notExported(),
                PersonalDataColumn.deleted("totp_secret", CREDENTIALS, ACCOUNT_LIFETIME).notExported())),
        PersonalDataTable.of("totp_recovery_code", DataSubjectKind.MEMBER, "single-use recovery codes of two-factor sign-in",
            List.of(PersonalDataColumn.deleted("code_hash", CREDENTIALS, ACCOUNT_LIFETIME).notExported())),
        PersonalDataTable.none("organization", "the organizations (customers) of the installation", "slug", "name", "suspended_reason"),
        PersonalDataTable.of("membership", DataSubjectKind.MEMBER, "who belongs to which organization, in which role",
            List.of(PersonalDataColumn.deleted("role", PROFILE, ACCOUNT_LIFETIME))),
        PersonalDataTable.none("user_group", "an organization's custom permission groups", "name", "permissions"),
        PersonalDataTable.none("user_group_member", "who is in which permission group (ids only)"),
        PersonalDataTable.of("invitation", DataSubjectKind.MEMBER, "invitations to join an organization, by address",
            List.of(
                PersonalDataColumn.deleted("email", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("token_hash", CREDENTIALS, ACCOUNT_LIFETIME).notExported()),
            "role"),
        PersonalDataTable.of("one_time_token", DataSubjectKind.MEMBER, "password-reset, sign-up and setup links mailed to a person",
            List.of(PersonalDataColumn.deleted("token_hash", CREDENTIALS, ACCOUNT_LIFETIME).notExported()),
            "purpose"),
        PersonalDataTable.of("login_event", DataSubjectKind.MEMBER,
            "every sign-in attempt (also with an address that has no account), for the account page, lockouts and rate limits",
            List.of(
                PersonalDataColumn.deleted("email", CONTACT, RetentionCategory.SIGN_IN_HISTORY),
                PersonalDataColumn.deleted("ip", IP_ADDRESS, RetentionCategory.SIGN_IN_HISTORY),
                PersonalDataColumn.deleted("user_agent", SIGN_IN_HISTORY, RetentionCategory.SIGN_IN_HISTORY)),
            "reason"),
        PersonalDataTable.none("api_key", "an organization's API keys (hashed secret, scopes, allowed networks)",
            "name", "prefix", "secret_hash", "scopes", "ip_allowlist"),
        PersonalDataTable.none("policy_version", "the terms and privacy policy versions the operator published", "version", "summary", "url"),
        PersonalDataTable.of("policy_acceptance", DataSubjectKind.MEMBER, "who accepted which terms, when and from where",
            List.of(PersonalDataColumn.deleted("ip", IP_ADDRESS, ACCOUNT_LIFETIME)),
            "version"),
        PersonalDataTable.of("audit_event", DataSubjectKind.MEMBER, "the audit log: who did what to which object, when and from where",
            List.of(
                PersonalDataColumn.kept("actor", AUDIT, RetentionCategory.AUDIT_LOG, AUDIT_KEPT),
                PersonalDataColumn.kept("object_id", AUDIT, RetentionCategory.AUDIT_LOG, AUDIT_KEPT),
                PersonalDataColumn.anonymized("detail", AUDIT, RetentionCategory.AUDIT_LOG),
                PersonalDataColumn.kept("ip", IP_ADDRESS, RetentionCategory.AUDIT_LOG, AUDIT_KEPT)),
            "action", "object_type"),
        PersonalDataTable.of("mail_limit_event", DataSubjectKind.VISITOR,
            "the sliding-window limit on mails a stranger can make Herald send (resets, sign-ups, invitations), per address and network",
            List.of(PersonalDataColumn.deleted("key", REQUEST_LOG, RetentionCategory.SIGN_IN_HISTORY)),
            "kind"),
        PersonalDataTable.of("spring_session", DataSubjectKind.MEMBER, "signed-in sessions of the panel",
            List.of(
                PersonalDataColumn.deleted("principal_name", CONTACT, ACCOUNT_LIFETIME),
                PersonalDataColumn.deleted("session_id", CREDENTIALS, ACCOUNT_LIFETIME).notExported()),
            "primary_id"),
        PersonalDataTable.of("spring_session_attributes", DataSubjectKind.MEMBER, "what a signed-in session holds (the signed-in user)",
            List.of(PersonalDataColumn.deleted("attribute_bytes", CREDENTIALS, ACCOUNT_LIFETIME).notExported()),
            "session_primary_id", "attribute_name"));
  }

  /** The audit entries whose object is one of the person's subscriber records: what was done to it, and when. */
  @Override
  public void export(DataSubject person, PersonalDataArchive archive) {
    if (person.subscriberIds().isEmpty()) return;
    List<Map<String, Object>> rows = jdbc.sql("""
        select action, detail, at from audit_event
        where organization_id = :org and object_type = 'subscriber' and object_id = any(:ids) order by at, id""")
        .param("org", person.organizationId())
        .param("ids", person.subscriberIds().stream().map(String::valueOf).toArray(String[]::new))
        .query((rs, n) -> {
          Map<String, Object> row = new LinkedHashMap<>();
          row.put("action", rs.getString("action"));
          row.put("detail", rs.getString("detail"));
          row.put("at", rs.getTimestamp("at").toInstant());
          return row;
        }).list();
    if (!rows.isEmpty()) {
      archive.section(capability(), "changes to the subscriber record", "What the organization's members, API keys and Herald did to the"
          + " subscriber record, and when (the audit log; who did it is the members' own data)", rows);
    }
  }

  /**
   * Blanks the detail of the organization's audit entries that mention the address (no capability writes one there for
   * a subscriber; this is the net under that rule). The entries themselves stay: see the class comment.
   */
  @Override
  public ErasureCount erase(DataSubject person) {
    int blanked = jdbc.sql("""
        update audit_event set detail = '(erased)' where organization_id = :org and lower(detail) ~ :pattern""")
        .param("org", person.organizationId()).param("pattern", AddressMentions.pattern(person.addressKey())).update();
    return new ErasureCount(Map.of(), Map.of("audit_event", blanked));
  }

  /**
   * The audit log ({@link RetentionCategory#AUDIT_LOG}: the organization's entries, or every entry, operators' included,
   * when {@code organizationId} is null) and the sign-in history ({@link RetentionCategory#SIGN_IN_HISTORY}: sign-in
   * attempts and the mail limits' request log, which belong to people rather than organizations, so only the
   * installation-wide run purges them), oldest first, by primary key in batches.
   */
  @Override
  public int purge(RetentionCategory category, Long organizationId, Instant cutoff, int limit) {
    Timestamp before = Timestamp.from(cutoff);
    return switch (category) {
      case AUDIT_LOG -> organizationId == null
          ? jdbc.sql("delete from audit_event where id in (select id from audit_event where at < :before order by id limit :limit)")
              .param("before", before).param("limit", limit).update()
          : jdbc.sql("""
              delete from audit_event where id in (
                select id from audit_event where organization_id = :org and at < :before order by at limit :limit)""")
              .param("org", organizationId).param("before", before).param("limit", limit).update();
      case SIGN_IN_HISTORY -> {
        if (organizationId != null) yield 0;
        int signIns = jdbc.sql("delete from login_event where id in (select id from login_event where at < :before order by id limit :limit)")
            .param("before", before).param("limit", limit).update();
        if (signIns == limit) yield signIns;
        // No key: its rows are never updated, so a row's ctid is stable within the statement.
        int limits = jdbc.sql("""
            delete from mail_limit_event where ctid = any(array(select ctid from mail_limit_event where at < :before limit :limit))""")
            .param("before", before).param("limit", limit - signIns).update();
        yield signIns + limits;
      }
      default -> 0;
    };
  }
}
