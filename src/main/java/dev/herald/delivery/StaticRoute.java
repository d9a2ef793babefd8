package dev.herald.delivery;

import dev.herald.delivery.smtp.TlsPolicy;
import java.net.InetSocketAddress;
import java.util.List;

/**
 * Every domain to one server ({@code herald.delivery.static-route}, a loopback host:port): benchmarks and tests
 * deliver to a sink on the machine through the same attempt as real mail, without DNS.
 */
final class StaticRoute implements Route {
  private final Destination destination;

  StaticRoute(InetSocketAddress server) {
    if (server.isUnresolved()) {
      throw new IllegalArgumentException("the static route's host does not resolve: " + server.getHostString());
    }
    this.destination = new Servers(List.of(new Server(server.getHostString(), List.of(server.getAddress()),
        server.getPort(), TlsPolicy.OPPORTUNISTIC)));
  }

  /** Parses {@code host:port} ({@code [::1]:port} for IPv6) as the setting gives it. */
  static StaticRoute of(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    String host = hostPort.substring(0, colon).replace("[", "").replace("]", "");
    return new StaticRoute(new InetSocketAddress(host, Integer.parseInt(hostPort.substring(colon + 1))));
  }

  @Override
  public Destination route(Sender sender, String domain) {
    return destination;
  }
}
