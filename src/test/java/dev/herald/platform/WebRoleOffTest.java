package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;

/** A node started without the web role serves health and metrics only. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "herald.roles=delivery,worker")
class WebRoleOffTest {
  @LocalServerPort int port;
  @Autowired NodeRoles roles;
  @Autowired io.micrometer.core.instrument.MeterRegistry meters;

  int status(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  @Test
  void panel_and_api_are_absent_but_health_answers() throws Exception {
    assertThat(roles.has(NodeRole.web)).isFalse();
    assertThat(roles.has(NodeRole.delivery)).isTrue();
    assertThat(status("/login")).isEqualTo(404);
    assertThat(status("/api/v1/me")).isEqualTo(404);
    assertThat(status("/actuator/health")).isEqualTo(200);
    double tracked = meters.get("herald.tracking.requests").counters().stream().mapToDouble(c -> c.count()).sum();
    assertThat(status("/t/o/abcdefghijklmnopqrstuvwxyz234567abcdefghijklm")).isEqualTo(404);
    assertThat(status("/t/c/abcdefghijklmnopqrstuvwxyz234567abcdefghijklm")).isEqualTo(404);
    assertThat(meters.get("herald.tracking.requests").counters().stream().mapToDouble(c -> c.count()).sum())
        .as("refused by the web role, not looked at by the tracking valve or filter").isEqualTo(tracked);
  }
}
