package dev.herald.tenancy;

import io.swagger.v3.oas.annotations.Hidden;
import java.util.Set;

/**
 * The organization a request acts in, resolved and authorized by {@link RouteAuthorization} from the
 * {@code {org}} path segment before any controller runs. Handlers take it as a plain parameter
 * ({@link OrganizationContextResolver}) and scope every query by {@link #id()}. Hidden from the OpenAPI
 * document: it is no request parameter a client sends (the document declares {@code {org}} as a path parameter).
 */
@Hidden
public record OrganizationContext(long id, String slug, String name, Set<Permission> permissions) {
  static final String ATTRIBUTE = "herald.organization";

  /**
   * The organization {@link RouteAuthorization} authorized this request for, or empty outside an organization's routes
   * (for filters and interceptors of other capabilities, such as privacy's staff-access log).
   */
  public static java.util.Optional<OrganizationContext> of(jakarta.servlet.http.HttpServletRequest request) {
    return java.util.Optional.ofNullable(request.getAttribute(ATTRIBUTE) instanceof OrganizationContext o ? o : null);
  }

  public boolean can(Permission p) {
    return permissions.contains(p);
  }
}
