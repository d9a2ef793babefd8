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
 * pages ({@code /p/}) and the media library's images ({@code /m/}) are served only there, and nothing of the panel or the API is: a page on the
 * public host can then never act with a panel session, whose cookie belongs to the panel's host.
 * Health, static assets and the error page answer on both. With no separate host, nothing changes.
 *
 * <p>Host and path are compared as {@link RequestOrigin} normalizes them, the way the container and
 * Spring MVC will resolve them: {@code lists.example.} is the public host, and {@code /%70/subscribe/2}
 * is a subscriber page.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class OriginSeparationFilter extends OncePerRequestFilter {
  private final HeraldProperties properties;

  OriginSeparationFilter(HeraldProperties properties) {
    this.properties = properties;
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !properties.separatePublicOrigin();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String path = RequestOrigin.path(request);
    if (path == null) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    if (bothHosts(path)) {
      chain.doFilter(request, response);
      return;
    }
    boolean publicHost = RequestOrigin.host(properties.publicUrl().getHost()).equals(RequestOrigin.host(request.getServerName()));
    boolean publicPage = path.startsWith("/p/") || path.startsWith("/m/");
    if (publicHost != publicPage) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    chain.doFilter(request, response);
  }

  private static boolean bothHosts(String path) {
    return path.startsWith("/actuator/") || path.startsWith("/assets/") || path.startsWith("/webjars/")
        || path.equals("/error") || path.equals("/favicon.ico");
  }
}
