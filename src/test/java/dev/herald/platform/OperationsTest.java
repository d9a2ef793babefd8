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
import org.springframework.jdbc.core.simple.JdbcClient;

/** Health, readiness, metrics, durability settings and the sandbox mailbox port, on a running server. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class OperationsTest {
  @LocalServerPort int port;
  @Autowired JdbcClient jdbc;
  @Autowired SystemMail mail;

  HttpResponse<String> get(String path) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void health_and_readiness_report_up_with_database_and_disk_checked() throws Exception {
    assertThat(get("/actuator/health").body()).contains("\"status\":\"UP\"");
    HttpResponse<String> readiness = get("/actuator/health/readiness");
    assertThat(readiness.statusCode()).isEqualTo(200);
    assertThat(readiness.body()).contains("UP");
  }

  @Test
  void prometheus_metrics_include_the_jvm_http_and_connection_pool() throws Exception {
    get("/login");
    String metrics = get("/actuator/prometheus").body();
    assertThat(metrics).contains("jvm_memory_used_bytes").contains("hikaricp_connections").contains("http_server_requests");
  }

  @Test
  void every_connection_commits_synchronously() {
    assertThat(jdbc.sql("show synchronous_commit").query(String.class).single()).isEqualTo("on");
  }

  @Test
  void system_mail_is_captured_in_the_sandbox_and_header_injection_is_refused() {
    mail.send(new SystemMail.SystemMessage("someone@example.com", "Hello", "Body", "test"));
    assertThat(jdbc.sql("select subject from sandbox_message where recipient = 'someone@example.com'").query(String.class).single())
        .isEqualTo("Hello");
    org.assertj.core.api.Assertions.assertThatThrownBy(() ->
        new SystemMail.SystemMessage("a@example.com", "Hi\r\nBcc: victim@example.com", "x", "test"))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
