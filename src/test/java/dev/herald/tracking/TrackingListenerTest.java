package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.messages.LinkTracking;
import dev.herald.tenancy.TestOrganizations;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The tracking listener ({@code herald.tracking.port}) on real sockets, beside the main port's Tomcat: the same answers
 * byte for byte as the main port gives the same request, events stored and counted, the same origin and proxy rules,
 * and HTTP/1.1 as clients use it (keep-alive, pipelining, HEAD, Connection: close, HTTP/1.0, oversized headers).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {"herald.base-url=https://panel.herald.test",
    "herald.public-url=https://news.herald.test", "herald.sending.tracking-host=t.herald.test", "herald.tracking.flush=20ms",
    "server.forward-headers-strategy=native"})
@Import(TestOrganizations.class)
class TrackingListenerTest {
  @LocalServerPort int mainPort;
  @Autowired TrackingListener listener;
  @Autowired JdbcClient jdbc;
  @Autowired LinkTracking tokens;
  @Autowired TestOrganizations organizations;
  @Autowired TrackingPrivacy privacy;
  @Autowired io.micrometer.core.instrument.MeterRegistry meters;
  TrackedMail mail;

  @DynamicPropertySource
  static void trackingPort(DynamicPropertyRegistry registry) throws IOException {
    try (ServerSocket free = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      int port = free.getLocalPort();
      registry.add("herald.tracking.port", () -> port);
      registry.add("herald.tracking.address", () -> "127.0.0.1");
    }
  }

  @BeforeEach
  void setUp() {
    mail = new TrackedMail(jdbc, tokens);
  }

  /** An answer as read off the socket: status, headers (names in lower case), body. */
  record Answer(int status, Map<String, String> headers, byte[] body) {
    /** The headers both ports must agree on: all but the date and the connection's own. */
    Map<String, String> compared() {
      Map<String, String> h = new LinkedHashMap<>(headers);
      h.remove("date");
      h.remove("keep-alive");
      h.remove("connection");
      return h;
    }
  }

  /** A client connection that reads answers one by one, so several can share it. */
  static final class Connection implements AutoCloseable {
    final Socket socket = new Socket();
    final InputStream in;
    final OutputStream out;

    Connection(int port) throws IOException {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
      socket.setSoTimeout(10_000);
      in = socket.getInputStream();
      out = socket.getOutputStream();
    }

    void send(String raw) throws IOException {
      out.write(raw.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
    }

    Answer read(boolean head) throws IOException {
      ByteArrayOutputStream header = new ByteArrayOutputStream();
      int matched = 0;
      while (matched < 4) {
        int b = in.read();
        if (b < 0) throw new IOException("closed before a whole answer: " + header);
        header.write(b);
        matched = (b == (matched % 2 == 0 ? '\r' : '\n')) ? matched + 1 : (b == '\r' ? 1 : 0);
      }
      String[] lines = header.toString(StandardCharsets.ISO_8859_1).split("\r\n");
      Map<String, String> headers = new LinkedHashMap<>();
      for (int i = 1; i < lines.length; i++) {
        int colon = lines[i].indexOf(':');
        headers.put(lines[i].substring(0, colon).toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).strip());
      }
      int length = head ? 0 : Integer.parseInt(headers.getOrDefault("content-length", "0"));
      byte[] body = in.readNBytes(length);
      return new Answer(Integer.parseInt(lines[0].split(" ")[1]), headers, body);
    }

    /** Whether the server closed the connection (end of stream within the read timeout). */
    boolean closedByServer() throws IOException {
      socket.setSoTimeout(5_000);
      try {
        return in.read() < 0;
      } catch (java.net.SocketException reset) {
        return true;
      }
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }

  static String get(String host, String path, String... extra) {
    return request("GET", host, path, extra);
  }

  static String request(String method, String host, String path, String... extra) {
    StringBuilder r = new StringBuilder(method + " " + path + " HTTP/1.1\r\nHost: " + host
        + "\r\nUser-Agent: Mozilla/5.0 (X11; Linux x86_64) Firefox/133.0\r\n");
    for (String line : extra) r.append(line).append("\r\n");
    return r.append("\r\n").toString();
  }

  Answer once(int port, String raw) throws IOException {
    try (Connection c = new Connection(port)) {
      c.send(raw);
      return c.read(raw.startsWith("HEAD "));
    }
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

  @Test
  void the_pixel_and_the_redirect_are_answered_as_on_the_main_port_counted_and_stored() throws Exception {
    assertThat(listener.isRunning()).isTrue();
    assertThat(listener.port()).isPositive().isNotEqualTo(mainPort);
    TestOrganizations.Created org = organizations.create("Listener Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a", "https://shop.example/b?x=1&y=2"), "ann@one.example");
    double pixels = counted("open", "pixel");
    double redirects = counted("click", "redirect");

    // The first request of a message is looked up off the event loop (nothing in memory yet), the next from memory.
    Answer pixel = once(listener.port(), get("t.herald.test", mail.openPath(sent, 0)));
    Answer again = once(listener.port(), get("t.herald.test", mail.openPath(sent, 0)));
    Answer onMain = once(mainPort, get("t.herald.test", mail.openPath(sent, 0)));
    assertThat(pixel.status()).isEqualTo(200);
    assertThat(pixel.headers()).containsEntry("content-type", "image/gif").containsEntry("content-length", "43")
        .containsEntry("cache-control", "no-store").containsEntry("referrer-policy", "no-referrer")
        .containsEntry("x-content-type-options", "nosniff").containsKey("date").doesNotContainKey("set-cookie").doesNotContainKey("server");
    assertThat(pixel.body()).isEqualTo(TrackingController.PIXEL);
    assertThat(again.compared()).isEqualTo(pixel.compared());
    assertThat(pixel.compared()).as("the main port's answer").isEqualTo(onMain.compared());
    assertThat(pixel.body()).isEqualTo(onMain.body());

    String click = mail.clickPath(sent, 0, 2) + "?url=https://evil.example/";
    Answer redirect = once(listener.port(), get("news.herald.test", click));
    Answer redirectOnMain = once(mainPort, get("news.herald.test", click));
    assertThat(redirect.status()).isEqualTo(302);
    assertThat(redirect.headers()).containsEntry("location", "https://shop.example/b?x=1&y=2").containsEntry("cache-control", "no-store")
        .containsEntry("content-length", "0").doesNotContainKey("set-cookie");
    assertThat(redirect.compared()).as("the main port's answer").isEqualTo(redirectOnMain.compared());

    assertThat(counted("open", "pixel")).isEqualTo(pixels + 3);
    assertThat(counted("click", "redirect")).isEqualTo(redirects + 2);
    waitForEvents(sent.messageId(), "open", 3);
    waitForEvents(sent.messageId(), "click", 2);
  }

  @Test
  void what_the_main_port_refuses_is_refused_and_nothing_is_stored() throws Exception {
    TestOrganizations.Created org = organizations.create("Listener Refused Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    String click = mail.clickPath(sent, 0, 1);
    double notFound = counted("click", "not_found");

    Answer onPanel = once(listener.port(), get("panel.herald.test", click));
    assertThat(onPanel.status()).as("origin separation: the panel's host serves no tracking").isEqualTo(404);
    assertThat(onPanel.headers()).doesNotContainKey("location");
    assertThat(once(mainPort, get("panel.herald.test", click)).status()).isEqualTo(404);

    String forged = click.substring(0, click.length() - 1) + (click.endsWith("a") ? "b" : "a");
    Answer unknown = once(listener.port(), get("t.herald.test", forged));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.headers()).doesNotContainKey("location").containsEntry("cache-control", "no-store")
        .containsEntry("referrer-policy", "no-referrer");
    assertThat(counted("click", "not_found")).isEqualTo(notFound + 1);

    Answer withCredentials = once(listener.port(), get("t.herald.test", click, "Authorization: Bearer hk_something"));
    assertThat(withCredentials.status()).as("a request with credentials is no tracking request").isEqualTo(404);
    assertThat(withCredentials.headers()).doesNotContainKey("location");

    Answer posted = once(listener.port(), request("POST", "t.herald.test", click, "Content-Length: 0"));
    assertThat(posted.status()).isEqualTo(405);
    assertThat(posted.headers()).containsEntry("allow", "GET, HEAD");

    Answer elsewhere = once(listener.port(), get("t.herald.test", "/p/unsubscribe/x"));
    assertThat(elsewhere.status()).as("only the pixel and the redirect live on this port").isEqualTo(404);
    assertThat(new String(elsewhere.body(), StandardCharsets.US_ASCII)).isEqualTo("404 Not Found\n");
    assertThat(once(listener.port(), get("t.herald.test", click.toUpperCase(Locale.ROOT))).status()).isEqualTo(404);

    Thread.sleep(200); // several flushes: nothing of the refused requests may arrive
    assertThat(events(sent.messageId(), "click")).isZero();
  }

  @Test
  void one_connection_serves_many_requests_pipelined_ones_in_order_and_closes_when_asked() throws Exception {
    TestOrganizations.Created org = organizations.create("Listener Keep-Alive Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example", "bob@one.example");
    try (Connection c = new Connection(listener.port())) {
      for (int i = 0; i < 30; i++) {
        c.send(get("t.herald.test", mail.openPath(sent, i % 2)));
        assertThat(c.read(false).status()).isEqualTo(200);
      }
      // Five requests in one write, the second needing the database (its link was never looked up), the rest not:
      // the answers come back in the order asked.
      c.send(get("t.herald.test", mail.openPath(sent, 0)) + get("t.herald.test", mail.clickPath(sent, 1, 1))
          + request("HEAD", "t.herald.test", mail.openPath(sent, 1)) + get("t.herald.test", "/nothing")
          + get("t.herald.test", mail.clickPath(sent, 0, 1)));
      assertThat(c.read(false).status()).isEqualTo(200);
      assertThat(c.read(false).headers()).containsEntry("location", "https://shop.example/a");
      Answer head = c.read(true);
      assertThat(head.status()).isEqualTo(200);
      assertThat(head.headers()).containsEntry("content-length", "43").containsEntry("content-type", "image/gif");
      assertThat(c.read(false).status()).isEqualTo(404);
      assertThat(c.read(false).status()).isEqualTo(302);

      c.send(get("t.herald.test", mail.openPath(sent, 0), "Connection: close"));
      Answer last = c.read(false);
      assertThat(last.status()).isEqualTo(200);
      assertThat(last.headers()).containsEntry("connection", "close");
      assertThat(c.closedByServer()).isTrue();
    }
    // A HEAD is a link checker's look, never an open: 30 + 1 + 1 opens, 2 clicks.
    waitForEvents(sent.messageId(), "open", 32);
    waitForEvents(sent.messageId(), "click", 2);
  }

  @Test
  void http_1_0_is_closed_after_each_answer_unless_kept_alive() throws Exception {
    TestOrganizations.Created org = organizations.create("Listener HTTP/1.0 Co", "send");
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    try (Connection c = new Connection(listener.port())) {
      c.send("GET " + mail.openPath(sent, 0) + " HTTP/1.0\r\nHost: t.herald.test\r\n\r\n");
      assertThat(c.read(false).status()).isEqualTo(200);
      assertThat(c.closedByServer()).isTrue();
    }
    try (Connection c = new Connection(listener.port())) {
      c.send("GET " + mail.openPath(sent, 0) + " HTTP/1.0\r\nHost: t.herald.test\r\nConnection: keep-alive\r\n\r\n");
      Answer kept = c.read(false);
      assertThat(kept.headers()).containsEntry("connection", "keep-alive");
      c.send("GET " + mail.openPath(sent, 0) + " HTTP/1.0\r\nHost: t.herald.test\r\n\r\n");
      assertThat(c.read(false).status()).isEqualTo(200);
    }
    try (Connection c = new Connection(listener.port())) {
      c.send("GET " + mail.openPath(sent, 0) + " HTTP/1.1\r\n\r\n");
      assertThat(c.read(false).status()).as("HTTP/1.1 without a Host").isEqualTo(400);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void an_oversized_header_section_or_request_line_is_refused_and_the_connection_closed() throws Exception {
    try (Connection c = new Connection(listener.port())) {
      c.send(get("t.herald.test", "/t/o/x", "X-Big: " + "a".repeat(TrackingListener.MAX_HEADER_BYTES + 10)));
      assertThat(c.read(false).status()).isEqualTo(431);
      assertThat(c.closedByServer()).isTrue();
    }
    try (Connection c = new Connection(listener.port())) {
      c.send(get("t.herald.test", "/t/o/" + "a".repeat(TrackingListener.MAX_LINE_BYTES + 10)));
      assertThat(c.read(false).status()).isEqualTo(414);
      assertThat(c.closedByServer()).isTrue();
    }
  }

  @Test
  void the_client_address_and_host_follow_the_main_ports_proxy_rules() throws Exception {
    TestOrganizations.Created org = organizations.create("Listener Proxy Co", "send");
    privacy.save(org.id(), 0, new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.FULL));
    TrackedMail.Sent sent = mail.apiMessage(org.id(), List.of("https://shop.example/a"), "ann@one.example");
    // From loopback, an internal proxy by default: X-Forwarded-For names the client, X-Forwarded-Host the host.
    String forwarded = get("panel.herald.test", mail.openPath(sent, 0), "X-Forwarded-For: 198.51.100.7, 10.0.0.3",
        "X-Forwarded-Host: t.herald.test");
    assertThat(once(listener.port(), forwarded).status()).isEqualTo(200);
    assertThat(once(mainPort, forwarded).status()).isEqualTo(200);
    waitForEvents(sent.messageId(), "open", 2);
    List<String> ips = new ArrayList<>(jdbc.sql("select ip from tracking_event where message_id = ?").param(sent.messageId())
        .query(String.class).list());
    assertThat(ips).containsExactly("198.51.100.7", "198.51.100.7");
  }
}
