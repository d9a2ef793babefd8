package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.tomcat.autoconfigure.TomcatServerProperties;
import org.springframework.boot.web.server.autoconfigure.ServerProperties;

/** The tracking listener's client address and host under the main port's proxy settings (Tomcat's RemoteIpValve rules). */
class ForwardedClientTest {
  static ForwardedClient client(ServerProperties.ForwardHeadersStrategy strategy, String internal, String trusted) {
    ServerProperties server = new ServerProperties();
    server.setForwardHeadersStrategy(strategy);
    TomcatServerProperties tomcat = new TomcatServerProperties();
    if (internal != null) tomcat.getRemoteip().setInternalProxies(internal);
    if (trusted != null) tomcat.getRemoteip().setTrustedProxies(trusted);
    return new ForwardedClient(server, tomcat);
  }

  static ForwardedClient.Headers headers(Map<String, List<String>> values) {
    return new ForwardedClient.Headers() {
      @Override
      public List<String> all(String name) {
        return values.getOrDefault(name, List.of());
      }

      @Override
      public String first(String name) {
        return values.getOrDefault(name, List.of()).stream().findFirst().orElse(null);
      }
    };
  }

  static final ForwardedClient.Headers FORGED = headers(Map.of("X-Forwarded-For", List.of("203.0.113.66"),
      "X-Forwarded-Host", List.of("t.herald.test")));

  @Test
  void without_forwarded_headers_the_peer_and_the_host_are_what_they_are() {
    ForwardedClient none = client(ServerProperties.ForwardHeadersStrategy.NONE, null, null);
    assertThat(none.of("127.0.0.1", "panel.test", FORGED)).isEqualTo(new ForwardedClient.Client("127.0.0.1", "panel.test"));
    // framework: the main port's tracking valve runs before Spring's forwarded-header filter, so it reads the peer too
    ForwardedClient framework = client(ServerProperties.ForwardHeadersStrategy.FRAMEWORK, null, null);
    assertThat(framework.of("10.1.2.3", "panel.test", FORGED)).isEqualTo(new ForwardedClient.Client("10.1.2.3", "panel.test"));
  }

  @Test
  void a_forged_header_from_a_peer_that_is_no_proxy_is_not_believed() {
    ForwardedClient as = client(ServerProperties.ForwardHeadersStrategy.NATIVE, null, null);
    assertThat(as.of("198.51.100.20", "panel.test", FORGED)).isEqualTo(new ForwardedClient.Client("198.51.100.20", "panel.test"));
  }

  @Test
  void from_an_internal_proxy_the_last_address_that_is_no_proxy_is_the_client() {
    ForwardedClient as = client(ServerProperties.ForwardHeadersStrategy.NATIVE, null, null);
    var chain = headers(Map.of("X-Forwarded-For", List.of("203.0.113.1, 198.51.100.9", "10.0.0.5"), "X-Forwarded-Host", List.of("t.herald.test")));
    assertThat(as.of("127.0.0.1", "panel.test", chain)).isEqualTo(new ForwardedClient.Client("198.51.100.9", "t.herald.test"));
    assertThat(as.of("::1", "panel.test", chain).address()).as("IPv6 loopback is internal too").isEqualTo("198.51.100.9");
    var allInternal = headers(Map.of("X-Forwarded-For", List.of("10.0.0.9, 192.168.1.1")));
    assertThat(as.of("127.0.0.1", "h", allInternal).address()).as("the valve ends on the first entry").isEqualTo("10.0.0.9");
    assertThat(as.of("127.0.0.1", "h", headers(Map.of()))).as("no header: the peer").isEqualTo(new ForwardedClient.Client("127.0.0.1", "h"));
  }

  @Test
  void trusted_proxies_are_passed_and_a_regex_list_works_as_in_the_valve() {
    ForwardedClient as = client(ServerProperties.ForwardHeadersStrategy.NATIVE, "127\\.0\\.0\\.1", "198\\.51\\.100\\.\\d+");
    var chain = headers(Map.of("X-Forwarded-For", List.of("203.0.113.1, 198.51.100.9")));
    assertThat(as.of("127.0.0.1", "h", chain).address()).isEqualTo("203.0.113.1");
    assertThat(as.of("198.51.100.4", "h", chain).address()).as("a trusted peer").isEqualTo("203.0.113.1");
    assertThat(as.of("10.0.0.1", "h", chain).address()).as("10/8 is not internal under this setting").isEqualTo("10.0.0.1");
  }

  @Test
  void a_name_in_the_header_never_matches_a_cidr_list_and_is_never_looked_up() {
    ForwardedClient as = client(ServerProperties.ForwardHeadersStrategy.NATIVE, null, null);
    var named = headers(Map.of("X-Forwarded-For", List.of("203.0.113.1, localhost")));
    assertThat(as.of("127.0.0.1", "h", named).address()).isEqualTo("localhost");
  }
}
