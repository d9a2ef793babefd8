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
 * <p>Host and path are compared as {@link RequestOrigin} normalizes them, the way the container and
 * Spring MVC will resolve them: {@code lists.example.} is the public host, and {@code /%70/subscribe/2}
 * is a subscriber page.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class OriginSeparationFilter extends OncePerRequestFilter {
  private final HeraldProperties properties;
  private final org.springframework.beans.factory.ObjectProvider<TrackingHosts> trackingHosts;
  private final String baseHost;
  private final String publicHost;
  private final String trackingHost;

  OriginSeparationFilter(HeraldProperties properties, org.springframework.beans.factory.ObjectProvider<TrackingHosts> trackingHosts) {
    this.properties = properties;
    this.trackingHosts = trackingHosts;
    this.baseHost = RequestOrigin.host(properties.baseHost());
    this.publicHost = properties.separatePublicOrigin() ? RequestOrigin.host(properties.publicUrl().getHost()) : baseHost;
    this.trackingHost = RequestOrigin.host(properties.sending().trackingHost());
  }

  /** A host other than the panel's and the public one that serves tracking only. */
  private boolean trackingOnly(String host) {
    if (host.equals(baseHost) || host.equals(publicHost)) return false;
    if (!trackingHost.isEmpty() && host.equals(trackingHost)) return true;
    TrackingHosts hosts = trackingHosts.getIfAvailable();
    return hosts != null && hosts.organizationOf(host).isPresent();
  }

  @Override
  protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws IOException, ServletException {
    String host = RequestOrigin.host(request.getServerName());
    boolean trackingOnly = trackingOnly(host);
    if (!trackingOnly && !properties.separatePublicOrigin()) {
      chain.doFilter(request, response);
      return;
    }
    String path = RequestOrigin.path(request);
    if (path == null) {
      response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    if (bothHosts(path)) {
      chain.doFilter(request, response);
      return;
    }
    if (trackingOnly) {
      if (path.startsWith("/t/")) chain.doFilter(request, response);
      else response.sendError(HttpServletResponse.SC_NOT_FOUND);
      return;
    }
    boolean publicHost = this.publicHost.equals(host);
    boolean publicPage = path.startsWith("/p/") || path.startsWith("/m/") || path.startsWith("/t/");
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
