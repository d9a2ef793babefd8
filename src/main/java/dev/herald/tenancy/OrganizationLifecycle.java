package dev.herald.tenancy;

import dev.herald.platform.Refused;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * What the operator does to a whole organization: suspend it (its members, API keys and hosted pages
 * are refused, its data untouched), resume it, and delete it (the "account purge" of DESIGN.md).
 * Each change and its audit entries commit together.
 */
@Service
class OrganizationLifecycle {
  static final int REASON_MAX = 500;
  private final Organizations organizations;
  private final AuditLog audit;
  private final java.util.List<OrganizationPurge> purges;

  OrganizationLifecycle(Organizations organizations, AuditLog audit, java.util.List<OrganizationPurge> purges) {
    this.purges = purges;
    this.organizations = organizations;
    this.audit = audit;
  }

  /**
   * The reason is shown to the organization's members on every refused page and in the API's problem,
   * so it is one line of 1 to 500 characters with no control character at all.
   */
  static String validReason(String reason) {
    String r = reason == null ? "" : reason;
    for (int i = 0; i < r.length(); i++) {
      if (r.charAt(i) < 0x20) {
        throw Refused.invalid("reason", "The reason must be one line without control characters (found "
            + String.format("U+%04X", (int) r.charAt(i)) + " at character " + (i + 1) + ").");
      }
    }
    r = r.strip();
    if (r.isEmpty() || r.length() > REASON_MAX) {
      throw Refused.invalid("reason", "Give a reason of 1 to " + REASON_MAX + " characters; the members will see it.");
    }
    return r;
  }

  @Transactional
  Organizations.Organization suspend(long id, String reason) {
    String r = validReason(reason);
    Organizations.Organization org = organizations.byId(id).orElseThrow(() -> Refused.notFound("Organization " + id));
    organizations.suspend(id, r);
    // In both logs: the organization's own (its owners see what happened) and the operator's.
    audit.record(id, "organization.suspended", "organization", id, r);
    audit.record(null, "organization.suspended", "organization", id, org.slug() + ": " + r);
    return org;
  }

  /** Empty when the organization was not suspended (nothing changed, nothing recorded). */
  @Transactional
  java.util.Optional<Organizations.Organization> resume(long id) {
    Organizations.Organization org = organizations.byId(id).orElseThrow(() -> Refused.notFound("Organization " + id));
    if (!organizations.resume(id)) return java.util.Optional.empty();
    String detail = "was suspended since " + org.suspendedAt() + " for: " + org.suspendedReason();
    audit.record(id, "organization.resumed", "organization", id, detail);
    audit.record(null, "organization.resumed", "organization", id, org.slug() + " " + detail);
    return java.util.Optional.of(org);
  }

  /**
   * Deletes the organization and, by the foreign keys' {@code on delete cascade}, everything it owns:
   * memberships, groups, invitations, API keys, lists, subscribers, consent records, segments, imports,
   * its suppression list, its sending domains and its own audit log; the {@link OrganizationPurge}s first remove what
   * no foreign key reaches (the domains' private keys in Secrets). People's accounts stay (they may belong elsewhere).
   * The operator's entry is written with no organization, so it outlives the deletion.
   *
   * @param confirmation what the operator typed; must be the organization's slug
   */
  @Transactional
  Organizations.Organization delete(long id, String confirmation) {
    Organizations.Organization org = organizations.byId(id).orElseThrow(() -> Refused.notFound("Organization " + id));
    if (confirmation == null || !confirmation.strip().equals(org.slug())) {
      throw Refused.invalid("confirm", "Type the slug " + org.slug() + " exactly to confirm; nothing was deleted.");
    }
    purge(id, "deleted by the operator");
    return org;
  }

  /** Deletes the organization, what no foreign key reaches first; the operator's audit entry says why. */
  void purge(long id, String why) {
    Organizations.Organization org = organizations.byId(id).orElseThrow(() -> Refused.notFound("Organization " + id));
    audit.record(null, "organization.deleted", "organization", id, "name=" + org.name() + ", slug=" + org.slug() + ", " + why);
    for (OrganizationPurge purge : purges) purge.beforeDelete(id);
    organizations.delete(id);
  }
}
