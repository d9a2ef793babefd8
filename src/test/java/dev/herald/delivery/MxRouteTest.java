package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.Route.Destination;
import dev.herald.delivery.Route.Server;
import dev.herald.delivery.Route.Servers;
import dev.herald.delivery.Route.Unroutable;
import dev.herald.domains.Dns;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestDns;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** MX resolution against the loopback DNS server: order, implicit and null MX, DNS failures, and the TTL cache. */
class MxRouteTest {
  static final int PORT = 2525;
  static TestDns dns;
  static Dns client;
  MutableClock clock;

  @BeforeAll
  static void startDns() throws Exception {
    dns = TestDns.start();
    client = new Dns(List.of(dns.address()), Duration.ofSeconds(2));
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  @BeforeEach
  void reset() {
    dns.clear();
    clock = new MutableClock(Instant.parse("2026-12-06T12:00:00Z"));
  }

  MxRoute route(boolean privateTargets) {
    return new MxRoute(new DnsCache(client, clock), PORT, privateTargets);
  }

  Destination route(String domain) {
    return route(true).route(RouteContract.SENDER, domain);
  }

  static List<String> hosts(Destination d) {
    assertThat(d).isInstanceOf(Servers.class);
    return ((Servers) d).servers().stream().map(Server::hostName).toList();
  }

  @Test
  void mx_hosts_come_by_preference_in_random_order_among_equals() {
    dns.mx("example.net", 20, "c.example.net").mx("example.net", 10, "a.example.net").mx("example.net", 10, "b.example.net")
        .address("a.example.net", "127.0.0.2").address("b.example.net", "127.0.0.3").address("c.example.net", "127.0.0.4");
    MxRoute route = route(true);
    Set<List<String>> orders = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      List<String> hosts = hosts(route.route(RouteContract.SENDER, "example.net"));
      assertThat(hosts.subList(0, 2)).containsExactlyInAnyOrder("a.example.net", "b.example.net");
      assertThat(hosts.get(2)).isEqualTo("c.example.net");
      orders.add(hosts);
    }
    assertThat(orders).as("both orders of the two preference-10 hosts").hasSize(2);
  }

  @Test
  void each_mx_host_goes_with_its_ipv4_then_ipv6_addresses_and_the_mx_port() throws Exception {
    dns.mx("example.net", 10, "mx.example.net").address("mx.example.net", "::1").address("mx.example.net", "127.0.0.2");
    Server server = ((Servers) route("example.net")).servers().getFirst();
    assertThat(server.addresses()).containsExactly(InetAddress.getByName("127.0.0.2"), InetAddress.getByName("::1"));
    assertThat(server.port()).isEqualTo(PORT);
  }

  @Test
  void an_mx_host_without_address_is_skipped_and_with_none_left_the_domain_bounces() {
    dns.mx("example.net", 10, "gone.example.net").mx("example.net", 20, "mx.example.net").address("mx.example.net", "127.0.0.2");
    assertThat(hosts(route("example.net"))).containsExactly("mx.example.net");

    dns.mx("example.org", 10, "gone.example.org");
    assertThat(route("example.org")).isInstanceOfSatisfying(Unroutable.class, u -> {
      assertThat(u.permanent()).isTrue();
      assertThat(u.reason()).contains("gone.example.org");
    });
  }

  @Test
  void a_domain_without_mx_is_its_own_implicit_mx() {
    dns.address("example.net", "127.0.0.2");
    Destination d = route("example.net");
    assertThat(hosts(d)).containsExactly("example.net");
    assertThat(((Servers) d).servers().getFirst().addresses()).extracting(InetAddress::getHostAddress).containsExactly("127.0.0.2");
  }

  @Test
  void a_domain_without_mx_and_without_address_bounces() {
    dns.txt("example.net", "v=spf1 -all");
    assertThat(route("example.net")).isInstanceOfSatisfying(Unroutable.class, u -> {
      assertThat(u.permanent()).isTrue();
      assertThat(u.reason()).contains("no MX record");
    });
  }

  @Test
  void a_null_mx_bounces_at_once_with_its_reason() {
    dns.mx("example.net", 0, ".").address("example.net", "127.0.0.2");
    assertThat(route("example.net")).isInstanceOfSatisfying(Unroutable.class, u -> {
      assertThat(u.permanent()).isTrue();
      assertThat(u.reason()).contains("accepts no mail").contains("null MX (RFC 7505)");
    });
  }

  @Test
  void a_domain_that_does_not_exist_bounces() {
    assertThat(route("nowhere.example")).isInstanceOfSatisfying(Unroutable.class, u -> {
      assertThat(u.permanent()).isTrue();
      assertThat(u.reason()).contains("NXDOMAIN");
    });
  }

  @Test
  void a_dns_timeout_is_temporary() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      Dns offline = new Dns(List.of("127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(300));
      Destination d = new MxRoute(new DnsCache(offline, clock), PORT, true).route(RouteContract.SENDER, "example.net");
      assertThat(d).isInstanceOfSatisfying(Unroutable.class, u -> {
        assertThat(u.permanent()).isFalse();
        assertThat(u.reason()).contains("MX lookup of example.net failed");
      });
    }
  }

  @Test
  void loopback_and_private_addresses_are_not_delivered_to_outside_tests() {
    dns.mx("example.net", 10, "mx.example.net").address("mx.example.net", "127.0.0.1").address("mx.example.net", "10.1.2.3")
        .address("mx.example.net", "fd00::1");
    assertThat(route(false).route(RouteContract.SENDER, "example.net")).isInstanceOfSatisfying(Unroutable.class, u -> {
      assertThat(u.permanent()).isTrue();
      assertThat(u.reason()).contains("only private or loopback addresses");
    });
    dns.address("mx.example.net", "192.0.2.10");
    clock.advance(Duration.ofHours(2)); // past the cache
    Server server = ((Servers) route(false).route(RouteContract.SENDER, "example.net")).servers().getFirst();
    assertThat(server.addresses()).extracting(InetAddress::getHostAddress).containsExactly("192.0.2.10");
  }

  // ---- the cache ------------------------------------------------------------------------------

  long mxQueries(String domain) {
    return dns.queries().stream().filter(q -> q.equals(domain + " MX")).count();
  }

  @Test
  void a_ttl_below_the_floor_is_kept_for_the_floor() {
    dns.mx("example.net", 10, "old.example.net", 5).address("old.example.net", "127.0.0.2")
        .address("new.example.net", "127.0.0.3");
    MxRoute route = route(true);
    assertThat(hosts(route.route(RouteContract.SENDER, "example.net"))).containsExactly("old.example.net");
    dns.remove("example.net").mx("example.net", 10, "new.example.net", 5);
    clock.advance(Duration.ofSeconds(59));
    assertThat(hosts(route.route(RouteContract.SENDER, "example.net"))).containsExactly("old.example.net");
    assertThat(mxQueries("example.net")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(2));
    assertThat(hosts(route.route(RouteContract.SENDER, "example.net"))).containsExactly("new.example.net");
    assertThat(mxQueries("example.net")).isEqualTo(2);
  }

  @Test
  void a_ttl_between_floor_and_ceiling_is_kept_as_given_and_one_above_the_ceiling_for_the_ceiling() {
    dns.mx("five.example", 10, "mx.five.example", 300).address("mx.five.example", "127.0.0.2")
        .mx("day.example", 10, "mx.day.example", 86_400).address("mx.day.example", "127.0.0.2", 86_400);
    MxRoute route = route(true);
    route.route(RouteContract.SENDER, "five.example");
    route.route(RouteContract.SENDER, "day.example");
    clock.advance(Duration.ofSeconds(299));
    route.route(RouteContract.SENDER, "five.example");
    assertThat(mxQueries("five.example")).isEqualTo(1);
    clock.advance(Duration.ofSeconds(2));
    route.route(RouteContract.SENDER, "five.example");
    assertThat(mxQueries("five.example")).isEqualTo(2);

    clock.advance(Duration.ofMinutes(54)); // 59 min 1 s since the first lookup
    route.route(RouteContract.SENDER, "day.example");
    assertThat(mxQueries("day.example")).isEqualTo(1);
    clock.advance(Duration.ofMinutes(1));
    route.route(RouteContract.SENDER, "day.example");
    assertThat(mxQueries("day.example")).as("the ceiling of an hour, not the day of the TTL").isEqualTo(2);
  }

  @Test
  void nxdomain_and_null_mx_are_cached_too() {
    dns.mx("nomail.example", 0, ".", 600);
    MxRoute route = route(true);
    assertThat(route.route(RouteContract.SENDER, "late.example")).isInstanceOf(Unroutable.class);
    assertThat(route.route(RouteContract.SENDER, "nomail.example")).isInstanceOf(Unroutable.class);
    dns.mx("late.example", 10, "mx.late.example").address("mx.late.example", "127.0.0.2");
    dns.remove("nomail.example").mx("nomail.example", 10, "mx.late.example");
    clock.advance(Duration.ofMinutes(4));
    assertThat(route.route(RouteContract.SENDER, "late.example")).isInstanceOf(Unroutable.class);
    assertThat(route.route(RouteContract.SENDER, "nomail.example")).isInstanceOf(Unroutable.class);
    assertThat(mxQueries("late.example")).isEqualTo(1);
    assertThat(mxQueries("nomail.example")).isEqualTo(1);
    clock.advance(Duration.ofMinutes(2)); // past the 5 minutes of a negative answer, within the null MX's 10
    assertThat(hosts(route.route(RouteContract.SENDER, "late.example"))).containsExactly("mx.late.example");
    assertThat(route.route(RouteContract.SENDER, "nomail.example")).isInstanceOf(Unroutable.class);
    clock.advance(Duration.ofMinutes(5));
    assertThat(hosts(route.route(RouteContract.SENDER, "nomail.example"))).containsExactly("mx.late.example");
  }
}
