package dev.herald.tenancy;

import static dev.herald.tenancy.Permission.*;

import java.util.EnumSet;
import java.util.Set;

/** The built-in roles of an organization member. Groups add permissions on top of a role. */
public enum Role {
  owner(EnumSet.allOf(Permission.class)),
  admin(EnumSet.complementOf(EnumSet.of(BILLING_WRITE, ACCOUNT_EXPORT))),
  // Members see suppressions but cannot lift them: removing one may mail someone who complained.
  member(EnumSet.of(LISTS_READ, LISTS_WRITE, LISTS_EXPORT, SUPPRESSIONS_READ, CAMPAIGNS_READ, CAMPAIGNS_WRITE, TEMPLATES_READ, TEMPLATES_WRITE,
      DOMAINS_READ, REPORTS_READ, MEMBERS_READ, SEND, MESSAGES_READ, MESSAGES_CONTENT)),
  // Viewers follow delivery but do not read the messages themselves.
  viewer(EnumSet.of(LISTS_READ, SUPPRESSIONS_READ, CAMPAIGNS_READ, TEMPLATES_READ, DOMAINS_READ, REPORTS_READ, MEMBERS_READ, MESSAGES_READ));

  private final Set<Permission> permissions;

  Role(Set<Permission> permissions) {
    this.permissions = Permission.withImplied(permissions);
  }

  public Set<Permission> permissions() {
    return EnumSet.copyOf(permissions);
  }
}
