package dev.herald.privacy;

import dev.herald.audiences.MailingLists;
import dev.herald.campaigns.Campaign;
import dev.herald.campaigns.CampaignForm;
import dev.herald.campaigns.Campaigns;
import dev.herald.platform.Dates;
import dev.herald.platform.Refused;
import dev.herald.platform.personaldata.PersonalDataCategory;
import dev.herald.tenancy.AuditLog;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.Organizations;
import dev.herald.tenancy.UserNotice;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * A breach as an affected organization sees it: the incidents that touched it, who of its members acknowledged them,
 * each person's banner until they do ({@link UserNotice}), and the draft campaign that tells the organization's own
 * subscribers (GDPR art. 34 is the controller's duty: the organization reviews and sends it).
 */
@Service
class BreachNotices implements UserNotice {
  private final JdbcClient jdbc;
  private final BreachIncidents incidents;
  private final Campaigns campaigns;
  private final MailingLists lists;
  private final Organizations organizations;
  private final AuditLog audit;
  private final Clock clock;

  BreachNotices(JdbcClient jdbc, BreachIncidents incidents, Campaigns campaigns, MailingLists lists, Organizations organizations,
      AuditLog audit, Clock clock) {
    this.jdbc = jdbc;
    this.incidents = incidents;
    this.campaigns = campaigns;
    this.lists = lists;
    this.organizations = organizations;
    this.audit = audit;
    this.clock = clock;
  }

  /** A member's acknowledgement, by address (members only: the organization sees its own people). */
  record Acknowledgement(String email, Instant notifiedAt, Instant acknowledgedAt) {}

  /** An incident as the organization's page and API show it. */
  record OrganizationView(long id, String title, String description, Instant detectedAt, List<PersonalDataCategory> categories,
      Instant notifiedAt, Instant acknowledgedAt, Long campaignId, List<Acknowledgement> members) {}

  List<OrganizationView> forOrganization(long orgId, Long userId) {
    return incidents.ofOrganization(orgId).stream().map(i -> view(orgId, userId, i)).toList();
  }

  private OrganizationView view(long orgId, Long userId, BreachIncidents.Incident i) {
    List<Acknowledgement> members = jdbc.sql("""
        select email, notified_at, acknowledged_at from breach_notice where incident_id = ? and organization_id = ? order by lower(email)""")
        .params(i.id(), orgId)
        .query((rs, n) -> new Acknowledgement(rs.getString(1), rs.getTimestamp(2).toInstant(), instant(rs.getTimestamp(3)))).list();
    Optional<Instant[]> mine = userId == null ? Optional.empty() : jdbc.sql(
        "select notified_at, acknowledged_at from breach_notice where incident_id = ? and user_id = ?").params(i.id(), userId)
        .query((rs, n) -> new Instant[] {rs.getTimestamp(1).toInstant(), instant(rs.getTimestamp(2))}).optional();
    Long campaign = jdbc.sql("select campaign_id from breach_incident_organization where incident_id = ? and organization_id = ?")
        .params(i.id(), orgId).query(Long.class).optional().orElse(null);
    return new OrganizationView(i.id(), i.title(), i.description(), i.detectedAt(), i.categories(), mine.map(m -> m[0]).orElse(null),
        mine.map(m -> m[1]).orElse(null), campaign, members);
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  private BreachIncidents.Incident affecting(long orgId, long incidentId) {
    boolean affects = jdbc.sql("select exists(select 1 from breach_incident_organization where incident_id = ? and organization_id = ?)")
        .params(incidentId, orgId).query(Boolean.class).single();
    if (!affects) throw Refused.notFound("Breach notice");
    return incidents.find(incidentId).orElseThrow(() -> Refused.notFound("Breach notice"));
  }

  /**
   * The person acknowledges the incident (through any affected organization they belong to); false when they had
   * already. Someone who joined after it was recorded was not notified: there is nothing of theirs to acknowledge.
   */
  @Transactional
  boolean acknowledge(long orgId, long incidentId, HeraldUser user) {
    affecting(orgId, incidentId);
    int changed = jdbc.sql("update breach_notice set acknowledged_at = ? where incident_id = ? and user_id = ? and acknowledged_at is null")
        .params(Timestamp.from(clock.instant()), incidentId, user.id()).update();
    if (changed == 1) audit.record(orgId, "breach.acknowledged", "breach_incident", incidentId, user.email());
    else {
      boolean notified = jdbc.sql("select exists(select 1 from breach_notice where incident_id = ? and user_id = ?)")
          .params(incidentId, user.id()).query(Boolean.class).single();
      if (!notified) throw Refused.conflict("id", "You were not a member when this incident was recorded: there is nothing to acknowledge.");
    }
    return changed == 1;
  }

  /** The person's banners: one per incident they were notified of and have not acknowledged. */
  @Override
  public List<Notice> notices(HeraldUser user) {
    return jdbc.sql("""
        select n.incident_id, i.title, i.detected_at, n.organization_id from breach_notice n join breach_incident i on i.id = n.incident_id
        where n.user_id = ? and n.acknowledged_at is null order by i.detected_at desc limit 5""").param(user.id())
        .query((rs, n) -> {
          long id = rs.getLong(1);
          String slug = organizations.named(rs.getLong(4)).map(Organizations.Named::slug).orElse(null);
          String base = slug == null ? null : "/o/" + slug + "/breach-notices";
          return new Notice("Security incident", rs.getString(2) + " (detected " + Dates.time(rs.getTimestamp(3).toInstant())
              + "). Personal data of your organization may be affected.", base, "Read the notice",
              base == null ? null : base + "/" + id + "/acknowledge", "I have read this");
        })
        .list().stream().filter(n -> n.acknowledgeAction() != null).toList();
  }

  // ---- the organization's own notice to its subscribers ------------------------------------------------------------

  /**
   * A draft campaign that tells the organization's subscribers of the incident: a prepared subject and text, every list
   * of the organization as its audience (when it has no more than a campaign takes), tracking off. The organization
   * reviews, adds its sender and sends it; one draft per incident (a second press opens the first, unless it was deleted).
   */
  @Transactional
  Campaign draftCampaign(long orgId, long incidentId) {
    BreachIncidents.Incident incident = affecting(orgId, incidentId);
    Long existing = jdbc.sql("select campaign_id from breach_incident_organization where incident_id = ? and organization_id = ? for update")
        .params(incidentId, orgId).query(Long.class).optional().orElse(null);
    if (existing != null) {
      Optional<Campaign> draft = campaigns.find(orgId, existing);
      if (draft.isPresent()) return draft.get();
    }
    String orgName = organizations.name(orgId).orElse("our organization");
    List<Long> audience = lists.names(orgId).stream().map(MailingLists.MailingList::id).toList();
    if (audience.size() > 100) audience = List.of(); // more than a campaign takes: the organization picks
    String name = "Breach notice: " + incident.title();
    if (name.length() > 200) name = name.substring(0, 200);
    Campaign draft = campaigns.create(orgId, new CampaignForm(name, List.of("breach-notice"),
        literal("Important: a security incident affecting your data held by " + orgName), "", null, null, null, null,
        literal(subscriberText(incident, orgName)), "text", false, false,
        new Campaign.Audience(audience, List.of(), List.of(), List.of())));
    jdbc.sql("update breach_incident_organization set campaign_id = ? where incident_id = ? and organization_id = ?")
        .params(draft.id(), incidentId, orgId).update();
    audit.record(orgId, "breach.campaign_drafted", "campaign", draft.id(), incident.title());
    return draft;
  }

  private static String subscriberText(BreachIncidents.Incident incident, String orgName) {
    return "Hello,\n\n"
        + "We are writing to tell you about a security incident at the email service " + orgName
        + " uses, which may have affected personal data we hold about you.\n\n"
        + "What happened: " + incident.title() + "\n\n"
        + incident.description() + "\n\n"
        + "When it was detected: " + Dates.time(incident.detectedAt()) + "\n\n"
        + "The data concerned: " + String.join(", ", incident.categories().stream().map(PersonalDataCategory::text).toList()) + "\n\n"
        + "What we are doing, and what we recommend you do: [describe the steps taken and any action the reader should take].\n\n"
        + "If you have questions, reply to this message.\n\n" + orgName + "\n";
  }

  /** The incident's own words inside a campaign's Liquid template: shown as written, never run as template code. */
  private static String literal(String text) {
    return text.replace("{{", "{ {").replace("{%", "{ %");
  }
}
