package dev.herald.delivery;

import dev.herald.delivery.smtp.Credentials;
import dev.herald.delivery.smtp.TlsPolicy;
import dev.herald.domains.Dns.Answer;
import dev.herald.domains.Dns.Failed;
import dev.herald.domains.Dns.Found;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.xbill.DNS.AAAARecord;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.Type;

/**
 * Delivery servers (smarthosts): mail of a sending domain, or else of an organization, that has one assigned goes
 * to it whatever the recipient domain; everything else takes the fallback route (MX delivery). Which server is
 * assigned, its login and its limits come from the {@link Assignments} port ({@link DeliveryServers} keeps them).
 *
 * <p>Every failure to reach a smarthost defers, never bounces: a misconfigured relay is the operator's to fix, not
 * a reason to return the senders' mail. The limits are not counted here (a route is asked once per batch): the worker
 * counts each transaction through {@link Routing#take}. Its addresses may be private (a relay on the LAN is usual).
 */
final class SmarthostRoute implements Route {

  /**
   * One delivery server.
   *
   * @param id its stored id (what its limits are counted under)
   * @param host its name or IP literal
   * @param tls {@link TlsPolicy#VERIFIED} or {@link TlsPolicy#IMPLICIT_VERIFIED} for a relay on the internet
   * @param credentials its AUTH login, or {@code null}
   */
  record Smarthost(long id, String host, int port, TlsPolicy tls, Credentials credentials) {
    Smarthost {
      Objects.requireNonNull(host, "host");
      Objects.requireNonNull(tls, "tls");
      if (port < 1 || port > 65535) throw new IllegalArgumentException("port out of range: " + port);
    }
  }

  /** Where the assignments and the limits' counts are kept. */
  interface Assignments {
    /** The server assigned to the sender's domain, else to its organization. */
    Optional<Smarthost> assignedTo(Sender sender);

    /**
     * Counts one message against the server's hourly and daily limits, durably and across nodes: the worker asks once
     * per transaction, just before it.
     *
     * @return empty when the message may go, else why it waits and until when
     */
    Optional<Full> take(long deliveryServer);
  }

  /** A delivery server at one of its limits: mail for it waits until the window frees. */
  record Full(String reason, java.time.Instant until) {}

  private final Assignments assignments;
  private final Route fallback;
  private final DnsCache dns;

  SmarthostRoute(Assignments assignments, Route fallback, DnsCache dns) {
    this.assignments = assignments;
    this.fallback = fallback;
    this.dns = dns;
  }

  /** The route of the senders without a delivery server. */
  Route fallback() {
    return fallback;
  }

  @Override
  public Destination route(Sender sender, String domain) {
    Smarthost smarthost = assignments.assignedTo(sender).orElse(null);
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
    return new Servers(List.of(
        new Server(smarthost.host(), addresses, smarthost.port(), smarthost.tls(), smarthost.credentials(), smarthost.id())));
  }
}
