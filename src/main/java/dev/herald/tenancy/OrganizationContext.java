package dev.herald.tenancy;

import java.util.Set;

/**
 * The organization a request acts in, resolved and authorized by {@link RouteAuthorization} from the
 * {@code {org}} path segment before any controller runs. Handlers take it as a plain parameter
 * ({@link OrganizationContextResolver}) and scope every query by {@link #id()}.
 */
public record OrganizationContext(long id, String slug, String name, Set<Permission> permissions) {
  static final String ATTRIBUTE = "herald.organization";

  public boolean can(Permission p) {
    return permissions.contains(p);
  }
}
