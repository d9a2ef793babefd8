package dev.herald.platform;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * DESIGN.md security rule 2 as one decision: which host may serve which path. {@link OriginSeparationFilter} applies it
 * to every request; the tracking endpoints' valve asks it before answering a pixel or a click ahead of the filters, so
 * both follow the same rule.
 *
 * <p>When {@code herald.public-url} names a host of its own, subscribers' pages ({@code /p/}), the media library's
 * images ({@code /m/}) and the tracking endpoints ({@code /t/}) are served only there, and nothing of the panel or the
 * API is. A tracking host (the installation's {@code herald.sending.tracking-host} when it is a host of its own, and each
 * organization's verified {@code track.<domain>}, see {@link TrackingHosts}) serves the tracking endpoints only. Health,
 * static assets and the error page answer on every host. With no separate host and no tracking host, everything is
 * served everywhere.
 */
@Component
public class OriginRules {
  private final boolean separatePublicOrigin;
  private final ObjectProvider<TrackingHosts> trackingHosts;
  private final String baseHost;
  private final String publicHost;
  private final String trackingHost;

  OriginRules(HeraldProperties properties, ObjectProvider<TrackingHosts> trackingHosts) {
    this.separatePublicOrigin = properties.separatePublicOrigin();
    this.trackingHosts = trackingHosts;
    this.baseHost = RequestOrigin.host(properties.baseHost());
    this.publicHost = separatePublicOrigin ? RequestOrigin.host(properties.publicUrl().getHost()) : baseHost;
    this.trackingHost = RequestOrigin.host(properties.sending().trackingHost());
  }

  /**
   * Whether {@code host} (as {@link RequestOrigin#host} normalizes it) serves {@code path} (as {@link RequestOrigin}
   * resolves it, never null).
   */
  public boolean serves(String host, String path) {
    boolean trackingOnly = trackingOnly(host);
    if (!trackingOnly && !separatePublicOrigin) return true;
    if (bothHosts(path)) return true;
    if (trackingOnly) return path.startsWith("/t/");
    boolean publicPage = path.startsWith("/p/") || path.startsWith("/m/") || path.startsWith("/t/");
    return publicHost.equals(host) == publicPage;
  }

  /** Whether nothing but {@link #serves} decides: false when no host is separated, so no path needs resolving. */
  boolean separates(String host) {
    return separatePublicOrigin || trackingOnly(host);
  }

  /** A host other than the panel's and the public one that serves tracking only. */
  private boolean trackingOnly(String host) {
    if (host.equals(baseHost) || host.equals(publicHost)) return false;
    if (!trackingHost.isEmpty() && host.equals(trackingHost)) return true;
    TrackingHosts hosts = trackingHosts.getIfAvailable();
    return hosts != null && hosts.organizationOf(host).isPresent();
  }

  private static boolean bothHosts(String path) {
    return path.startsWith("/actuator/") || path.startsWith("/assets/") || path.startsWith("/webjars/")
        || path.equals("/error") || path.equals("/favicon.ico");
  }
}
