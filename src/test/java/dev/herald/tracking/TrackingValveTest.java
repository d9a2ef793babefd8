package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.messages.LinkTracking;
import dev.herald.tenancy.TestOrganizations;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.catalina.Context;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.tomcat.TomcatWebServer;
import org.springframework.boot.web.server.servlet.context.ServletWebServerApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The tracking endpoints on a running Tomcat, where {@link TrackingValve} answers them before the filter chain: the
 * same answers as through the filters (TrackingEndpointsTest, on MockMvc), the same origin rules, events stored, and the
 * requests the valve leaves alone still refused by the filters.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"herald.base-url=https://panel.herald.test",
    "herald.public-url=https://news.herald.test", "herald.sending.tracking-host=t.herald.test", "herald.tracking.flush=20ms"})
@Import(TestOrganizations.class)
class TrackingValveTest {
  @LocalServerPort int port;
  @Autowired ServletWebServerApplicationContext context;
  @Autowired JdbcClient jdbc;
  @Autowired LinkTracking tokens;
  @Autowired TestOrganizations organizations;
  @Autowired io.micrometer.core.instrument.MeterRegistry meters;
  TrackedMail mail;

  @BeforeEach
  void setUp() {
    mail = new TrackedMail(jdbc, tokens);
  }

  /** An answer as read off the socket: status, headers (names in lower case), body. */
  record Answer(int status, Map<String, String> headers, byte[] body) {}

  /** One HTTP/1.1 request over a plain socket, so the Host header is the one given (the JDK's client will not set it). */
  Answer fetch(String host, String path) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0\r\n"
          + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream all = new ByteArrayOutputStream();
      in.transferTo(all);
      byte[] bytes = all.toByteArray();
      int end = indexOf(bytes, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      assertThat(end).as("a whole header section").isPositive();
      String[] lines = new String(bytes, 0, end, StandardCharsets.ISO_8859_1).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
      }
      return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, Arrays.copyOfRange(bytes, end + 4, bytes.length));
    }
  }

  static int indexOf(byte[] bytes, byte[] what) {
    outer:
    for (int i = 0; i + what.length <= bytes.length; i++) {
      for (int j = 0; j < what.length; j++) if (bytes[i + j] != what[j]) continue outer;
      return i;
    }
    return -1;
  }

  long events(long messageId, String kind) {
    return jdbc.sql("select count(*) from tracking_event where message_id = ? and kind = ?").params(messageId, kind).query(Long.class).single();
  }

  void waitForEvents(long messageId, String kind, long count) throws InterruptedException {
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (events(messageId, kind) < count && Instant.now().isBefore(deadline)) Thread.sleep(20);
    assertThat(events(messageId, kind)).isEqualTo(count);
  }

  double counted(String kind, String outcome) {
    return meters.get("herald.tracking.requests").tag("kind", kind).tag("outcome", outcome).counter().count();
  }

  @Autowired TrackingListener listener;

  @Test
  void the_tracking_listener_is_off_by_default() {
    assertThat(listener.isRunning()).isFalse();
    assertThat(listener.port()).isZero();
  }

  @Test
  void the_valve_is_first_in_the_applications_pipeline() {
    Context app = (Context) ((TomcatWebServer) context.getWebServer()).getTomcat().getHost().findChildren()[0];
    assertThat(app.getPipeline().getFirst()).isInstanceOf(TrackingValve.class);
  }

  @Test
  void the_pixel_and_the_redirect_are_answered_counted_and_stored_on_the_hosts_that_serve_tracking() throws Exception {
    TestOrganizations.Created org = organizations.create("Valve Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a", "https://shop.example/b?x=1&y=2"), "ann@one.example");
    double pixels = counted("open", "pixel");
    double redirects = counted("click", "redirect");

    Answer pixel = fetch("t.herald.test", mail.openPath(sent, 0));
    assertThat(pixel.status()).isEqualTo(200);
    assertThat(pixel.headers()).containsEntry("content-type", "image/gif").containsEntry("content-length", "43")
        .containsEntry("cache-control", "no-store").containsEntry("referrer-policy", "no-referrer")
        .containsEntry("x-content-type-options", "nosniff").doesNotContainKey("set-cookie");
    assertThat(pixel.body()).isEqualTo(TrackingController.PIXEL);

    Answer click = fetch("news.herald.test", mail.clickPath(sent, 0, 2) + "?url=https://evil.example/");
    assertThat(click.status()).isEqualTo(302);
    assertThat(click.headers()).containsEntry("location", "https://shop.example/b?x=1&y=2").containsEntry("cache-control", "no-store")
        .doesNotContainKey("set-cookie");

    assertThat(counted("open", "pixel")).isEqualTo(pixels + 1);
    assertThat(counted("click", "redirect")).isEqualTo(redirects + 1);
    waitForEvents(sent.messageId(), "open", 1);
    waitForEvents(sent.messageId(), "click", 1);
    assertThat(meters.find("http.server.requests").timers()).as("no timer names a tracking route")
        .noneMatch(t -> String.valueOf(t.getId().getTag("uri")).startsWith("/t/"));
  }

  @Test
  void the_panels_host_still_refuses_tracking_and_a_bad_token_still_gets_the_404_page() throws Exception {
    TestOrganizations.Created org = organizations.create("Valve Refused Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");

    Answer onPanel = fetch("panel.herald.test", mail.clickPath(sent, 0, 1));
    assertThat(onPanel.status()).as("origin separation: the panel's host serves no tracking").isEqualTo(404);
    assertThat(onPanel.headers()).doesNotContainKey("location");
    assertThat(fetch("panel.herald.test", mail.openPath(sent, 0)).status()).isEqualTo(404);

    String forged = mail.clickPath(sent, 0, 1);
    forged = forged.substring(0, forged.length() - 1) + (forged.endsWith("a") ? "b" : "a");
    Answer notFound = fetch("t.herald.test", forged);
    assertThat(notFound.status()).isEqualTo(404);
    assertThat(notFound.headers()).doesNotContainKey("location");
    assertThat(new String(notFound.body(), StandardCharsets.UTF_8)).as("the error page, as through the filters").isNotEmpty();

    Thread.sleep(200); // two flushes: nothing of the refused requests may arrive
    assertThat(events(sent.messageId(), "open")).isZero();
    assertThat(events(sent.messageId(), "click")).isZero();
  }
}
