package dev.herald.tenancy;

import dev.herald.platform.Refused;
import java.util.Set;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Changing a member's role and removing a member. Each change locks the organization's row first, so
 * the checks (the last owner stays, nobody acts above their own permissions) and the change are one
 * step: two owners demoting or removing each other at the same moment are taken one after the other,
 * and the second sees the first's result.
 */
@Service
class Members {
  private final Organizations organizations;
  private final AuditLog audit;

  Members(Organizations organizations, AuditLog audit) {
    this.organizations = organizations;
    this.audit = audit;
  }

  @Transactional
  Role changeRole(long orgId, long actorId, long userId, String roleName) {
    organizations.lock(orgId);
    Role current = organizations.roleOf(orgId, userId).orElseThrow(() -> Refused.notFound("Member"));
    Role newRole = Invitations.parseRole(roleName);
    Role actorRole = organizations.roleOf(orgId, actorId).orElseThrow(() -> Refused.forbidden("You are no longer a member."));
    if ((newRole == Role.owner || current == Role.owner) && actorRole != Role.owner) {
      throw Refused.invalid("role", "Only an owner can make someone an owner or change an owner's role.");
    }
    Set<Permission> held = organizations.permissionsOf(orgId, actorId);
    if (userId == actorId && newRole.ordinal() < current.ordinal()) {
      throw Refused.forbidden("You cannot raise your own role; ask someone who holds that role.");
    }
    requireHeld(held, organizations.permissionsOf(orgId, userId), "role",
        "You cannot change the role of someone who holds permissions you do not have.");
    requireHeld(held, newRole.permissions(), "role", "You cannot give the role " + newRole.name() + ": it holds permissions you do not have.");
    if (current == Role.owner && newRole != Role.owner && organizations.countOwners(orgId) == 1) {
      throw Refused.conflict("role", "An organization needs at least one owner.");
    }
    organizations.setRole(orgId, userId, newRole);
    audit.record(orgId, "member.role_changed", "user", userId, current.name() + " -> " + newRole.name());
    return newRole;
  }

  @Transactional
  void remove(long orgId, long actorId, long userId) {
    organizations.lock(orgId);
    Role current = organizations.roleOf(orgId, userId).orElseThrow(() -> Refused.notFound("Member"));
    Role actorRole = organizations.roleOf(orgId, actorId).orElseThrow(() -> Refused.forbidden("You are no longer a member."));
    if (current == Role.owner && (actorRole != Role.owner || organizations.countOwners(orgId) == 1)) {
      throw Refused.conflict(null, "The last owner cannot be removed, and only owners remove owners.");
    }
    if (userId != actorId) {
      requireHeld(organizations.permissionsOf(orgId, actorId), organizations.permissionsOf(orgId, userId), null,
          "You cannot remove someone who holds permissions you do not have.");
    }
    organizations.removeMember(orgId, userId);
    audit.record(orgId, "member.removed", "user", userId, null);
  }

  /** Refuses unless every permission {@code given} is one the actor holds: nobody hands out more than they have. */
  static void requireHeld(Set<Permission> held, Set<Permission> given, String field, String message) {
    if (!held.containsAll(given)) throw field == null ? Refused.forbidden(message) : Refused.invalid(field, message);
  }
}
