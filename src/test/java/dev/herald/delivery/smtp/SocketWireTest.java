package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.smtp.ConnectResult.Connected;
import dev.herald.delivery.smtp.ConnectResult.Failure;
import dev.herald.delivery.smtp.ConnectResult.NotConnected;
import dev.herald.delivery.smtp.InProcessSmtpServer.Behaviour;
import dev.herald.delivery.smtp.InProcessSmtpServer.TestCertificate;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import dev.herald.delivery.smtp.RecipientResult.Deferred;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** STARTTLS and write timeouts over real sockets, against an in-process server (smtp-sink has no TLS). */
class SocketWireTest {
  static final Egress EGRESS = new Egress(null, "mta1.herald.test");
  static final Envelope ENVELOPE = new Envelope("bounce@b.herald.test", List.of("ann@example.net"));
  static final byte[] MESSAGE = "Subject: over TLS\r\n\r\nHello.\r\n".getBytes(StandardCharsets.UTF_8);
  static TestCertificate certificate;

  @BeforeAll
  static void makeCertificate(@TempDir Path dir) throws Exception {
    certificate = TestCertificate.create(dir);
  }

  static SmtpClient client() {
    return new SmtpClient(SmtpClient.Timeouts.all(Duration.ofSeconds(5)), certificate.trusting());
  }

  static ConnectResult connect(SmtpClient client, InProcessSmtpServer server, String hostName, TlsPolicy tls) {
    return client.connect(new SmtpPeer(hostName, server.address, tls, 100), EGRESS);
  }

  @Test
  void opportunistic_tls_is_started_when_offered_and_the_message_goes_encrypted() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server())) {
      // the JDK's roots do not trust the test certificate: opportunistic TLS does not care
      SmtpClient jdkRoots = new SmtpClient(SmtpClient.Timeouts.all(Duration.ofSeconds(5)));
      try (SmtpConnection connection = ((Connected) connect(jdkRoots, server, "mx.tls.test", TlsPolicy.OPPORTUNISTIC)).connection()) {
        assertThat(connection.encrypted()).isTrue();
        assertThat(connection.capabilities().startTls()).isFalse(); // the EHLO said over TLS
        assertThat(connection.send(ENVELOPE, MESSAGE)).singleElement().isInstanceOf(Accepted.class);
      }
      assertThat(server.messages).containsExactly("Subject: over TLS\n\nHello.\n");
      assertThat(server.overTls).containsExactly(true);
    }
  }

  @Test
  void verified_tls_accepts_a_trusted_certificate_naming_the_host() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server());
        SmtpConnection connection = ((Connected) connect(client(), server, "mx.tls.test", TlsPolicy.VERIFIED)).connection()) {
      assertThat(connection.encrypted()).isTrue();
      assertThat(connection.send(ENVELOPE, MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    }
  }

  @Test
  void verified_tls_refuses_a_certificate_for_another_host_and_offers_no_retry_in_clear() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server())) {
      NotConnected failed = (NotConnected) connect(client(), server, "other.tls.test", TlsPolicy.VERIFIED);
      assertThat(failed.failure()).isEqualTo(Failure.TLS_FAILED);
      assertThat(failed.retryInClear()).isFalse();
      assertThat(failed.reason()).startsWith("TLS handshake with other.tls.test[127.0.0.1]:").contains("other.tls.test");
      assertThat(server.messages).isEmpty();
    }
  }

  @Test
  void verified_tls_refuses_an_untrusted_certificate() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server())) {
      SmtpClient jdkRoots = new SmtpClient(SmtpClient.Timeouts.all(Duration.ofSeconds(5)));
      NotConnected failed = (NotConnected) connect(jdkRoots, server, "mx.tls.test", TlsPolicy.VERIFIED);
      assertThat(failed.failure()).isEqualTo(Failure.TLS_FAILED);
      assertThat(failed.reason()).contains("PKIX");
    }
  }

  @Test
  void a_broken_opportunistic_handshake_can_be_retried_in_clear() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.BREAKS_THE_HANDSHAKE, certificate.server())) {
      NotConnected failed = (NotConnected) connect(client(), server, "mx.tls.test", TlsPolicy.OPPORTUNISTIC);
      assertThat(failed.failure()).isEqualTo(Failure.TLS_FAILED);
      assertThat(failed.retryInClear()).isTrue();

      try (SmtpConnection clear = ((Connected) connect(client(), server, "mx.tls.test", TlsPolicy.NONE)).connection()) {
        assertThat(clear.encrypted()).isFalse();
        assertThat(clear.send(ENVELOPE, MESSAGE)).singleElement().isInstanceOf(Accepted.class);
      }
      assertThat(server.overTls).containsExactly(false);
    }
  }

  @Test
  void lines_sent_in_clear_after_the_starttls_reply_are_refused_not_taken_as_said_over_tls() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.INJECTS_AFTER_STARTTLS, certificate.server())) {
      NotConnected failed = (NotConnected) connect(client(), server, "mx.tls.test", TlsPolicy.OPPORTUNISTIC);
      assertThat(failed.failure()).isEqualTo(Failure.TLS_FAILED);
      assertThat(failed.reason()).endsWith("the server sent data after its reply to STARTTLS");
    }
  }

  @Test
  void a_server_that_stops_reading_the_message_is_cut_off_after_the_data_block_timeout() throws Exception {
    SmtpClient impatient = new SmtpClient(new SmtpClient.Timeouts(
        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(500), Duration.ofSeconds(5)));
    byte[] large = new byte[32 * 1024 * 1024]; // more than any socket buffer holds
    Arrays.fill(large, (byte) 'x');
    for (int i = 76; i < large.length; i += 78) {
      large[i] = '\r';
      large[i + 1] = '\n';
    }
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.STOPS_READING_THE_MESSAGE, certificate.server());
        SmtpConnection connection = ((Connected) connect(impatient, server, "mx.tls.test", TlsPolicy.NONE)).connection()) {
      long started = System.nanoTime();
      RecipientResult result = connection.send(ENVELOPE, large).getFirst();
      assertThat(result).isInstanceOf(Deferred.class);
      assertThat(result.reason()).isEqualTo("timed out after 500 ms sending the message to mx.tls.test[127.0.0.1]:" + server.address.getPort());
      assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5)); // not the server's 10 s
      assertThat(connection.canSend()).isFalse();
    }
  }
}
