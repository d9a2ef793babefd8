package dev.herald.tenancy;

import dev.herald.tenancy.AccessRules.Member;
import dev.herald.tenancy.AccessRules.Needs;
import dev.herald.tenancy.AccessRules.Operator;
import dev.herald.tenancy.AccessRules.Public;
import dev.herald.tenancy.AccessRules.Rule;
import dev.herald.tenancy.AccessRules.SignedIn;
import jakarta.servlet.http.HttpServletRequest;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.springframework.http.HttpMethod;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;
import org.springframework.stereotype.Component;

/**
 * Decides every request from {@link AccessRules}. For organization routes it resolves {@code {org}},
 * checks the caller's permissions there (role + groups, or the API key's scopes), and leaves an
 * {@link OrganizationContext} on the request for the controller.
 *
 * <p>A suspended organization is refused here, once for every panel page and API route: its members
 * (and its API keys) are denied, and {@link Suspended} on the request tells the access-denied handlers
 * (see {@link SecurityConfiguration}) to say why. Someone who is not a member learns nothing of it.
 */
@Component
class RouteAuthorization implements AuthorizationManager<RequestAuthorizationContext> {
  private static final AuthorizationDecision GRANTED = new AuthorizationDecision(true);
  private static final AuthorizationDecision DENIED = new AuthorizationDecision(false);
  private final Organizations organizations;

  /** Left on a refused request when the organization is suspended; read by the 403 page and problem. */
  record Suspended(String name, String slug, java.time.Instant since, String reason) {
    static final String ATTRIBUTE = "herald.suspended";
  }

  RouteAuthorization(Organizations organizations) {
    this.organizations = organizations;
  }

  @Override
  public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
    HttpServletRequest request = context.getRequest();
    String path = request.getRequestURI().substring(request.getContextPath().length());
    Optional<Rule> rule = AccessRules.find(HttpMethod.valueOf(request.getMethod()), path);
    if (rule.isEmpty()) return DENIED;
    Object principal = principalOf(authentication.get());
    return switch (rule.get().requirement()) {
      case Public p -> GRANTED;
      case SignedIn s -> decide(principal instanceof HeraldUser);
      case Operator o -> decide(principal instanceof HeraldUser u && u.operator());
      case Member m -> organization(rule.get(), path, principal, request, null);
      case Needs n -> organization(rule.get(), path, principal, request, n.permission());
    };
  }

  private AuthorizationDecision organization(Rule rule, String path, Object principal, HttpServletRequest request, Permission needed) {
    Optional<Organizations.Organization> org = AccessRules.orgSlug(rule, path).flatMap(organizations::bySlug);
    if (org.isEmpty()) return DENIED;
    long orgId = org.get().id();
    Set<Permission> held = switch (principal) {
      case HeraldUser u -> organizations.permissionsOf(orgId, u.id());
      case ApiKeyPrincipal k when k.organizationId() == orgId -> k.permissions();
      case null, default -> EnumSet.noneOf(Permission.class);
    };
    // Every role grants some permission, so an empty set means "not a member" (or another org's key).
    if (held.isEmpty()) return DENIED;
    if (org.get().suspended()) {
      request.setAttribute(Suspended.ATTRIBUTE,
          new Suspended(org.get().name(), org.get().slug(), org.get().suspendedAt(), org.get().suspendedReason()));
      return DENIED;
    }
    if (needed != null && !held.contains(needed)) return DENIED;
    request.setAttribute(OrganizationContext.ATTRIBUTE,
        new OrganizationContext(orgId, org.get().slug(), org.get().name(), Set.copyOf(held)));
    return GRANTED;
  }

  private static Object principalOf(Authentication authentication) {
    return authentication == null || !authentication.isAuthenticated() ? null : authentication.getPrincipal();
  }

  private static AuthorizationDecision decide(boolean granted) {
    return granted ? GRANTED : DENIED;
  }
}
