package dev.herald.delivery;

import dev.herald.delivery.smtp.TlsPolicy;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * For other capabilities' tests that need real delivery with more than one outcome: {@code @Import(RoutesByDomain.class)}
 * makes the worker send each recipient domain's mail to the loopback server the test names for it ({@link Table#to}),
 * e.g. one smtp-sink that accepts and one that refuses every RCPT. A domain with no server named is unroutable.
 */
@TestConfiguration
public class RoutesByDomain {

  /** Recipient domain → server. */
  public static final class Table implements Route {
    private final Map<String, InetSocketAddress> servers = new ConcurrentHashMap<>();

    public void to(String domain, InetSocketAddress server) {
      servers.put(domain, server);
    }

    @Override
    public Destination route(Sender sender, String domain) {
      InetSocketAddress server = servers.get(domain);
      if (server == null) return new Unroutable(false, "no test server for " + domain);
      return new Servers(List.of(new Server("sink." + domain, List.of(server.getAddress()), server.getPort(), TlsPolicy.OPPORTUNISTIC)));
    }
  }

  @Bean
  @Primary
  Table routesByDomain() {
    return new Table();
  }
}
