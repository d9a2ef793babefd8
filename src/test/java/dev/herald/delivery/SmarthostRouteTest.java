package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.Route.Servers;
import dev.herald.delivery.Route.Unroutable;
import dev.herald.delivery.SmarthostRoute.Smarthost;
import dev.herald.delivery.smtp.TlsPolicy;
import dev.herald.domains.Dns;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestDns;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A delivery server passes the route contract (the sender's domain is assigned the sink as its smarthost; the
 * fallback would make every recipient unroutable), and is chosen by sending domain, then organization.
 */
class SmarthostRouteTest extends SinkRouteContract {
  static final Route NOWHERE = (sender, domain) -> new Unroutable(false, "fallback");

  /** Assignments held in maps (by "orgId/domain" and by organization), without limits. */
  static SmarthostRoute.Assignments assignments(Map<String, Smarthost> byDomain, Map<Long, Smarthost> byOrganization) {
    return new SmarthostRoute.Assignments() {
      @Override
      public Optional<Smarthost> assignedTo(Sender sender) {
        Smarthost s = byDomain.get(sender.organizationId() + "/" + sender.domain().toLowerCase(java.util.Locale.ROOT));
        return Optional.ofNullable(s != null ? s : byOrganization.get(sender.organizationId()));
      }

      @Override
      public Optional<SmarthostRoute.Full> take(long deliveryServer) {
        return Optional.empty();
      }
    };
  }

  static Smarthost smarthost(String host, int port, TlsPolicy tls) {
    return new Smarthost(1, host, port, tls, null);
  }

  @Override
  Route routeTo(SmtpSink sink, String domain) {
    Smarthost relay = smarthost("127.0.0.1", sink.address.getPort(), TlsPolicy.OPPORTUNISTIC);
    return new SmarthostRoute(assignments(Map.of(SENDER.organizationId() + "/" + SENDER.domain(), relay), Map.of()), NOWHERE, null);
  }

  @Test
  void the_sending_domains_smarthost_wins_then_the_organizations_then_the_fallback() {
    Smarthost domainRelay = smarthost("127.0.0.2", 587, TlsPolicy.REQUIRED);
    Smarthost orgRelay = smarthost("::1", 2525, TlsPolicy.NONE);
    SmarthostRoute route = new SmarthostRoute(assignments(Map.of("7/news.acme.test", domainRelay), Map.of(7L, orgRelay)), NOWHERE, null);

    assertThat(route.route(new Sender(7, "News.Acme.test"), "example.net")).isInstanceOfSatisfying(Servers.class, s -> {
      assertThat(s.servers()).singleElement().satisfies(server -> {
        assertThat(server.addresses()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.2");
        assertThat(server.port()).isEqualTo(587);
        assertThat(server.tls()).isEqualTo(TlsPolicy.REQUIRED);
      });
    });
    assertThat(route.route(new Sender(7, "other.acme.test"), "example.net")).isInstanceOfSatisfying(Servers.class,
        s -> assertThat(s.servers().getFirst().port()).isEqualTo(2525));
    assertThat(route.route(new Sender(8, "other.test"), "example.net")).isInstanceOfSatisfying(Unroutable.class,
        u -> assertThat(u.reason()).isEqualTo("fallback"));
  }

  @Test
  void a_smarthost_named_by_host_is_resolved_and_one_that_does_not_resolve_defers() throws Exception {
    try (TestDns dns = TestDns.start()) {
      dns.address("relay.isp.test", "10.0.0.25");
      DnsCache cache = new DnsCache(new Dns(List.of(dns.address()), Duration.ofSeconds(2)), Clock.systemUTC());
      SmarthostRoute route = new SmarthostRoute(assignments(Map.of(), Map.of(
          1L, smarthost("relay.isp.test", 587, TlsPolicy.REQUIRED),
          2L, smarthost("gone.isp.test", 587, TlsPolicy.REQUIRED))), NOWHERE, cache);
      assertThat(route.route(new Sender(1, "a.test"), "example.net")).isInstanceOfSatisfying(Servers.class,
          s -> assertThat(s.servers().getFirst().addresses()).extracting(a -> a.getHostAddress()).containsExactly("10.0.0.25"));
      assertThat(route.route(new Sender(2, "b.test"), "example.net")).isInstanceOfSatisfying(Unroutable.class, u -> {
        assertThat(u.permanent()).as("the operator's configuration to fix: defer, never bounce").isFalse();
        assertThat(u.reason()).contains("gone.isp.test");
      });
    }
  }
}
