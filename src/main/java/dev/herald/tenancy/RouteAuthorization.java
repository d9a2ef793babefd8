package dev.herald.tenancy;

import dev.herald.tenancy.AccessRules.Member;
import dev.herald.tenancy.AccessRules.Needs;
import dev.herald.tenancy.AccessRules.Operator;
import dev.herald.tenancy.AccessRules.Public;
import dev.herald.tenancy.AccessRules.Rule;
import dev.herald.tenancy.AccessRules.SignedIn;
import jakarta.servlet.http.HttpServletRequest;
import java.util.EnumSet;
import java.util.List;
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

  /**
   * Left on a refused request when the organization's owner closed it: only its closure page (reopen, the export)
   * stays open, to its members signed in with a session; every other page and every API key is refused.
   */
  record Closed(String name, String slug, java.time.Instant since, java.time.Instant purgeAfter) {
    static final String ATTRIBUTE = "herald.closed";
  }

  /**
   * Left on a request refused to an API key of the organization that lacks the scope the route needs: the problem
   * names the route and the scopes that would allow it (any one is enough), narrowest first, so the caller knows
   * which key to ask an owner for. Empty scopes: no scope reaches the route (it is for people in the panel).
   */
  record MissingScope(String method, String route, List<String> scopes) {
    static final String ATTRIBUTE = "herald.missing-scope";

    String detail() {
      String call = method + " " + route;
      if (scopes.isEmpty()) return "No API key can be given what " + call + " needs; it is for members signed in to the panel.";
      String needs = scopes.size() == 1 ? "the scope " + scopes.getFirst() + ", which " + call + " needs"
          : "a scope " + call + " needs: any one of " + String.join(", ", scopes.subList(0, scopes.size() - 1)) + " or " + scopes.getLast();
      return "This API key lacks " + needs + ". Keys are made on the organization's API keys page.";
    }
  }

  /**
   * Left on a refused request that no route matches, when the caller may know so: the access-denied
   * handlers answer 404, or 405 naming the methods the path takes, instead of "not allowed".
   */
  record UnknownRoute(Set<HttpMethod> allowed) {
    static final String ATTRIBUTE = "herald.unknown-route";

    int status() {
      return allowed.isEmpty() ? 404 : 405;
    }

    String allowHeader() {
      return String.join(", ", allowed.stream().map(HttpMethod::name).toList());
    }
  }

  RouteAuthorization(Organizations organizations) {
    this.organizations = organizations;
  }

  @Override
  public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
    HttpServletRequest request = context.getRequest();
    String path = request.getRequestURI().substring(request.getContextPath().length());
    Optional<Rule> rule = AccessRules.find(HttpMethod.valueOf(request.getMethod()), path);
    Object principal = principalOf(authentication.get());
    if (rule.isEmpty()) return unknown(path, principal, request);
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
    Set<Permission> held = held(org.get(), principal);
    // Every role grants some permission, so an empty set means "not a member" (or another org's key).
    if (held.isEmpty()) return DENIED;
    if (suspended(org.get(), request)) return DENIED;
    if (closed(org.get(), rule, principal, request)) return DENIED;
    if (needed != null && !held.contains(needed)) {
      if (principal instanceof ApiKeyPrincipal) {
        request.setAttribute(MissingScope.ATTRIBUTE, new MissingScope(request.getMethod(), rule.pattern().getPatternString(),
            ApiScope.granting(needed).stream().map(ApiScope::code).toList()));
      }
      return DENIED;
    }
    request.setAttribute(OrganizationContext.ATTRIBUTE,
        new OrganizationContext(org.get().id(), org.get().slug(), org.get().name(), Set.copyOf(held)));
    return GRANTED;
  }

  /**
   * No route has this method and path: it is refused like any other, but a caller who may know what is
   * there learns that nothing is (404) or that the path takes other methods (405). Under an organization's
   * slug that is only its members (and its keys), so nobody else learns the organization exists; elsewhere
   * anyone signed in or holding a key. Anonymous callers are asked to authenticate first.
   */
  private AuthorizationDecision unknown(String path, Object principal, HttpServletRequest request) {
    Optional<String> slug = AccessRules.orgSlug(path);
    boolean mayKnow;
    if (slug.isPresent()) {
      Optional<Organizations.Organization> org = slug.flatMap(organizations::bySlug);
      mayKnow = org.isPresent() && !held(org.get(), principal).isEmpty() && !suspended(org.get(), request) && !org.get().closed();
    } else {
      mayKnow = principal instanceof HeraldUser || principal instanceof ApiKeyPrincipal;
    }
    if (mayKnow) request.setAttribute(UnknownRoute.ATTRIBUTE, new UnknownRoute(AccessRules.methodsAt(path)));
    return DENIED;
  }

  private Set<Permission> held(Organizations.Organization org, Object principal) {
    return switch (principal) {
      case HeraldUser u -> organizations.permissionsOf(org.id(), u.id());
      case ApiKeyPrincipal k when k.organizationId() == org.id() -> k.permissions();
      case null, default -> EnumSet.noneOf(Permission.class);
    };
  }

  /** A member of a suspended organization is refused, and told why (see {@link Suspended}). */
  private static boolean suspended(Organizations.Organization org, HttpServletRequest request) {
    if (!org.suspended()) return false;
    request.setAttribute(Suspended.ATTRIBUTE, new Suspended(org.name(), org.slug(), org.suspendedAt(), org.suspendedReason()));
    return true;
  }

  /** A closed organization refuses all but its closure page, and that only to people (not API keys). */
  private static boolean closed(Organizations.Organization org, Rule rule, Object principal, HttpServletRequest request) {
    if (!org.closed()) return false;
    if (principal instanceof HeraldUser && AccessRules.openWhileClosed(rule)) return false;
    request.setAttribute(Closed.ATTRIBUTE, new Closed(org.name(), org.slug(), org.closedAt(), org.purgeAfter()));
    return true;
  }

  private static Object principalOf(Authentication authentication) {
    return authentication == null || !authentication.isAuthenticated() ? null : authentication.getPrincipal();
  }

  private static AuthorizationDecision decide(boolean granted) {
    return granted ? GRANTED : DENIED;
  }
}
