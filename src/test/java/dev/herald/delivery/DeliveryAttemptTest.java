package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.smtp.Envelope;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import dev.herald.delivery.smtp.RecipientResult.Deferred;
import dev.herald.delivery.smtp.RecipientResult.Rejected;
import dev.herald.delivery.smtp.RecipientResult;
import dev.herald.domains.Dns;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestDns;
import java.io.IOException;
import java.io.OutputStream;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The attempt over MX routes: failover to the next MX, and the recipients' results when no server can be used. */
class DeliveryAttemptTest {
  static TestDns dns;
  @TempDir Path dumps;

  @BeforeAll
  static void startDns() {
    dns = TestDns.start();
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  @BeforeEach
  void clearZone() {
    dns.clear();
  }

  static DeliveryAttempt attempt(int mxPort) throws Exception {
    return attempt(new Dns(List.of(dns.address()), Duration.ofSeconds(2)), mxPort);
  }

  static DeliveryAttempt attempt(Dns client, int mxPort) {
    return new DeliveryAttempt(new MxRoute(new DnsCache(client, Clock.systemUTC()), mxPort, true),
        SinkRouteContract.CLIENT, SinkRouteContract.EGRESS, null);
  }

  static List<RecipientResult> deliver(DeliveryAttempt attempt, String domain, String... recipients) {
    return attempt.deliver(RouteContract.SENDER, domain, new Envelope("bounce@b.herald.test", List.of(recipients)),
        RouteContract.message("failover"));
  }

  /** A server on {@code address} that greets every connection with this reply and hangs up. */
  static ServerSocket greeter(InetSocketAddress address, String greeting) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(address);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
          out.write((greeting + "\r\n").getBytes(StandardCharsets.US_ASCII));
          out.flush();
          s.getInputStream().read(); // until the client's QUIT or close
        } catch (IOException closed) {
          // the test ended
        }
      }
    });
    return server;
  }

  @Test
  void the_first_mx_refusing_connections_fails_over_to_the_second() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps)) {
      // Nothing listens on 127.0.0.2 at the sink's port: the preferred MX refuses the connection.
      dns.mx("example.net", 10, "mx1.example.net").address("mx1.example.net", "127.0.0.2")
          .mx("example.net", 20, "mx2.example.net").address("mx2.example.net", "127.0.0.1");
      List<RecipientResult> results = deliver(attempt(sink.address.getPort()), "example.net", "a@example.net", "b@example.net");
      assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r).isInstanceOf(Accepted.class));
      assertThat(sink.messages(1)).singleElement().asString().contains("X-Rcpt-Args: <a@example.net>");
    }
  }

  @Test
  void an_mx_greeting_with_421_fails_over_to_the_next() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps);
        ServerSocket busy = greeter(new InetSocketAddress("127.0.0.2", sink.address.getPort()), "421 4.7.0 busy, try later")) {
      dns.mx("Example.NET", 10, "mx1.example.net").address("mx1.example.net", "127.0.0.2")
          .mx("example.net", 20, "mx2.example.net").address("mx2.example.net", "127.0.0.1");
      List<RecipientResult> results = deliver(attempt(sink.address.getPort()), "Example.NET.", "a@example.net");
      assertThat(results).singleElement().isInstanceOf(Accepted.class);
      assertThat(sink.messages(1)).hasSize(1);
    }
  }

  @Test
  void no_mx_taking_a_session_defers_every_recipient_with_each_reason() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"));
        ServerSocket busy = greeter(new InetSocketAddress("127.0.0.2", probe.getLocalPort()), "421 4.7.0 busy")) {
      int port = probe.getLocalPort();
      probe.close(); // 127.0.0.1 refuses connections now
      dns.mx("example.net", 10, "mx1.example.net").address("mx1.example.net", "127.0.0.2")
          .mx("example.net", 20, "mx2.example.net").address("mx2.example.net", "127.0.0.1");
      List<RecipientResult> results = deliver(attempt(port), "example.net", "a@example.net", "b@example.net");
      assertThat(results).hasSize(2).allSatisfy(r -> assertThat(r).isInstanceOfSatisfying(Deferred.class, d -> {
        assertThat(d.reason()).contains("mx1.example.net").contains("421 4.7.0 busy").contains("mx2.example.net");
      }));
    }
  }

  @Test
  void every_mx_refusing_with_a_5xx_greeting_bounces_the_recipients() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.2"));
        ServerSocket refusing = greeter(new InetSocketAddress("127.0.0.3", probe.getLocalPort()), "554 5.7.1 no mail from you")) {
      dns.mx("example.net", 10, "mx.example.net").address("mx.example.net", "127.0.0.3");
      List<RecipientResult> results = deliver(attempt(probe.getLocalPort()), "example.net", "a@example.net");
      assertThat(results).singleElement().isInstanceOfSatisfying(Rejected.class,
          r -> assertThat(r.reason()).contains("554 5.7.1 no mail from you"));
    }
  }

  @Test
  void an_attempt_tries_at_most_five_addresses() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
      for (int i = 1; i <= 7; i++) {
        dns.mx("example.net", i, "mx" + i + ".example.net").address("mx" + i + ".example.net", "127.0.1." + i);
      }
      List<RecipientResult> results = deliver(attempt(probe.getLocalPort()), "example.net", "a@example.net");
      assertThat(results).singleElement().isInstanceOfSatisfying(Deferred.class, d -> assertThat(d.reason())
          .contains("mx1.example.net", "mx5.example.net").doesNotContain("mx6.example.net"));
    }
  }

  /**
   * A server whose STARTTLS handshake always breaks, and which takes mail in clear: counts the messages it gets.
   */
  static ServerSocket brokenTls(java.util.concurrent.atomic.AtomicInteger messages) throws IOException {
    ServerSocket server = new ServerSocket(0, 5, InetAddress.getByName("127.0.0.1"));
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept(); OutputStream out = s.getOutputStream();
            var in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII))) {
          out.write("220 mx ESMTP\r\n".getBytes(StandardCharsets.US_ASCII));
          String line;
          while ((line = in.readLine()) != null) {
            String verb = line.length() >= 4 ? line.substring(0, 4).toUpperCase() : line;
            String reply = switch (verb) {
              case "EHLO" -> "250-mx\r\n250 STARTTLS\r\n";
              case "STAR" -> "220 2.0.0 Ready\r\nthis is not TLS\r\n";
              case "DATA" -> "354 go on\r\n";
              case "QUIT" -> "221 bye\r\n";
              default -> "250 2.0.0 Ok\r\n";
            };
            out.write(reply.getBytes(StandardCharsets.US_ASCII));
            if (verb.equals("STAR") || verb.equals("QUIT")) break;
            if (verb.equals("DATA")) {
              while (!".".equals(in.readLine())) {
                // the message
              }
              messages.incrementAndGet();
              out.write("250 2.0.0 queued\r\n".getBytes(StandardCharsets.US_ASCII));
            }
          }
        } catch (IOException closed) {
          // the client hung up or the test ended
        }
      }
    });
    return server;
  }

  @Test
  void a_failed_opportunistic_tls_handshake_is_retried_in_clear() throws Exception {
    var messages = new java.util.concurrent.atomic.AtomicInteger();
    try (ServerSocket server = brokenTls(messages)) {
      dns.mx("example.net", 10, "mx.example.net").address("mx.example.net", "127.0.0.1");
      List<RecipientResult> results = deliver(attempt(server.getLocalPort()), "example.net", "a@example.net");
      assertThat(results).singleElement().isInstanceOf(Accepted.class);
      assertThat(messages.get()).isEqualTo(1);
    }
  }

  @Test
  void a_null_mx_bounces_without_a_connection() throws Exception {
    dns.mx("example.net", 0, ".");
    List<RecipientResult> results = deliver(attempt(1), "example.net", "a@example.net");
    assertThat(results).singleElement().isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.reply()).isNull();
      assertThat(r.reason()).contains("null MX");
    });
  }

  @Test
  void a_dns_timeout_defers() throws Exception {
    try (DatagramSocket silent = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))) {
      Dns offline = new Dns(List.of("127.0.0.1:" + silent.getLocalPort()), Duration.ofMillis(300));
      List<RecipientResult> results = deliver(attempt(offline, 25), "example.net", "a@example.net");
      assertThat(results).singleElement().isInstanceOfSatisfying(Deferred.class,
          d -> assertThat(d.reason()).contains("MX lookup of example.net failed"));
    }
  }
}
