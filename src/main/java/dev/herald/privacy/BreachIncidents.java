package dev.herald.privacy;

import dev.herald.platform.Dates;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refused;
import dev.herald.platform.SystemMail;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.platform.personaldata.PersonalDataCategory;
import dev.herald.tenancy.AuditLog;
import dev.herald.tenancy.Organizations;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Personal-data breaches the operator records (GDPR art. 33 and 34): the incident, the 72-hour clock for telling the
 * supervisory authority, and the notice to every member of the affected organizations (a system mail now, a banner
 * until they acknowledge it), with who was notified and who acknowledged when. Each organization's view and its draft
 * campaign to its own subscribers are in {@link BreachNotices}.
 */
@Service
class BreachIncidents {
  /** GDPR art. 33(1): the supervisory authority is told within 72 hours of the controller becoming aware. */
  static final Duration AUTHORITY_DEADLINE = Duration.ofHours(72);
  static final int MAX_TITLE = 200;
  static final int MAX_DESCRIPTION = 10_000;
  static final int MAX_REFERENCE = 200;
  /** A detection time this far ahead of the clock is still "now": a form filled in over a few minutes, clocks apart. */
  static final Duration FUTURE_TOLERANCE = Duration.ofMinutes(5);

  private final JdbcClient jdbc;
  private final Organizations organizations;
  private final SystemMail mail;
  private final AuditLog audit;
  private final HeraldProperties properties;
  private final Clock clock;

  BreachIncidents(JdbcClient jdbc, Organizations organizations, SystemMail mail, AuditLog audit, HeraldProperties properties,
      Clock clock) {
    this.jdbc = jdbc;
    this.organizations = organizations;
    this.mail = mail;
    this.audit = audit;
    this.properties = properties;
    this.clock = clock;
  }

  /** What the operator fills in; {@code organizationIds} is ignored when {@code allOrganizations}. */
  record NewIncident(String title, String description, Instant detectedAt, boolean allOrganizations, List<Long> organizationIds,
      List<String> categories) {}

  record Incident(long id, String title, String description, Instant detectedAt, boolean allOrganizations, String recordedBy,
      Instant recordedAt, Instant authorityNotifiedAt, String authorityReference, List<PersonalDataCategory> categories,
      List<Organizations.Named> organizations) {
    public Instant authorityDeadline() {
      return detectedAt.plus(AUTHORITY_DEADLINE);
    }
  }

  /**
   * Where the 72-hour clock stands: {@code remaining} is positive while time is left, negative when overdue; once the
   * authority was told, {@code notifiedInTime} says whether that was before the deadline.
   */
  record AuthorityClock(Instant deadline, Instant notifiedAt, boolean notifiedInTime, Duration remaining) {
    public boolean notified() {
      return notifiedAt != null;
    }

    public boolean overdue() {
      return notifiedAt == null && remaining.isNegative();
    }

    /** The clock in words: "41 hours 12 minutes left", "overdue by 3 hours", "notified 2 hours before the deadline". */
    public String summary() {
      if (notifiedAt != null) {
        Duration margin = Duration.between(notifiedAt, deadline);
        return margin.isNegative() ? "notified " + Dates.duration(margin.negated()) + " after the deadline"
            : "notified " + Dates.duration(margin) + " before the deadline";
      }
      return remaining.isNegative() ? "overdue by " + Dates.duration(remaining.negated()) : Dates.duration(remaining) + " left";
    }
  }

  /** One person notified: when the mail went, when they acknowledged (null until they do). */
  record Notice(long userId, String email, String organizationSlug, Instant notifiedAt, Instant acknowledgedAt) {}

  AuthorityClock clockOf(Incident incident) {
    Instant deadline = incident.authorityDeadline();
    Instant notified = incident.authorityNotifiedAt();
    return new AuthorityClock(deadline, notified, notified != null && !notified.isAfter(deadline),
        Duration.between(clock.instant(), deadline));
  }

  // ---- recording ---------------------------------------------------------------------------------------------------

  /**
   * Records the incident, the organizations it touched (every one there is now, for "all") and the categories, then
   * notifies every member of them: one mail and one banner per person, however many of the organizations they belong to.
   */
  @Transactional
  Incident record(NewIncident form, String recordedBy) {
    if (form == null) throw Refused.invalid("title", "Say what happened.");
    String title = Text.requireOneLine("title", form.title() == null ? "" : form.title()).strip();
    if (title.isEmpty() || title.length() > MAX_TITLE) throw Refused.invalid("title", "Say what happened in 1 to " + MAX_TITLE + " characters.");
    String description = Text.requireNoControls("description", form.description() == null ? "" : form.description()).strip();
    if (description.isEmpty()) throw Refused.invalid("description", "Describe the incident: what happened, what data, what is being done.");
    if (description.length() > MAX_DESCRIPTION) throw Refused.invalid("description", "At most " + MAX_DESCRIPTION + " characters.");
    Instant now = clock.instant();
    if (form.detectedAt() == null) throw Refused.invalid("detectedAt", "Say when the incident was detected.");
    if (form.detectedAt().isAfter(now.plus(FUTURE_TOLERANCE))) throw Refused.invalid("detectedAt", "The detection time is in the future.");
    Set<PersonalDataCategory> categories = new LinkedHashSet<>();
    for (String c : form.categories() == null ? List.<String>of() : form.categories()) {
      categories.add(TextEnum.parse(PersonalDataCategory.class, "categories", c));
    }
    categories.remove(null);
    if (categories.isEmpty()) throw Refused.invalid("categories", "Name at least one category of personal data concerned.");
    List<Organizations.Named> affected = affected(form);

    long id = jdbc.sql("""
        insert into breach_incident (title, description, detected_at, all_organizations, recorded_by, recorded_at)
        values (?, ?, ?, ?, ?, ?) returning id""")
        .params(title, description, Timestamp.from(form.detectedAt()), form.allOrganizations(), recordedBy, Timestamp.from(now))
        .query(Long.class).single();
    for (PersonalDataCategory c : categories) {
      jdbc.sql("insert into breach_incident_category (incident_id, category) values (?, ?)").params(id, c.text()).update();
    }
    for (Organizations.Named org : affected) {
      jdbc.sql("insert into breach_incident_organization (incident_id, organization_id) values (?, ?)").params(id, org.id()).update();
      audit.record(org.id(), "breach.notified", "breach_incident", id, title);
    }
    audit.record(null, "breach.recorded", "breach_incident", id, title + " (" + affected.size() + " organizations)");
    Incident incident = find(id).orElseThrow();
    notifyMembers(incident, affected);
    return incident;
  }

  private List<Organizations.Named> affected(NewIncident form) {
    List<Organizations.Named> all = organizations.allNamed();
    if (form.allOrganizations()) return all;
    List<Long> ids = form.organizationIds() == null ? List.of() : form.organizationIds();
    if (ids.isEmpty()) throw Refused.invalid("organizationIds", "Choose the organizations affected, or all of them.");
    List<Organizations.Named> chosen = all.stream().filter(o -> ids.contains(o.id())).toList();
    List<Long> unknown = ids.stream().filter(i -> i == null || chosen.stream().noneMatch(o -> o.id() == i)).distinct().toList();
    if (!unknown.isEmpty()) throw Refused.invalid("organizationIds", "No organization has the id " + unknown.getFirst() + ".");
    return chosen;
  }

  /** One mail per person, written in the transaction of the record: notice rows and mail commit together or not at all. */
  private void notifyMembers(Incident incident, List<Organizations.Named> affected) {
    Instant now = clock.instant();
    for (Organizations.MemberContact m : organizations.memberContacts(affected.stream().map(Organizations.Named::id).toList())) {
      jdbc.sql("""
          insert into breach_notice (incident_id, user_id, organization_id, email, notified_at) values (?, ?, ?, ?, ?)
          on conflict do nothing""").params(incident.id(), m.userId(), m.organizationId(), m.email(), Timestamp.from(now)).update();
      mail.send(new SystemMail.SystemMessage(m.email(), "Security incident notice: " + incident.title(), mailBody(incident, m),
          "breach_notice"));
    }
  }

  private String mailBody(Incident incident, Organizations.MemberContact m) {
    String name = m.displayName() == null || m.displayName().isBlank() ? "Hello" : "Hello " + m.displayName();
    return name + ",\n\n"
        + "We are writing to tell you about a personal-data breach on the Herald installation at " + properties.baseUrl().getHost()
        + " that affected " + oneLine(m.organizationName()) + (incident.organizations().size() > 1 ? " and other organizations" : "")
        + ".\n\n"
        + "What happened: " + incident.title() + "\n\n"
        + incident.description() + "\n\n"
        + "Detected: " + Dates.time(incident.detectedAt()) + "\n"
        + "Personal data concerned: " + String.join(", ", incident.categories().stream().map(PersonalDataCategory::text).toList()) + "\n\n"
        + "Read the notice and acknowledge it in the panel:\n" + properties.link("/o/" + m.organizationSlug() + "/breach-notices") + "\n\n"
        + "If your organization must tell its own subscribers, that page prepares a draft campaign for you to review and send.\n";
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("\\p{Cntrl}+", " ");
  }

  /** Records when (and under which reference) the supervisory authority was told. */
  @Transactional
  Incident recordAuthorityNotification(long id, Instant notifiedAt, String reference) {
    Incident incident = find(id).orElseThrow(() -> Refused.notFound("Incident"));
    if (notifiedAt == null) throw Refused.invalid("notifiedAt", "Say when the authority was notified.");
    if (notifiedAt.isAfter(clock.instant().plus(FUTURE_TOLERANCE))) throw Refused.invalid("notifiedAt", "That time is in the future.");
    if (notifiedAt.isBefore(incident.detectedAt())) throw Refused.invalid("notifiedAt", "That is before the incident was detected.");
    String ref = Text.requireOneLine("reference", reference == null ? "" : reference).strip();
    if (ref.length() > MAX_REFERENCE) throw Refused.invalid("reference", "At most " + MAX_REFERENCE + " characters.");
    jdbc.sql("update breach_incident set authority_notified_at = ?, authority_reference = ? where id = ?")
        .params(Timestamp.from(notifiedAt), ref, id).update();
    audit.record(null, "breach.authority_notified", "breach_incident", id, Dates.time(notifiedAt) + (ref.isEmpty() ? "" : ", " + ref));
    return find(id).orElseThrow();
  }

  // ---- reading -----------------------------------------------------------------------------------------------------

  Optional<Incident> find(long id) {
    return jdbc.sql("""
        select id, title, description, detected_at, all_organizations, recorded_by, recorded_at, authority_notified_at, authority_reference
        from breach_incident where id = ?""").param(id).query((rs, n) -> incident(rs)).optional();
  }

  /** Newest detection first. */
  List<Incident> all() {
    return jdbc.sql("""
        select id, title, description, detected_at, all_organizations, recorded_by, recorded_at, authority_notified_at, authority_reference
        from breach_incident order by detected_at desc, id desc limit 500""").query((rs, n) -> incident(rs)).list();
  }

  /** The incidents that touched this organization, newest first. */
  List<Incident> ofOrganization(long orgId) {
    return jdbc.sql("""
        select i.id, i.title, i.description, i.detected_at, i.all_organizations, i.recorded_by, i.recorded_at, i.authority_notified_at,
               i.authority_reference
        from breach_incident i join breach_incident_organization o on o.incident_id = i.id
        where o.organization_id = ? order by i.detected_at desc, i.id desc""").param(orgId).query((rs, n) -> incident(rs)).list();
  }

  private Incident incident(java.sql.ResultSet rs) throws java.sql.SQLException {
    long id = rs.getLong(1);
    Timestamp notified = rs.getTimestamp(8);
    return new Incident(id, rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant(), rs.getBoolean(5), rs.getString(6),
        rs.getTimestamp(7).toInstant(), notified == null ? null : notified.toInstant(), rs.getString(9), categories(id),
        organizationsOf(id));
  }

  private List<PersonalDataCategory> categories(long id) {
    return jdbc.sql("select category from breach_incident_category where incident_id = ?").param(id).query(String.class).list().stream()
        .map(t -> TextEnum.fromText(PersonalDataCategory.class, t)).sorted().toList();
  }

  private List<Organizations.Named> organizationsOf(long id) {
    List<Long> ids = jdbc.sql("select organization_id from breach_incident_organization where incident_id = ? order by organization_id")
        .param(id).query(Long.class).list();
    List<Organizations.Named> named = new ArrayList<>();
    for (Long orgId : ids) organizations.named(orgId).ifPresent(named::add);
    return named;
  }

  /** Everyone notified of the incident, by address, with when they acknowledged. */
  List<Notice> notices(long incidentId) {
    java.util.Map<Long, String> slugs = new java.util.HashMap<>();
    return jdbc.sql("""
        select user_id, email, organization_id, notified_at, acknowledged_at from breach_notice where incident_id = ? order by lower(email)""")
        .param(incidentId)
        .query((rs, n) -> new Notice(rs.getLong(1), rs.getString(2),
            slugs.computeIfAbsent(rs.getLong(3), o -> organizations.named(o).map(Organizations.Named::slug).orElse("")),
            rs.getTimestamp(4).toInstant(),
            rs.getTimestamp(5) == null ? null : rs.getTimestamp(5).toInstant()))
        .list();
  }
}
