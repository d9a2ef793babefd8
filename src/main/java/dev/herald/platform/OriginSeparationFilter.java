package dev.herald.platform;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * DESIGN.md security rule 2: when {@code herald.public-url} names a host of its own, subscribers'
 * pages ({@code /p/}), the media library's images ({@code /m/}) and the tracking endpoints ({@code /t/}) are served only
 * there, and nothing of the panel or the API is: a page on the
 * public host can then never act with a panel session, whose cookie belongs to the panel's host.
 * Health, static assets and the error page answer on both. With no separate host, nothing changes.
 *
 * <p>A tracking host (the installation's {@code herald.sending.tracking-host} when it is a host of its own, and each
 * organization's verified {@code track.<domain>}, see {@link TrackingHosts}) serves the tracking endpoints only: a
 * sender's domain never shows Herald's panel or another organization's pages.
 *
 * <p>The rule itself is {@link OriginRules}. Host and path are compared as {@link RequestOrigin} normalizes them, the way the container and
 * Spring MVC will resolve them: {@code lists.example.} is the public host, and {@code /%70/subscribe/2}
 * is a subscriber page.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class OriginSeparationFilter extends OncePerRequestFilter {
  private final OriginRules rules;

  OriginSeparationFilter(OriginRules rules) {
    this.rules = rules;
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String host = RequestOrigin.host(request.getServerName());
    if (!rules.separates(host)) {
      chain.doFilter(request, response);
      return;
    }
    String path = RequestOrigin.path(request);
    if (path == null || !rules.serves(host, path)) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    chain.doFilter(request, response);
  }
}
