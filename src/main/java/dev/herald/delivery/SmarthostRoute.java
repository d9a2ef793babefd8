package dev.herald.delivery;

import dev.herald.delivery.smtp.TlsPolicy;
import dev.herald.domains.Dns.Answer;
import dev.herald.domains.Dns.Failed;
import dev.herald.domains.Dns.Found;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Type;

/**
 * Delivery servers (smarthosts): mail of a sending domain, or else of an organization, that has one assigned goes
 * to it whatever the recipient domain; everything else takes the fallback route (MX delivery). The model without
 * AUTH and limits: the operator's screen, storage, AUTH with the password through {@code Secrets}, and the hourly
 * and daily limits come with the queue.
 *
 * <p>Every failure to reach a smarthost defers, never bounces: a misconfigured relay is the operator's to fix, not
 * a reason to return the senders' mail. Its addresses may be private (a relay on the LAN is usual).
 */
final class SmarthostRoute implements Route {

  /**
   * One delivery server.
   *
   * @param host its name or IP literal
   * @param tls {@link TlsPolicy#REQUIRED} or {@link TlsPolicy#VERIFIED} for a relay on the internet (submission on
   *     587 with STARTTLS); implicit TLS (port 465) is not offered by the SMTP client yet
   */
  record Smarthost(String host, int port, TlsPolicy tls) {
    Smarthost {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(tls, "tls");
      if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  private final Map<String, Smarthost> byDomain;
  private final Map<Long, Smarthost> byOrganization;
  private final Route fallback;
  private final DnsCache dns;

  /**
   * @param byDomain smarthosts by sending domain (lower-case), which win over the organization's
   * @param byOrganization smarthosts by organization id
   */
  SmarthostRoute(Map<String, Smarthost> byDomain, Map<Long, Smarthost> byOrganization, Route fallback, DnsCache dns) {
    this.byDomain = Map.copyOf(byDomain);
    this.byOrganization = Map.copyOf(byOrganization);
    this.fallback = fallback;
    this.dns = dns;
  }

  @Override
  public Destination route(Sender sender, String domain) {
    Smarthost smarthost = byDomain.get(sender.domain().toLowerCase(java.util.Locale.ROOT));
    if (smarthost == null) smarthost = byOrganization.get(sender.organizationId());
    if (smarthost == null) return fallback.route(sender, domain);
    List<InetAddress> addresses = new ArrayList<>();
    try {
      addresses.add(InetAddress.ofLiteral(smarthost.host()));
    } catch (IllegalArgumentException notALiteral) {
      for (int type : new int[] {Type.A, Type.AAAA}) {
        Answer answer = dns.lookup(smarthost.host(), type);
        if (answer instanceof Failed f) {
          return new Unroutable(false, "the address lookup of the delivery server " + smarthost.host() + " failed: " + f.reason());
        }
        if (answer instanceof Found found) {
          for (var record : found.records()) {
            if (record instanceof ARecord a) addresses.add(a.getAddress());
            if (record instanceof AAAARecord aaaa) addresses.add(aaaa.getAddress());
          }
        }
      }
    }
    if (addresses.isEmpty()) {
      return new Unroutable(false, "the delivery server " + smarthost.host() + " has no A or AAAA record");
    }
    return new Servers(List.of(new Server(smarthost.host(), addresses, smarthost.port(), smarthost.tls())));
  }
}
