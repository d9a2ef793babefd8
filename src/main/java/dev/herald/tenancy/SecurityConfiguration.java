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
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.filter.OncePerRequestFilter;

/** One filter chain: API keys or session, then {@link RouteAuthorization} for every request. */
@Configuration(proxyBeanMethods = false)
class SecurityConfiguration {
  private static final RequestMatcher API = r -> r.getRequestURI().startsWith(r.getContextPath() + "/api/v1/");
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
  SecurityFilterChain securityFilterChain(HttpSecurity http, RouteAuthorization routes, ApiKeys apiKeys) throws Exception {
    http
        .authorizeHttpRequests(a -> a.anyRequest().access(routes))
        .addFilterBefore(new ApiKeyFilter(apiKeys), AnonymousAuthenticationFilter.class)
        // A Bearer key is not sent by browsers on their own, so CSRF does not apply to it; sessions keep CSRF.
        // Hosted subscriber pages (/p/) set no cookie, so they cannot carry a session's CSRF token; they are
        // protected by signed tokens, a honeypot and a rate limit instead (see PublicPagesController).
        .csrf(c -> c.ignoringRequestMatchers(BEARER, PUBLIC_PAGES))
        .formLogin(f -> f.disable())
        .httpBasic(b -> b.disable())
        .logout(l -> l.logoutUrl("/logout").logoutSuccessUrl("/login?signedOut"))
        .exceptionHandling(e -> e
            .defaultAuthenticationEntryPointFor((req, res, ex) -> problem(res, HttpStatus.UNAUTHORIZED,
                "Authenticate with an API key (Authorization: Bearer hrld_...) or a signed-in session."), API)
            .defaultAuthenticationEntryPointFor(SecurityConfiguration::toSignIn, r -> true)
            .defaultAccessDeniedHandlerFor((req, res, ex) -> problem(res, HttpStatus.FORBIDDEN,
                req.getAttribute(RouteAuthorization.Suspended.ATTRIBUTE) instanceof RouteAuthorization.Suspended s
                    ? "The organization " + s.slug() + " is suspended by the operator of this installation (reason: "
                        + s.reason() + "). Contact the operator to have it resumed."
                    : "You do not have permission for this action in this organization."), API)
            // Needed: with a single default handler Spring would use the API's JSON one for pages too.
            .defaultAccessDeniedHandlerFor(new org.springframework.security.web.access.AccessDeniedHandlerImpl(), r -> true))
        .headers(h -> h
            .contentSecurityPolicy(c -> c.policyDirectives(
                "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                    + "frame-ancestors 'none'; form-action 'self'; base-uri 'none'; object-src 'none'"))
            .referrerPolicy(r -> r.policy(
                org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter.ReferrerPolicy.SAME_ORIGIN)));
    return http.build();
  }

  /** Pages send people to sign in, and back to where they were going afterwards. */
  private static void toSignIn(HttpServletRequest request, HttpServletResponse response,
      org.springframework.security.core.AuthenticationException e) throws IOException {
    String path = request.getRequestURI().substring(request.getContextPath().length());
    String back = "GET".equals(request.getMethod()) ? path + (request.getQueryString() == null ? "" : "?" + request.getQueryString())
        : "/dashboard";
    response.sendRedirect(request.getContextPath() + "/login?next="
        + java.net.URLEncoder.encode(back, java.nio.charset.StandardCharsets.UTF_8));
  }

  static void problem(HttpServletResponse response, HttpStatus status, String detail) throws IOException {
    response.setStatus(status.value());
    response.setContentType("application/problem+json");
    // UTF-8: a detail may quote text people wrote (a suspension's reason), in any language.
    response.setCharacterEncoding("UTF-8");
    response.getWriter().write("{\"type\":\"about:blank\",\"title\":\"" + status.getReasonPhrase() + "\",\"status\":"
        + status.value() + ",\"detail\":\"" + jsonEscape(detail) + "\"}");
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

  /** Authenticates {@code Authorization: Bearer hrld_...} for this request only; nothing is stored in a session. */
  static final class ApiKeyFilter extends OncePerRequestFilter {
    private final ApiKeys apiKeys;

    ApiKeyFilter(ApiKeys apiKeys) {
      this.apiKeys = apiKeys;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
      return !BEARER.matches(request);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
        throws ServletException, IOException {
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
