package dev.herald.delivery;

import dev.herald.delivery.smtp.Credentials;
import dev.herald.delivery.smtp.TlsPolicy;
import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * Where the mail of one sender to one recipient domain goes: the port every route implements (direct MX delivery,
 * the static test route, sandbox capture; a smarthost next). A route only decides the destination; {@link
 * DeliveryAttempt} connects, fails over and runs the transaction, so every route is delivered to the same way.
 */
interface Route {

  /**
   * @param sender who sends: routes may differ by organization or sending domain (a smarthost assigned to one)
   * @param domain the recipient domain, lower-case ASCII (A-labels for an internationalized name)
   */
  Destination route(Sender sender, String domain);

  /**
   * The sending side of a message.
   *
   * @param organizationId the organization that sends
   * @param domain its sending domain (the From domain, which DKIM signs)
   */
  record Sender(long organizationId, String domain) {
    public Sender {
      Objects.requireNonNull(domain, "domain");
    }
  }

  /** What a route decides. */
  sealed interface Destination {}

  /**
   * SMTP servers to try in this order: the first that takes a session gets the transaction, the next ones are
   * the failover (RFC 5321 §5.1).
   */
  record Servers(List<Server> servers) implements Destination {
    public Servers {
      servers = List.copyOf(servers);
      if (servers.isEmpty()) {
        throw new IllegalArgumentException("a destination needs at least one server");
      }
    }
  }

  /**
   * One server: its name (what certificates and messages name) and its addresses, tried in order.
   *
   * @param credentials the AUTH login of a delivery server, {@code null} for none
   * @param deliveryServer the stored id of a delivery server (smarthost), whose limits count each message sent to
   *     it; {@code null} for an MX host
   */
  record Server(String hostName, List<InetAddress> addresses, int port, TlsPolicy tls, Credentials credentials,
      Long deliveryServer) {

    /** An MX host or another server without AUTH. */
    Server(String hostName, List<InetAddress> addresses, int port, TlsPolicy tls) {
      this(hostName, addresses, port, tls, null, null);
    }

    /**
     * A delivery server: its refusals never bounce the mail (a 5xx greeting or a refused login is the operator's
     * configuration to fix, not the recipients' fault), they defer it.
     */
    boolean relay() {
      return deliveryServer != null;
    }

    public Server {
      Objects.requireNonNull(hostName, "hostName");
      addresses = List.copyOf(addresses);
      Objects.requireNonNull(tls, "tls");
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException(hostName + " has no address");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException("port out of range: " + port);
      }
    }
  }

  /** Keep the message in the sandbox mailbox; nothing leaves the machine. */
  record Capture() implements Destination {}

  /**
   * No server can be tried. Permanent when trying again cannot help (NXDOMAIN, a null MX): the recipients bounce
   * at once. Temporary when DNS did not answer: the recipients are deferred.
   */
  record Unroutable(boolean permanent, String reason) implements Destination {
    public Unroutable {
      Objects.requireNonNull(reason, "reason");
    }
  }
}
