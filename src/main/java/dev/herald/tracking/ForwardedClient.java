package dev.herald.tracking;

import java.net.InetAddress;
import java.util.List;
import java.util.regex.Pattern;
import org.apache.catalina.util.NetMaskSet;
import org.springframework.boot.tomcat.autoconfigure.TomcatServerProperties;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;
import org.springframework.util.StringUtils;

/**
 * The client address and host of a request on the tracking listener, by the rules the main port applies: with
 * {@code HERALD_FORWARD_HEADERS=native} (or a {@code server.tomcat.remoteip} header set) Spring Boot puts Tomcat's
 * {@code RemoteIpValve} in front of every request, and this does what that valve does with the same settings; otherwise
 * the peer's address and the {@code Host} header are what they are, as on the main port (with {@code framework} the
 * main port's tracking valve runs before Spring's forwarded-header filter, so it too reads the peer).
 *
 * <p>The valve's rule: only when the peer is an internal or trusted proxy is {@code X-Forwarded-For} read, from its last
 * entry backwards, skipping internal proxies and passing trusted ones, up to the first address that is neither: that is
 * the client. Then the forwarded host header ({@code X-Forwarded-Host}) replaces the host. A forged header from any
 * other peer is not believed. One difference, on purpose: an entry that is not an IP literal never matches a CIDR list
 * here (the valve would look the name up in DNS, which the listener's event loop must not wait for).
 */
final class ForwardedClient {
  private final boolean active;
  private final String remoteIpHeader;
  private final String hostHeader;
  private final Pattern internalRegex;
  private final NetMaskSet internalCidr;
  private final Pattern trustedRegex;
  private final NetMaskSet trustedCidr;

  ForwardedClient(ServerProperties server, TomcatServerProperties tomcat) {
    TomcatServerProperties.Remoteip remoteip = tomcat.getRemoteip();
    // TomcatWebServerFactoryCustomizer's condition for adding the valve (its strategy deduced from a cloud platform
    // when unset is left out: application.yml always sets one).
    this.active = StringUtils.hasText(remoteip.getProtocolHeader()) || StringUtils.hasText(remoteip.getRemoteIpHeader())
        || server.getForwardHeadersStrategy() == ServerProperties.ForwardHeadersStrategy.NATIVE;
    this.remoteIpHeader = StringUtils.hasLength(remoteip.getRemoteIpHeader()) ? remoteip.getRemoteIpHeader() : "X-Forwarded-For";
    this.hostHeader = remoteip.getHostHeader();
    String internal = remoteip.getInternalProxies();
    boolean internalCidrList = internal != null && internal.indexOf('/') > 0;
    this.internalRegex = internal == null || internal.isEmpty() || internalCidrList ? null : Pattern.compile(internal);
    this.internalCidr = internalCidrList ? NetMaskSet.parse(internal) : null;
    String trusted = remoteip.getTrustedProxies();
    boolean trustedCidrList = trusted != null && trusted.indexOf('/') > 0;
    this.trustedRegex = trusted == null || trusted.isEmpty() || trustedCidrList ? null : Pattern.compile(trusted);
    this.trustedCidr = trustedCidrList ? NetMaskSet.parse(trusted) : null;
  }

  /** The client's address and the request's host name as the main port would see them. */
  record Client(String address, String host) {}

  /** How the listener hands over the request's headers (all values of a name, in order). */
  interface Headers {
    List<String> all(String name);

    String first(String name);
  }

  Client of(String peer, String host, Headers headers) {
    if (!active) return new Client(peer, host);
    boolean internalPeer = internal(peer);
    if (!internalPeer && !trusted(peer)) return new Client(peer, host);
    String address = peer;
    List<String> values = headers.all(remoteIpHeader);
    if (!values.isEmpty()) {
      String[] entries = String.join(",", values).split(",");
      for (int i = entries.length - 1; i >= 0; i--) {
        String entry = entries[i].strip();
        if (entry.isEmpty()) continue; // the valve's splitter drops empty entries too
        address = entry;
        if (!internal(entry) && !trusted(entry)) break;
      }
    }
    String forwardedHost = hostHeader == null ? null : headers.first(hostHeader);
    if (forwardedHost != null && !forwardedHost.isBlank()) host = forwardedHost;
    return new Client(address, host);
  }

  private boolean internal(String address) {
    return matches(internalRegex, internalCidr, address);
  }

  private boolean trusted(String address) {
    return matches(trustedRegex, trustedCidr, address);
  }

  private static boolean matches(Pattern regex, NetMaskSet cidr, String address) {
    if (regex != null && regex.matcher(address).matches()) return true;
    if (cidr == null || !literal(address)) return false;
    try {
      return cidr.contains(InetAddress.ofLiteral(address));
    } catch (IllegalArgumentException notAnAddress) {
      return false;
    }
  }

  private static boolean literal(String address) {
    return !address.isEmpty() && address.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == '.' || c == ':');
  }
}
