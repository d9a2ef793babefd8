package dev.herald.delivery;

import dev.herald.delivery.Route.Capture;
import dev.herald.delivery.Route.Destination;
import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.Route.Server;
import dev.herald.delivery.Route.Servers;
import dev.herald.delivery.Route.Unroutable;
import dev.herald.delivery.smtp.ConnectResult;
import dev.herald.delivery.smtp.ConnectResult.Connected;
import dev.herald.delivery.smtp.ConnectResult.Failure;
import dev.herald.delivery.smtp.ConnectResult.NotConnected;
import dev.herald.delivery.smtp.Egress;
import dev.herald.delivery.smtp.Envelope;
import dev.herald.delivery.smtp.RecipientResult;
import dev.herald.delivery.smtp.SmtpClient;
import dev.herald.delivery.smtp.SmtpConnection;
import dev.herald.delivery.smtp.SmtpPeer;
import dev.herald.delivery.smtp.SmtpReply;
import dev.herald.delivery.smtp.TlsPolicy;
import java.net.IDN;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One delivery attempt of one message to the recipients of one domain: what the queue's worker calls. The route
 * decides where; then the servers are tried in order, each address of each, until one takes a session (RFC 5321
 * §5.1: a connection that fails, a refused greeting such as 421, a failed TLS handshake or TLS the policy requires
 * but the server lacks all move on to the next). The transaction runs on the first session and its per-recipient
 * results are the answer. Once a transaction has started there is no failover: the server may already hold the
 * message, and the queue's retry decides what comes next.
 *
 * <p>When no server takes a session every recipient is deferred with every server's reason, except when each one
 * refused with a 5xx greeting: then they bounce, as with Postfix.
 */
final class DeliveryAttempt {
  /** Addresses tried per attempt, over all servers (Postfix's smtp_mx_address_limit), so an attempt is bounded in time. */
  static final int MAX_ADDRESSES = 5;

  /** Where an organization's connections leave from: its IP pool's next address and EHLO name. */
  @FunctionalInterface
  interface Egresses {
    Egress forOrganization(long organizationId);
  }

  private final Route route;
  private final SmtpClient client;
  private final Egresses egresses;
  private final SandboxMailbox sandbox;
  /** Messages one session may carry; the worker's shaping closes sessions sooner when a destination's cap is lower. */
  private final int perConnection;

  /** Every connection from one egress (tests). */
  DeliveryAttempt(Route route, SmtpClient client, Egress egress, SandboxMailbox sandbox) {
    this(route, client, organizationId -> egress, sandbox, 100);
  }

  DeliveryAttempt(Route route, SmtpClient client, Egresses egresses, SandboxMailbox sandbox, int perConnection) {
    this.route = route;
    this.client = client;
    this.egresses = egresses;
    this.sandbox = sandbox;
    this.perConnection = perConnection;
  }

  /**
   * @param domain the recipients' domain (every envelope recipient is at it)
   * @param message the signed message as it goes on the wire
   * @return one result per envelope recipient, in its order
   */
  List<RecipientResult> deliver(Sender sender, String domain, Envelope envelope, byte[] message) {
    Destination destination;
    try {
      destination = route.route(sender, asciiDomain(domain));
    } catch (IllegalArgumentException badName) {
      destination = new Unroutable(true, "not a domain name: " + domain);
    }
    return switch (destination) {
      case Unroutable u -> all(envelope, u.permanent(), u.reason());
      case Capture c -> sandbox.capture(sender.organizationId() == 0 ? null : sender.organizationId(), envelope, message);
      case Servers s -> overSmtp(s.servers(), egresses.forOrganization(sender.organizationId()), envelope, message);
    };
  }

  private List<RecipientResult> overSmtp(List<Server> servers, Egress egress, Envelope envelope, byte[] message) {
    return switch (connect(servers, egress)) {
      case Session session -> {
        try (SmtpConnection connection = session.connection()) {
          yield connection.send(envelope, message);
        }
      }
      case NoSession none -> all(envelope, none.permanent(), none.reason());
    };
  }

  /** What {@link #connect} gives: a session ready for transactions, or why there is none. */
  sealed interface Opened {}

  /**
   * A session with one of the servers, which the queue's worker reuses for many messages (up to the server's cap).
   *
   * @param server the server that took it
   * @param address the address of it that answered
   */
  record Session(SmtpConnection connection, Server server, InetAddress address) implements Opened {}

  /**
   * No server took a session. Permanent only when every one refused with a 5xx greeting (as with Postfix);
   * {@code reply} is the last server's refusal, if it sent one (a 421 says the destination throttles Herald).
   */
  record NoSession(boolean permanent, String reason, SmtpReply reply) implements Opened {}

  /**
   * Opens a session on the first server address that takes one, in order, at most {@link #MAX_ADDRESSES} of them:
   * a connection that fails, a refused greeting (421), a failed TLS handshake, or TLS the policy requires but the
   * server lacks all move on to the next (RFC 5321 §5.1).
   */
  Opened connect(List<Server> servers, Egress from) {
    List<String> reasons = new ArrayList<>();
    boolean allRefusedPermanently = true;
    SmtpReply lastReply = null;
    int tried = 0;
    for (Server server : servers) {
      for (InetAddress address : server.addresses()) {
        if (tried++ == MAX_ADDRESSES) {
          return new NoSession(false, String.join("; ", reasons), lastReply);
        }
        SmtpPeer peer = new SmtpPeer(server.hostName(), new InetSocketAddress(address, server.port()), server.tls(), perConnection,
            server.credentials());
        ConnectResult connected = client.connect(peer, from);
        if (connected instanceof NotConnected n && n.retryInClear()) {
          // Opportunistic TLS whose handshake failed: mail in clear beats no mail (RFC 7435).
          connected = client.connect(new SmtpPeer(peer.hostName(), peer.address(), TlsPolicy.NONE, perConnection,
              server.credentials()), from);
        }
        switch (connected) {
          case Connected c -> {
            return new Session(c.connection(), server, address);
          }
          case NotConnected n -> {
            // Each reason names its server, so the operator sees which MX said what.
            reasons.add(n.reason().contains(server.hostName()) ? n.reason() : peer + ": " + n.reason());
            // Only a server that refused the session itself (a 5xx greeting) bounces the mail; a refused login or a
            // delivery server's refusal is configuration to fix, and the mail waits for it.
            allRefusedPermanently &= !server.relay() && n.failure() == Failure.REFUSED
                && n.reply() != null && n.reply().permanentFailure();
            lastReply = n.reply();
          }
        }
      }
    }
    return new NoSession(allRefusedPermanently, String.join("; ", reasons), lastReply);
  }

  private static List<RecipientResult> all(Envelope envelope, boolean permanent, String reason) {
    return envelope.recipients().stream()
        .map(r -> permanent
            ? (RecipientResult) new RecipientResult.Rejected(r, null, reason)
            : new RecipientResult.Deferred(r, null, reason))
        .toList();
  }

  /** Lower-case, without a final dot, internationalized labels as A-labels (what DNS is asked). */
  static String asciiDomain(String domain) {
    String d = domain.endsWith(".") ? domain.substring(0, domain.length() - 1) : domain;
    if (d.isEmpty()) throw new IllegalArgumentException("empty domain");
    return IDN.toASCII(d, IDN.USE_STD3_ASCII_RULES).toLowerCase(Locale.ROOT);
  }
}
