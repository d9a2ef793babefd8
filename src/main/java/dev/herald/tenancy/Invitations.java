package dev.herald.tenancy;

import dev.herald.platform.Refused;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SystemMail;
import dev.herald.platform.Tokens;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/** Inviting teammates by email: a single-use, expiring link that adds the person with a role. */
@Service
class Invitations {
  private final JdbcClient jdbc;
  private final Organizations organizations;
  private final SystemMail mail;
  private final AuditLog audit;
  private final HeraldProperties properties;
  private final MailLimits mailLimits;
  private final Clock clock;

  Invitations(JdbcClient jdbc, Organizations organizations, SystemMail mail, AuditLog audit, HeraldProperties properties,
      MailLimits mailLimits, Clock clock) {
    this.mailLimits = mailLimits;
    this.jdbc = jdbc;
    this.organizations = organizations;
    this.mail = mail;
    this.audit = audit;
    this.properties = properties;
    this.clock = clock;
  }

  record Invitation(long id, long organizationId, String email, Role role, Instant createdAt, Instant expiresAt) {}

  record Pending(long id, long organizationId, String organizationName, String email, Role role) {}

  @Transactional
  Invitation invite(OrganizationContext org, HeraldUser inviter, String email, String roleName) {
    Accounts.validateEmail("email", email);
    Role role = parseRole(roleName);
    // Only an owner can make another owner: an admin must not raise anyone above themselves.
    if (role == Role.owner && organizations.roleOf(org.id(), inviter == null ? -1 : inviter.id()).orElse(null) != Role.owner) {
      throw Refused.invalid("role", "Only an owner can invite another owner.");
    }
    Members.requireHeld(org.permissions(), role.permissions(), "role",
        "You cannot invite someone as " + role.name() + ": the role holds permissions you do not have.");
    String address = email.trim();
    boolean member = organizations.members(org.id()).stream().anyMatch(m -> m.email().equalsIgnoreCase(address));
    if (member) throw Refused.conflict("email", address + " is already a member of " + org.name() + ".");
    HeraldProperties.MailLimits max = properties.mailLimits();
    List<MailLimits.Limit> limits = List.of(
        new MailLimits.Limit(inviter == null ? "org-key:" + org.id() : "user:" + inviter.id(), max.invitationsPerAccount()),
        new MailLimits.Limit("email:" + address.toLowerCase(java.util.Locale.ROOT), max.invitationsPerAddress()),
        new MailLimits.Limit("org:" + org.id(), max.invitationsPerOrganization()));
    if (!mailLimits.take("invitation", max.invitationWindow(), limits)) {
      throw Refused.limited("Too many invitations were sent recently. Try again later.", max.invitationWindow());
    }
    jdbc.sql("""
        update invitation set revoked_at = now()
        where organization_id = ? and lower(email) = lower(?) and accepted_at is null and revoked_at is null""")
        .params(org.id(), address).update();
    String token = Tokens.newToken();
    Instant expires = clock.instant().plus(properties.invitationValidity());
    long id = jdbc.sql("""
        insert into invitation (organization_id, email, role, token_hash, invited_by, expires_at)
        values (?, ?, ?, ?, ?, ?) returning id""")
        .params(org.id(), address, role.name(), Tokens.hash(token), inviter == null ? null : inviter.id(), java.sql.Timestamp.from(expires))
        .query(Long.class).single();
    String who = inviter == null ? "A teammate" : inviter.displayName() + " (" + inviter.email() + ")";
    // Names are one line since they are checked, but an older organization's name may still hold a line break.
    String subject = "You are invited to " + org.name().replaceAll("\\p{Cntrl}+", " ") + " on Herald";
    mail.send(new SystemMail.SystemMessage(address, subject,
        who + " invited you to join " + org.name() + " on Herald as " + role.name() + ".\n\n"
            + "Accept the invitation here (valid until " + dev.herald.platform.Dates.time(expires) + "):\n"
            + properties.link("/invitations/accept?token=" + token) + "\n\n"
            + "If you did not expect this, ignore this message.",
        "invitation"));
    audit.record(org.id(), "member.invited", "invitation", id, address + " as " + role.name());
    return new Invitation(id, org.id(), address, role, clock.instant(), expires);
  }

  List<Invitation> open(long orgId) {
    return jdbc.sql("""
        select id, organization_id, email, role, created_at, expires_at from invitation
        where organization_id = ? and accepted_at is null and revoked_at is null and expires_at > ? order by created_at desc""")
        .params(orgId, java.sql.Timestamp.from(clock.instant()))
        .query((rs, n) -> new Invitation(rs.getLong(1), rs.getLong(2), rs.getString(3), Role.valueOf(rs.getString(4)),
            rs.getTimestamp(5).toInstant(), rs.getTimestamp(6).toInstant()))
        .list();
  }

  @Transactional
  boolean revoke(long orgId, long id) {
    int n = jdbc.sql("update invitation set revoked_at = now() where organization_id = ? and id = ? and accepted_at is null and revoked_at is null")
        .params(orgId, id).update();
    if (n == 1) audit.record(orgId, "invitation.revoked", "invitation", id, null);
    return n == 1;
  }

  Optional<Pending> pending(String token) {
    if (token == null || token.isBlank()) return Optional.empty();
    return jdbc.sql("""
        select i.id, i.organization_id, o.name, i.email, i.role from invitation i join organization o on o.id = i.organization_id
        where i.token_hash = ? and i.accepted_at is null and i.revoked_at is null and i.expires_at > ?""")
        .params(Tokens.hash(token), java.sql.Timestamp.from(clock.instant()))
        .query((rs, n) -> new Pending(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), Role.valueOf(rs.getString(5))))
        .optional();
  }

  /** Adds the user to the organization; the invitation's address must be the user's own. */
  @Transactional
  Pending accept(String token, Users.User user, String ip) {
    Pending p = pending(token).orElseThrow(() -> Refused.invalid("token", "This invitation is invalid, used, revoked or expired."));
    if (!p.email().equalsIgnoreCase(user.email())) {
      throw Refused.invalid("token", "This invitation was sent to " + p.email() + ", but you are signed in as " + user.email() + ".");
    }
    jdbc.sql("update invitation set accepted_at = now() where id = ?").param(p.id()).update();
    organizations.addMember(p.organizationId(), user.id(), p.role());
    audit.recordAs(p.organizationId(), user.id(), user.email(), "member.joined", "user", user.id(), "as " + p.role().name(), ip);
    return p;
  }

  static Role parseRole(String name) {
    try {
      return Role.valueOf(name == null ? "" : name.trim());
    } catch (IllegalArgumentException e) {
      throw Refused.invalid("role", "Choose a role: owner, admin, member or viewer.");
    }
  }
}
