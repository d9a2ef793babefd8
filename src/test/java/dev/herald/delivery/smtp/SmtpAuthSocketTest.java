package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.smtp.ConnectResult.Connected;
import dev.herald.delivery.smtp.ConnectResult.Failure;
import dev.herald.delivery.smtp.ConnectResult.NotConnected;
import dev.herald.delivery.smtp.InProcessSmtpServer.Behaviour;
import dev.herald.delivery.smtp.InProcessSmtpServer.TestCertificate;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * AUTH and implicit TLS over real sockets and real TLS, against the in-process server (smtp-sink has no AUTH and no
 * TLS): it checks the login itself, offers AUTH only over TLS and refuses MAIL before a login.
 */
class SmtpAuthSocketTest {
  static final Credentials LOGIN = new Credentials("relay-user", "correct horse");
  static TestCertificate certificate;

  @BeforeAll
  static void makeCertificate(@TempDir Path dir) throws Exception {
    certificate = TestCertificate.create(dir);
  }

  static ConnectResult connect(InProcessSmtpServer server, TlsPolicy tls, Credentials credentials) {
    SmtpClient client = new SmtpClient(SmtpClient.Timeouts.all(Duration.ofSeconds(5)), certificate.trusting());
    return client.connect(new SmtpPeer("mx.tls.test", server.address, tls, 10, credentials), SocketWireTest.EGRESS);
  }

  @Test
  void starttls_then_auth_plain_then_the_message() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server(), false, LOGIN);
        SmtpConnection connection = ((Connected) connect(server, TlsPolicy.VERIFIED, LOGIN)).connection()) {
      assertThat(connection.send(SocketWireTest.ENVELOPE, SocketWireTest.MESSAGE)).singleElement().isInstanceOf(Accepted.class);
      assertThat(server.logins).containsExactly("PLAIN relay-user");
      assertThat(server.authInClear).isEmpty();
      assertThat(server.overTls).containsExactly(true);
    }
  }

  @Test
  void implicit_tls_then_auth_then_the_message() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server(), true, LOGIN);
        SmtpConnection connection = ((Connected) connect(server, TlsPolicy.IMPLICIT_VERIFIED, LOGIN)).connection()) {
      assertThat(connection.encrypted()).isTrue();
      assertThat(connection.send(SocketWireTest.ENVELOPE, SocketWireTest.MESSAGE)).singleElement().isInstanceOf(Accepted.class);
      assertThat(server.logins).containsExactly("PLAIN relay-user");
      assertThat(server.overTls).containsExactly(true);
    }
  }

  @Test
  void a_wrong_password_is_refused_by_the_server_and_no_mail_is_sent() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server(), true, LOGIN)) {
      NotConnected failed = (NotConnected) connect(server, TlsPolicy.IMPLICIT, new Credentials("relay-user", "wrong"));
      assertThat(failed.failure()).isEqualTo(Failure.AUTH_FAILED);
      assertThat(failed.reply().code()).isEqualTo(535);
      assertThat(server.logins).isEmpty();
      assertThat(server.messages).isEmpty();
    }
  }

  @Test
  void implicit_tls_to_a_server_that_speaks_smtp_in_clear_fails_without_a_retry_in_clear() throws Exception {
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server())) {
      NotConnected failed = (NotConnected) connect(server, TlsPolicy.IMPLICIT, LOGIN);
      assertThat(failed.failure()).isEqualTo(Failure.TLS_FAILED);
      assertThat(failed.retryInClear()).isFalse();
      assertThat(server.authInClear).isEmpty();
    }
  }

  @Test
  void the_password_is_not_sent_in_clear_even_to_loopback_when_the_policy_requires_tls() throws Exception {
    // The server offers STARTTLS; REQUIRED takes it, so AUTH is only ever said over TLS.
    try (InProcessSmtpServer server = new InProcessSmtpServer(Behaviour.PROPER, certificate.server(), false, LOGIN)) {
      assertThat(connect(server, TlsPolicy.REQUIRED, LOGIN)).isInstanceOf(Connected.class);
      assertThat(server.authInClear).isEmpty();
      assertThat(server.logins).containsExactly("PLAIN relay-user");
    }
  }
}
