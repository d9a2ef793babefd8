package dev.herald.tenancy;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.crypto.argon2.Argon2PasswordEncoder;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.HttpSessionCsrfTokenRepository;
import org.springframework.security.web.savedrequest.NullRequestCache;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/** One filter chain: API keys or session, then {@link RouteAuthorization} for every request. */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {
  // All of /api/, not only /api/v1/: an unknown /api path is an API error too (problem+json, never the sign-in page).
  private static final RequestMatcher API = SecurityConfiguration::isApi;
  private static final RequestMatcher PUBLIC_PAGES = r -> r.getRequestURI().startsWith(r.getContextPath() + "/p/");
  private static final RequestMatcher BEARER = r -> {
    String h = r.getHeader("Authorization");
    return h != null && h.regionMatches(true, 0, "Bearer ", 0, 7);
  };

  @Bean
  PasswordEncoder passwordEncoder() {
    return Argon2PasswordEncoder.defaultsForSpringSecurity_v5_8();
  }

  @Bean
  SecurityFilterChain securityFilterChain(HttpSecurity http, RouteAuthorization routes, ApiKeys apiKeys,
      dev.herald.platform.HeraldProperties properties) throws Exception {
    // The media library's images live on the public origin; the panel shows them (thumbnails, the editors).
    String publicImages = properties.separatePublicOrigin()
        ? " " + properties.publicUrl().getScheme() + "://" + properties.publicUrl().getRawAuthority() : "";
    // Previews of user HTML are framed from the public origin when it is a host of its own (content.PreviewFrames).
    String frames = properties.separatePublicOrigin() ? "frame-src 'self'" + publicImages + "; " : "";
    http
        .authorizeHttpRequests(a -> a.anyRequest().access(routes))
        // Before logout too: a key is refused on every page, /logout included (see ApiKeyFilter).
        .addFilterBefore(new ApiKeyFilter(apiKeys), org.springframework.security.web.authentication.logout.LogoutFilter.class)
        // A Bearer key is not sent by browsers on their own, so CSRF does not apply to it; sessions keep CSRF.
        // Hosted subscriber pages (/p/) set no cookie, so they cannot carry a session's CSRF token; they are
        // protected by signed tokens, a honeypot and a rate limit instead (see PublicPagesController).
        .csrf(c -> c.ignoringRequestMatchers(BEARER, PUBLIC_PAGES).csrfTokenRepository(new NoSessionForApi()))
        // Pages send people back with ?next= (toSignIn); a saved request would only create a session for every
        // anonymous call, API ones included.
        .requestCache(c -> c.requestCache(new NullRequestCache()))
        .formLogin(f -> f.disable())
        .httpBasic(b -> b.disable())
        .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?signedOut"))
        .exceptionHandling(e -> e
            .defaultAuthenticationEntryPointFor((req, res, ex) -> problem(res, HttpStatus.UNAUTHORIZED,
                "Authenticate with an API key (Authorization: Bearer hrld_...) or a signed-in session."), API)
            .defaultAuthenticationEntryPointFor(SecurityConfiguration::toSignIn, r -> true)
            .defaultAccessDeniedHandlerFor(SecurityConfiguration::apiRefusal, API)
            // Needed: with a single default handler Spring would use the API's JSON one for pages too.
            .defaultAccessDeniedHandlerFor(SecurityConfiguration::pageRefusal, r -> true))
        .headers(h -> h
            .contentSecurityPolicy(c -> c.policyDirectives(
                "default-src 'self'; img-src 'self' data:" + publicImages + "; style-src 'self'; script-src 'self'; " + frames
                    + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"))
            .referrerPolicy(r -> r.policy(
                org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
    return http.build();
  }

  private static void apiRefusal(HttpServletRequest request, HttpServletResponse response,
      org.springframework.security.access.AccessDeniedException e) throws IOException {
    if (request.getAttribute(RouteAuthorization.UnknownRoute.ATTRIBUTE) instanceof RouteAuthorization.UnknownRoute u) {
      if (u.status() == 405) {
        response.setHeader("Allow", u.allowHeader());
        problem(response, HttpStatus.METHOD_NOT_ALLOWED, request.getMethod() + " is not supported here; this path takes "
            + u.allowHeader() + ". The API is described at /api/docs.");
      } else {
        problem(response, HttpStatus.NOT_FOUND, "Herald's API has nothing at this path. The API is described at /api/docs.");
      }
      return;
    }
    if (request.getAttribute(RouteAuthorization.MissingScope.ATTRIBUTE) instanceof RouteAuthorization.MissingScope m) {
      problem(response, HttpStatus.FORBIDDEN, m.detail(),
          ",\"requiredScopes\":[" + String.join(",", m.scopes().stream().map(c -> "\"" + jsonEscape(c) + "\"").toList()) + "]");
      return;
    }
    problem(response, HttpStatus.FORBIDDEN,
        request.getAttribute(RouteAuthorization.Suspended.ATTRIBUTE) instanceof RouteAuthorization.Suspended s
            ? "The organization " + s.slug() + " is suspended by the operator of this installation (reason: "
                + s.reason() + "). Contact the operator to have it resumed."
            : request.getAttribute(RouteAuthorization.Closed.ATTRIBUTE) instanceof RouteAuthorization.Closed c
                ? "The organization " + c.slug() + " was closed by its owner on " + c.since() + "; its API keys are refused."
                    + " An owner can reopen it in the panel until " + c.purgeAfter() + ", when its data is deleted."
                : "You do not have permission for this action in this organization.");
  }

  /** Request attribute set when a page's form was refused for its CSRF token; the 403 page then says the form expired. */
  static final String FORM_EXPIRED = "herald.form-expired";

  private static void pageRefusal(HttpServletRequest request, HttpServletResponse response,
      org.springframework.security.access.AccessDeniedException e) throws IOException, ServletException {
    if (request.getAttribute(RouteAuthorization.UnknownRoute.ATTRIBUTE) instanceof RouteAuthorization.UnknownRoute u) {
      if (u.status() == 405) response.setHeader("Allow", u.allowHeader());
      response.sendError(u.status());
      return;
    }
    // A missing or stale CSRF token is a form kept open past its session (or across a sign-out), not a missing permission.
    if (e instanceof org.springframework.security.web.csrf.CsrfException) request.setAttribute(FORM_EXPIRED, true);
    new org.springframework.security.web.access.AccessDeniedHandlerImpl().handle(request, response, e);
  }

  /** Pages send people to sign in, and back to where they were going afterwards. */
  private static void toSignIn(HttpServletRequest request, HttpServletResponse response,
      org.springframework.security.core.AuthenticationException e) throws IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    // Subscribers' pages are public: one that does not exist is not there, rather than behind the panel's sign-in
    // (which, on a public host of its own, would send a subscriber to the panel's address).
    if (path.startsWith("/p/")) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    String back = "GET".equals(request.getMethod()) ? path + (request.getQueryString() == null ? "" : "?" + request.getQueryString())
        : "/dashboard";
    response.sendRedirect(request.getContextPath() + "/login?next="
        + java.net.URLEncoder.encode(back, java.nio.charset.StandardCharsets.UTF_8));
  }

  static void problem(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
    problem(response, status, detail, "");
  }

  /** {@code members}: more JSON members for the problem, each with its leading comma. */
  private static void problem(HttpServletResponse response, HttpStatus status, String detail, String members) throws IOException {
    response.setStatus(status.value());
    response.setContentType("application/problem+json");
    // UTF-8: a detail may quote text people wrote (a suspension's reason), in any language.
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"" + status.getReasonPhrase() + "\",\"status\":"
        + status.value() + ",\"detail\":\"" + jsonEscape(detail) + "\"" + members + "}");
  }

  private static String jsonEscape(String text) {
    StringBuilder out = new StringBuilder(text.length() + 16);
    for (char c : text.toCharArray()) {
      switch (c) {
        case '"' -> out.append("\\\"");
        case '\\' -> out.append("\\\\");
        default -> {
          if (c < 0x20) out.append(String.format("\\u%04x", (int) c));
          else out.append(c);
        }
      }
    }
    return out.toString();
  }

  /**
   * The session's CSRF token, but an API request never creates a session for it: a call without a session
   * (anonymous, or with a key) has no token to check against and is refused anyway, so storing a fresh
   * token would only leave a session row behind for every call.
   */
  static final class NoSessionForApi implements CsrfTokenRepository {
    private final HttpSessionCsrfTokenRepository sessions = new HttpSessionCsrfTokenRepository();

    @Override
    public CsrfToken generateToken(HttpServletRequest request) {
      return sessions.generateToken(request);
    }

    @Override
    public void saveToken(CsrfToken token, HttpServletRequest request, HttpServletResponse response) {
      if (isApi(request) && request.getSession(false) == null) return;
      sessions.saveToken(token, request, response);
    }

    @Override
    public CsrfToken loadToken(HttpServletRequest request) {
      return sessions.loadToken(request);
    }
  }

  private static boolean isApi(HttpServletRequest request) {
    return request.getRequestURI().startsWith(request.getContextPath() + "/api/");
  }

  /** Authenticates {@code Authorization: Bearer hrld_...} for this request only; nothing is stored in a session. */
  static final class ApiKeyFilter extends OncePerRequestFilter {
    private final ApiKeys apiKeys;

    ApiKeyFilter(ApiKeys apiKeys) {
      this.apiKeys = apiKeys;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
      // Health and metrics are public; a scraper's own Authorization header must not stop them.
      return !BEARER.matches(request) || request.getRequestURI().startsWith(request.getContextPath() + "/actuator/");
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
      if (!isApi(request)) {
        // The panel's handlers expect a person (a session, CSRF, a user id); a key is bound to an organization only.
        problem(response, HttpStatus.UNAUTHORIZED, "API keys are accepted only by the REST API under /api/v1. "
            + "The panel needs a signed-in session.");
        return;
      }
      String presented = request.getHeader("Authorization").substring(7).trim();
      switch (apiKeys.authenticate(presented, request.getRemoteAddr())) {
        case ApiKeys.Invalid invalid -> problem(response, HttpStatus.UNAUTHORIZED, invalid.reason());
        case ApiKeys.Valid valid -> {
          SecurityContext context = SecurityContextHolder.createEmptyContext();
          context.setAuthentication(UsernamePasswordAuthenticationToken.authenticated(valid.principal(), null, AuthorityUtils.NO_AUTHORITIES));
          SecurityContextHolder.setContext(context);
          try {
            chain.doFilter(request, response);
          } finally {
            SecurityContextHolder.clearContext();
          }
        }
      }
    }
  }
}
