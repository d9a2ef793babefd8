package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.Route.Server;
import dev.herald.delivery.Route.Servers;
import dev.herald.domains.Dns;
import dev.herald.platform.HeraldProperties;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** {@code herald.delivery.route}: the operator's stored mode (default), or the static test route overriding it. */
class DeliveryConfigurationTest {

  static Route routeFor(Map<String, String> settings) throws Exception {
    HeraldProperties properties = new Binder(new MapConfigurationPropertySource(settings))
        .bindOrCreate("herald", HeraldProperties.class);
    // The settings are only asked when a route is picked: the mode's own test is SystemMailTest.
    return new DeliveryConfiguration().route(properties, new Dns(List.of("127.0.0.1:53"), Duration.ofSeconds(1)),
        Clock.systemUTC(), SmarthostRouteTest.assignments(Map.of(), Map.of()), null);
  }

  @Test
  void each_setting_gives_its_route() throws Exception {
    assertThat(routeFor(Map.of())).isInstanceOf(ModeRoute.class);
    // in real delivery, mail goes to an assigned delivery server first, else by MX; sandbox mode captures all
    assertThat(routeFor(Map.of("herald.delivery.route", "operator"))).isInstanceOfSatisfying(ModeRoute.class,
        r -> assertThat(r.mx()).isInstanceOfSatisfying(SmarthostRoute.class, s -> assertThat(s.fallback()).isInstanceOf(MxRoute.class)));
    Route fixed = routeFor(Map.of("herald.delivery.route", "static", "herald.delivery.static-route", "127.0.0.1:2525"));
    assertThat(fixed.route(RouteContract.SENDER, "example.net")).isInstanceOfSatisfying(Servers.class, s -> {
      Server server = s.servers().getFirst();
      assertThat(server.addresses()).extracting(a -> a.getHostAddress()).containsExactly("127.0.0.1");
      assertThat(server.port()).isEqualTo(2525);
    });
    Route v6 = routeFor(Map.of("herald.delivery.route", "static", "herald.delivery.static-route", "[::1]:2526"));
    assertThat(((Servers) v6.route(RouteContract.SENDER, "example.net")).servers().getFirst().addresses().getFirst()
        .isLoopbackAddress()).isTrue();
  }
}
