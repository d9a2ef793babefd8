package dev.herald.delivery.smtp;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The server to talk to and how.
 *
 * @param hostName the MX host's name (SNI, certificate checks, messages); its address literal when
 *     there is no name
 * @param address where to connect
 * @param tls when to use STARTTLS
 * @param maxMessagesPerConnection how many transactions one connection carries before it is closed
 *     (KumoMTA's default is 100; large providers want fewer)
 * @param credentials the AUTH login for a delivery server, or {@code null} for none (MX hosts)
 */
public record SmtpPeer(
    String hostName, InetSocketAddress address, TlsPolicy tls, int maxMessagesPerConnection, Credentials credentials) {

  /** A peer without AUTH. */
  public SmtpPeer(String hostName, InetSocketAddress address, TlsPolicy tls, int maxMessagesPerConnection) {
    this(hostName, address, tls, maxMessagesPerConnection, null);
  }

  public SmtpPeer {
    Objects.requireNonNull(hostName, "hostName");
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(tls, "tls");
    if (maxMessagesPerConnection < 1) {
      throw new IllegalArgumentException("maxMessagesPerConnection must be at least 1");
    }
  }

  /** An MX host with the defaults: opportunistic TLS, 100 messages per connection. */
  public static SmtpPeer mx(String hostName, InetSocketAddress address) {
    return new SmtpPeer(hostName, address, TlsPolicy.OPPORTUNISTIC, 100);
  }

  @Override
  public String toString() {
    String ip = address.getAddress() == null ? address.getHostString() : address.getAddress().getHostAddress();
    return hostName + "[" + ip + "]:" + address.getPort();
  }
}
