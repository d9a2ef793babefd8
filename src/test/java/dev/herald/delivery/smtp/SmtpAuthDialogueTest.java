package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.smtp.ConnectResult.Connected;
import dev.herald.delivery.smtp.ConnectResult.Failure;
import dev.herald.delivery.smtp.ConnectResult.NotConnected;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;

/** AUTH (RFC 4954) and implicit TLS against scripted replies: exactly the bytes written, and when a password is not. */
class SmtpAuthDialogueTest {
  static final Credentials LOGIN = new Credentials("ann@relay.test", "s3cret pass");
  static final String EHLO = SmtpDialogueTest.EHLO;
  /** base64("\0ann@relay.test\0s3cret pass") */
  static final String PLAIN = "AUTH PLAIN AGFubkByZWxheS50ZXN0AHMzY3JldCBwYXNz";

  static ConnectResult open(ScriptedPeer wire, String address, TlsPolicy tls, Credentials credentials) {
    SmtpPeer peer = new SmtpPeer("relay.test", new InetSocketAddress(address, 587), tls, 100, credentials);
    return SmtpConnection.open(wire, peer, new Egress(null, "mta1.herald.test"), SmtpDialogueTest.TIMEOUTS);
  }

  static ScriptedPeer starttlsThenAuth(String... authLine) {
    ScriptedPeer wire = ScriptedPeer.greeting("220 relay.test ESMTP")
        .on(EHLO, "250-relay.test", "250-PIPELINING", "250 STARTTLS")
        .on("STARTTLS", "220 2.0.0 Ready to start TLS")
        .tlsHandshake();
    String[] ehlo = new String[authLine.length + 2];
    ehlo[0] = "250-relay.test";
    ehlo[1] = "250-PIPELINING";
    for (int i = 0; i < authLine.length; i++) ehlo[i + 2] = authLine[i];
    return wire.on(EHLO, ehlo);
  }

  @Test
  void plain_goes_after_starttls_with_the_initial_response_on_the_command_line() {
    assertThat(PLAIN).isEqualTo("AUTH PLAIN " + Base64.getEncoder().encodeToString(
        "\0ann@relay.test\0s3cret pass".getBytes(StandardCharsets.UTF_8)));
    ScriptedPeer wire = starttlsThenAuth("250 AUTH PLAIN LOGIN")
        .on(PLAIN, "235 2.7.0 Authentication successful")
        .on("MAIL FROM:<bounce+1@b.herald.test>", "250 2.1.0 Ok")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 2.0.0 Ok: queued")
        .on("QUIT", "221 Bye");
    try (SmtpConnection connection = ((Connected) open(wire, "192.0.2.25", TlsPolicy.REQUIRED, LOGIN)).connection()) {
      assertThat(connection.encrypted()).isTrue();
      assertThat(connection.send(SmtpDialogueTest.envelope("ann@example.net"), SmtpDialogueTest.MESSAGE))
          .singleElement().isInstanceOf(Accepted.class);
    }
    assertThat(wire.writes.subList(0, 4)).containsExactly(EHLO + "\r\n", "STARTTLS\r\n", EHLO + "\r\n", PLAIN + "\r\n");
    assertThat(wire.scriptDone()).isTrue();
  }

  @Test
  void login_is_used_when_plain_is_not_offered_also_in_the_old_auth_equals_form() {
    ScriptedPeer wire = starttlsThenAuth("250-AUTH=LOGIN", "250 AUTH LOGIN CRAM-MD5")
        .on("AUTH LOGIN", "334 VXNlcm5hbWU6")
        .on("YW5uQHJlbGF5LnRlc3Q=", "334 UGFzc3dvcmQ6")
        .on("czNjcmV0IHBhc3M=", "235 2.7.0 Authentication successful");
    ConnectResult result = open(wire, "192.0.2.25", TlsPolicy.VERIFIED, LOGIN);
    assertThat(result).isInstanceOf(Connected.class);
    assertThat(wire.writes.subList(3, 6)).containsExactly("AUTH LOGIN\r\n", "YW5uQHJlbGF5LnRlc3Q=\r\n", "czNjcmV0IHBhc3M=\r\n");
    assertThat(wire.tlsVerify).isTrue();
    assertThat(wire.scriptDone()).isTrue();
  }

  @Test
  void refused_credentials_end_the_session_with_the_reply_and_no_secret_in_the_reason() {
    ScriptedPeer wire = starttlsThenAuth("250 AUTH LOGIN")
        .on("AUTH LOGIN", "334 VXNlcm5hbWU6")
        .on("YW5uQHJlbGF5LnRlc3Q=", "334 UGFzc3dvcmQ6")
        .on("czNjcmV0IHBhc3M=", "535 5.7.8 Error: authentication failed")
        .on("QUIT", "221 Bye");
    NotConnected failed = (NotConnected) open(wire, "192.0.2.25", TlsPolicy.REQUIRED, LOGIN);
    assertThat(failed.failure()).isEqualTo(Failure.AUTH_FAILED);
    assertThat(failed.reply().code()).isEqualTo(535);
    assertThat(failed.retryInClear()).isFalse();
    assertThat(failed.reason()).isEqualTo(
        "relay.test[192.0.2.25]:587 refused the AUTH LOGIN login of ann@relay.test: 535 5.7.8 Error: authentication failed");
    assertThat(failed.reason()).doesNotContain("s3cret").doesNotContain("czNjcmV0");
    assertThat(wire.closed).isTrue();
    assertThat(wire.scriptDone()).isTrue();
  }

  @Test
  void a_timeout_while_sending_the_password_names_no_secret() {
    ScriptedPeer wire = starttlsThenAuth("250 AUTH PLAIN").stallOn(PLAIN);
    NotConnected failed = (NotConnected) open(wire, "192.0.2.25", TlsPolicy.REQUIRED, LOGIN);
    assertThat(failed.failure()).isEqualTo(Failure.LOST);
    assertThat(failed.reason()).isEqualTo("no reply from relay.test[192.0.2.25]:587 to AUTH PLAIN within 3 s");
  }

  @Test
  void no_password_goes_in_clear_to_a_server_that_is_not_on_loopback() {
    ScriptedPeer wire = ScriptedPeer.greeting("220 relay.test ESMTP")
        .on(EHLO, "250-relay.test", "250 AUTH PLAIN LOGIN")
        .on("QUIT", "221 Bye");
    NotConnected failed = (NotConnected) open(wire, "192.0.2.25", TlsPolicy.NONE, LOGIN);
    assertThat(failed.failure()).isEqualTo(Failure.AUTH_UNAVAILABLE);
    assertThat(failed.reason()).startsWith("Herald sends a password only over TLS");
    assertThat(wire.writes).containsExactly(EHLO + "\r\n", "QUIT\r\n");
  }

  @Test
  void a_relay_on_loopback_may_take_the_password_in_clear() {
    ScriptedPeer wire = ScriptedPeer.greeting("220 relay.test ESMTP")
        .on(EHLO, "250-relay.test", "250 AUTH PLAIN")
        .on(PLAIN, "235 2.7.0 Ok");
    assertThat(open(wire, "127.0.0.1", TlsPolicy.NONE, LOGIN)).isInstanceOf(Connected.class);
    assertThat(wire.scriptDone()).isTrue();
  }

  @Test
  void a_server_without_plain_or_login_is_not_sent_anything() {
    ScriptedPeer noAuth = starttlsThenAuth("250 8BITMIME").on("QUIT", "221 Bye");
    NotConnected failed = (NotConnected) open(noAuth, "192.0.2.25", TlsPolicy.REQUIRED, LOGIN);
    assertThat(failed.failure()).isEqualTo(Failure.AUTH_UNAVAILABLE);
    assertThat(failed.reason()).isEqualTo("relay.test[192.0.2.25]:587 offers no AUTH, and this delivery server has a user name and password");

    ScriptedPeer otherMechanisms = starttlsThenAuth("250 AUTH CRAM-MD5 XOAUTH2").on("QUIT", "221 Bye");
    failed = (NotConnected) open(otherMechanisms, "192.0.2.25", TlsPolicy.REQUIRED, LOGIN);
    assertThat(failed.reason()).isEqualTo(
        "relay.test[192.0.2.25]:587 offers AUTH CRAM-MD5 XOAUTH2, none of which Herald speaks (PLAIN, LOGIN)");
    assertThat(otherMechanisms.writes).noneMatch(w -> w.startsWith("AUTH"));
  }

  @Test
  void implicit_tls_greets_over_tls_without_starttls_and_authenticates() {
    ScriptedPeer wire = ScriptedPeer.greeting("220 relay.test ESMTP").overTls()
        .on(EHLO, "250-relay.test", "250-STARTTLS", "250 AUTH PLAIN")
        .on(PLAIN, "235 2.7.0 Ok");
    ConnectResult result = open(wire, "192.0.2.25", TlsPolicy.IMPLICIT, LOGIN);
    assertThat(result).isInstanceOf(Connected.class);
    assertThat(wire.writes).containsExactly(EHLO + "\r\n", PLAIN + "\r\n"); // no STARTTLS inside TLS
  }

  @Test
  void without_credentials_nothing_changes() {
    ScriptedPeer wire = ScriptedPeer.greeting("220 relay.test ESMTP").on(EHLO, "250-relay.test", "250 AUTH PLAIN");
    assertThat(open(wire, "192.0.2.25", TlsPolicy.NONE, null)).isInstanceOf(Connected.class);
    assertThat(wire.writes).containsExactly(EHLO + "\r\n");
  }

  @Test
  void credentials_never_show_the_password_and_refuse_line_breaks() {
    assertThat(LOGIN.toString()).isEqualTo("Credentials[user=ann@relay.test, password=(hidden)]");
    assertThat(new SmtpPeer("relay.test", new InetSocketAddress("192.0.2.25", 587), TlsPolicy.REQUIRED, 1, LOGIN)
        .toString()).doesNotContain("s3cret");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Credentials("ann", "a\r\nRSET"))
        .isInstanceOf(IllegalArgumentException.class);
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Credentials("", "x"))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(List.of(TlsPolicy.IMPLICIT, TlsPolicy.IMPLICIT_VERIFIED)).allMatch(TlsPolicy::implicit);
  }
}
