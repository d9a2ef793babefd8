package dev.herald.tenancy;

import static dev.herald.tenancy.Permission.API_KEYS_READ;
import static dev.herald.tenancy.Permission.API_KEYS_WRITE;
import static dev.herald.tenancy.Permission.AUDIT_READ;
import static dev.herald.tenancy.Permission.CAMPAIGNS_READ;
import static dev.herald.tenancy.Permission.CAMPAIGNS_WRITE;
import static dev.herald.tenancy.Permission.DOMAINS_READ;
import static dev.herald.tenancy.Permission.DOMAINS_WRITE;
import static dev.herald.tenancy.Permission.LISTS_EXPORT;
import static dev.herald.tenancy.Permission.LISTS_READ;
import static dev.herald.tenancy.Permission.LISTS_WRITE;
import static dev.herald.tenancy.Permission.MEMBERS_READ;
import static dev.herald.tenancy.Permission.MEMBERS_WRITE;
import static dev.herald.tenancy.Permission.MESSAGES_CONTENT;
import static dev.herald.tenancy.Permission.MESSAGES_READ;
import static dev.herald.tenancy.Permission.PRIVACY_READ;
import static dev.herald.tenancy.Permission.PRIVACY_WRITE;
import static dev.herald.tenancy.Permission.REPORTS_READ;
import static dev.herald.tenancy.Permission.SEND;
import static dev.herald.tenancy.Permission.SUPPRESSIONS_READ;
import static dev.herald.tenancy.Permission.SUPPRESSIONS_WRITE;
import static dev.herald.tenancy.Permission.TEMPLATES_READ;
import static dev.herald.tenancy.Permission.TEMPLATES_WRITE;

import java.util.Collection;
import java.util.List;

/**
 * The permissions the groups page offers, by capability. Only capabilities Herald has today are listed: a
 * permission for campaigns or billing would grant nothing yet and only confuse. A new capability adds its
 * group here when its pages arrive.
 */
record PermissionGroups(String name, List<Permission> permissions) {
  static final List<PermissionGroups> OFFERED = List.of(
      new PermissionGroups("Audiences", List.of(LISTS_READ, LISTS_WRITE, LISTS_EXPORT)),
      new PermissionGroups("Suppressions", List.of(SUPPRESSIONS_READ, SUPPRESSIONS_WRITE)),
      new PermissionGroups("Campaigns", List.of(CAMPAIGNS_READ, CAMPAIGNS_WRITE)),
      new PermissionGroups("Templates", List.of(TEMPLATES_READ, TEMPLATES_WRITE)),
      new PermissionGroups("Sending domains", List.of(DOMAINS_READ, DOMAINS_WRITE)),
      new PermissionGroups("Messages", List.of(MESSAGES_READ, MESSAGES_CONTENT, SEND)),
      new PermissionGroups("Reports", List.of(REPORTS_READ)),
      new PermissionGroups("Privacy", List.of(PRIVACY_READ, PRIVACY_WRITE)),
      new PermissionGroups("Members", List.of(MEMBERS_READ, MEMBERS_WRITE)),
      new PermissionGroups("API keys", List.of(API_KEYS_READ, API_KEYS_WRITE)),
      new PermissionGroups("Audit log", List.of(AUDIT_READ)));

  /** Whether the capability this permission belongs to exists today; the API keys page offers only scopes granting such permissions. */
  static boolean exists(Permission permission) {
    return OFFERED.stream().anyMatch(g -> g.permissions().contains(permission));
  }

  /** The codes among these that the page does not offer: kept as they are when a group is saved. */
  public static List<String> notOffered(Collection<String> codes) {
    return codes.stream()
        .filter(code -> OFFERED.stream().noneMatch(g -> g.permissions().stream().anyMatch(p -> p.code().equals(code))))
        .toList();
  }
}
