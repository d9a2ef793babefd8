package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.delivery.smtp.ConnectResult.Connected;
import dev.herald.delivery.smtp.ConnectResult.Failure;
import dev.herald.delivery.smtp.ConnectResult.NotConnected;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import dev.herald.delivery.smtp.RecipientResult.Deferred;
import dev.herald.delivery.smtp.RecipientResult.Rejected;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SMTP dialogue against scripted replies, without a socket: exactly what is written, and when. */
class SmtpDialogueTest {
  /** Distinct values, so a test can tell which timeout the client waited with. */
  static final SmtpClient.Timeouts TIMEOUTS =
      new SmtpClient.Timeouts(
          Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(3), Duration.ofSeconds(4),
          Duration.ofSeconds(5), Duration.ofSeconds(6), Duration.ofSeconds(7), Duration.ofMinutes(10));

  static final String EHLO = "EHLO mta1.herald.test";
  static final String[] PIPELINING_EHLO = {
    "250-mx.example.net greets you", "250-PIPELINING", "250-8BITMIME", "250-ENHANCEDSTATUSCODES", "250 SIZE 100000"
  };
  static final String[] PLAIN_EHLO = {"250-mx.example.net", "250 8BITMIME"};
  static final byte[] MESSAGE = "Subject: hi\r\n\r\nHello.\r\n".getBytes(StandardCharsets.UTF_8);
  static final String MESSAGE_SIZE = " SIZE=" + MESSAGE.length;

  static ScriptedPeer server(String... ehlo) {
    return ScriptedPeer.greeting("220 mx.example.net ESMTP").on(EHLO, ehlo);
  }

  static SmtpConnection connect(ScriptedPeer wire) {
    return connect(wire, TlsPolicy.OPPORTUNISTIC, 100);
  }

  static SmtpConnection connect(ScriptedPeer wire, TlsPolicy tls, int maxMessages) {
    ConnectResult result = open(wire, tls, maxMessages);
    assertThat(result).isInstanceOf(Connected.class);
    return ((Connected) result).connection();
  }

  static ConnectResult open(ScriptedPeer wire, TlsPolicy tls, int maxMessages) {
    SmtpPeer peer = new SmtpPeer("mx.example.net", new InetSocketAddress("127.0.0.1", 25), tls, maxMessages);
    return SmtpConnection.open(wire, peer, new Egress(null, "mta1.herald.test"), TIMEOUTS);
  }

  static Envelope envelope(String... recipients) {
    return new Envelope("bounce+1@b.herald.test", List.of(recipients));
  }

  // ---- pipelining ------------------------------------------------------------------------------

  @Test
  void pipelining_sends_mail_every_rcpt_and_data_in_one_write_then_the_message() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .on("RCPT TO:<bob@example.net>", "250 2.1.5 Ok")
        .on("DATA", "354 End data with <CR><LF>.<CR><LF>")
        .on(".", "250 2.0.0 Ok: queued as 4XyZ")
        .on("QUIT", "221 2.0.0 Bye");
    try (SmtpConnection connection = connect(wire)) {
      List<RecipientResult> results = connection.send(envelope("ann@example.net", "bob@example.net"), MESSAGE);
      assertThat(results).allSatisfy(r -> {
        assertThat(r).isInstanceOf(Accepted.class);
        assertThat(r.reason()).isEqualTo("250 2.0.0 Ok: queued as 4XyZ");
      });
      assertThat(results).extracting(RecipientResult::recipient).containsExactly("ann@example.net", "bob@example.net");
    }
    assertThat(wire.writes).containsExactly(
        EHLO + "\r\n",
        "MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE + "\r\n"
            + "RCPT TO:<ann@example.net>\r\n"
            + "RCPT TO:<bob@example.net>\r\n"
            + "DATA\r\n",
        "Subject: hi\r\n\r\nHello.\r\n.\r\n",
        "QUIT\r\n");
    // greeting, 5 EHLO lines, MAIL, 2 RCPT, DATA, end of data, QUIT: each with its RFC 5321 timeout
    assertThat(wire.readTimeouts).containsExactly(
        TIMEOUTS.greeting(),
        TIMEOUTS.command(), TIMEOUTS.command(), TIMEOUTS.command(), TIMEOUTS.command(), TIMEOUTS.command(),
        TIMEOUTS.mail(), TIMEOUTS.rcpt(), TIMEOUTS.rcpt(), TIMEOUTS.dataInit(), TIMEOUTS.dataTermination(),
        TIMEOUTS.command());
    assertThat(wire.writeTimeouts.get(2)).isEqualTo(TIMEOUTS.dataBlock());
    assertThat(wire.closed).isTrue();
    assertThat(wire.scriptDone()).isTrue();
  }

  @Test
  void mixed_rcpt_replies_give_each_recipient_its_own_result_and_the_final_reply_only_to_the_accepted() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .on("RCPT TO:<gone@example.net>", "550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown")
        .on("RCPT TO:<full@example.net>", "452 4.2.2 Mailbox full")
        .on("RCPT TO:<many@example.net>", "552 5.5.3 Too many recipients")
        .on("RCPT TO:<cat@example.net>", "250 2.1.5 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 2.0.0 Ok: queued");
    SmtpConnection connection = connect(wire);
    List<RecipientResult> results = connection.send(
        envelope("ann@example.net", "gone@example.net", "full@example.net", "many@example.net", "cat@example.net"),
        MESSAGE);

    assertThat(results.get(0)).isInstanceOf(Accepted.class);
    assertThat(results.get(1)).isInstanceOf(Rejected.class);
    assertThat(results.get(1).reply().code()).isEqualTo(550);
    assertThat(results.get(1).reply().enhancedCode()).isEqualTo("5.1.1");
    assertThat(results.get(1).reason())
        .isEqualTo("550 5.1.1 <gone@example.net>: Recipient address rejected: User unknown (in reply to RCPT TO)");
    assertThat(results.get(2)).isInstanceOf(Deferred.class);
    assertThat(results.get(2).reply().enhancedCode()).isEqualTo("4.2.2");
    // RFC 5321 §4.5.3.1.10: "too many recipients" as 552 is temporary; the recipient goes later
    assertThat(results.get(3)).isInstanceOf(Deferred.class);
    assertThat(results.get(4)).isInstanceOf(Accepted.class);
    assertThat(wire.messages).hasSize(1);
    assertThat(connection.canSend()).isTrue();
  }

  @Test
  void when_every_rcpt_fails_no_message_is_sent_and_the_next_transaction_starts_with_rset() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<gone@example.net>", "550 5.1.1 User unknown")
        .on("RCPT TO:<full@example.net>", "450 4.2.0 Try later")
        .on("DATA", "554 5.5.1 Error: no valid recipients")
        .on("RSET", "250 2.0.0 Ok")
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 2.0.0 Ok");
    SmtpConnection connection = connect(wire);

    List<RecipientResult> failed = connection.send(envelope("gone@example.net", "full@example.net"), MESSAGE);
    assertThat(failed.get(0)).isInstanceOf(Rejected.class);
    assertThat(failed.get(0).reason()).isEqualTo("550 5.1.1 User unknown (in reply to RCPT TO)");
    assertThat(failed.get(1)).isInstanceOf(Deferred.class);
    assertThat(wire.messages).isEmpty();

    assertThat(connection.send(envelope("ann@example.net"), MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    assertThat(wire.writes.get(2)).startsWith("RSET\r\nMAIL FROM:");
    assertThat(wire.messages).hasSize(1);
  }

  @Test
  void a_354_after_every_rcpt_failed_gets_an_empty_message_not_the_body() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<gone@example.net>", "550 5.1.1 User unknown")
        .on("DATA", "354 go ahead")
        .on(".", "554 5.5.1 no valid recipients");
    SmtpConnection connection = connect(wire);
    assertThat(connection.send(envelope("gone@example.net"), MESSAGE)).singleElement().isInstanceOf(Rejected.class);
    assertThat(wire.writes.getLast()).isEqualTo(".\r\n");
    assertThat(wire.messages).containsExactly("");
  }

  @Test
  void a_refused_mail_from_decides_every_recipient_and_the_pipelined_rcpt_errors_are_ignored() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "553 5.7.1 Sender address rejected")
        .on("RCPT TO:<ann@example.net>", "503 5.5.1 Error: need MAIL command")
        .on("RCPT TO:<bob@example.net>", "503 5.5.1 Error: need MAIL command")
        .on("DATA", "503 5.5.1 Error: need RCPT command");
    SmtpConnection connection = connect(wire);
    List<RecipientResult> results = connection.send(envelope("ann@example.net", "bob@example.net"), MESSAGE);
    assertThat(results).allSatisfy(r -> {
      assertThat(r).isInstanceOf(Rejected.class);
      assertThat(r.reason()).isEqualTo("553 5.7.1 Sender address rejected (in reply to MAIL FROM)");
    });
    assertThat(wire.scriptDone()).isTrue();
  }

  // ---- without pipelining ------------------------------------------------------------------------

  @Test
  void without_pipelining_each_command_waits_for_its_reply_and_a_refused_rcpt_does_not_stop_the_rest() {
    ScriptedPeer wire = server(PLAIN_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>", "250 Ok")
        .on("RCPT TO:<gone@example.net>", "550 5.1.1 User unknown")
        .on("RCPT TO:<ann@example.net>", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    List<RecipientResult> results = connection.send(envelope("gone@example.net", "ann@example.net"), MESSAGE);
    assertThat(results.get(0)).isInstanceOf(Rejected.class);
    assertThat(results.get(1)).isInstanceOf(Accepted.class);
    assertThat(wire.writes).containsExactly(
        EHLO + "\r\n",
        "MAIL FROM:<bounce+1@b.herald.test>\r\n",
        "RCPT TO:<gone@example.net>\r\n",
        "RCPT TO:<ann@example.net>\r\n",
        "DATA\r\n",
        "Subject: hi\r\n\r\nHello.\r\n.\r\n");
  }

  @Test
  void without_pipelining_every_rcpt_failing_sends_no_data_and_rset_comes_before_the_next_mail() {
    ScriptedPeer wire = server(PLAIN_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>", "250 Ok")
        .on("RCPT TO:<gone@example.net>", "550 5.1.1 User unknown")
        .on("RSET", "250 Ok")
        .on("MAIL FROM:<bounce+1@b.herald.test>", "250 Ok")
        .on("RCPT TO:<ann@example.net>", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    assertThat(connection.send(envelope("gone@example.net"), MESSAGE)).singleElement().isInstanceOf(Rejected.class);
    assertThat(wire.writes).doesNotContain("DATA\r\n");
    assertThat(connection.send(envelope("ann@example.net"), MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    assertThat(wire.writes.get(3)).isEqualTo("RSET\r\n");
  }

  @Test
  void a_permanent_ehlo_refusal_falls_back_to_helo_without_extensions() {
    ScriptedPeer wire = ScriptedPeer.greeting("220 old.example.net")
        .on(EHLO, "502 5.5.2 Error: command not recognized")
        .on("HELO mta1.herald.test", "250 old.example.net")
        .on("MAIL FROM:<bounce+1@b.herald.test>", "250 Ok")
        .on("RCPT TO:<ann@example.net>", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    assertThat(connection.send(envelope("ann@example.net"), MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    assertThat(wire.writes.get(2)).isEqualTo("MAIL FROM:<bounce+1@b.herald.test>\r\n"); // no SIZE, one command
  }

  @Test
  void a_temporary_ehlo_refusal_is_refused_without_trying_helo() {
    ScriptedPeer wire = ScriptedPeer.greeting("220 mx.example.net")
        .on(EHLO, "450 4.7.1 Client host rejected: cannot find your hostname")
        .on("QUIT", "221 Bye");
    NotConnected result = (NotConnected) open(wire, TlsPolicy.OPPORTUNISTIC, 100);
    assertThat(result.failure()).isEqualTo(Failure.REFUSED);
    assertThat(result.reply().code()).isEqualTo(450);
    assertThat(wire.writes).containsExactly(EHLO + "\r\n", "QUIT\r\n");
  }

  @Test
  void a_421_to_the_rset_before_a_transaction_defers_it_whole() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<gone@example.net>", "550 5.1.1 User unknown")
        .on("DATA", "554 5.5.1 Error: no valid recipients")
        .on("RSET", "421 4.3.2 Shutting down")
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE)
        .on("RCPT TO:<ann@example.net>")
        .on("DATA");
    SmtpConnection connection = connect(wire);
    connection.send(envelope("gone@example.net"), MESSAGE);
    RecipientResult result = connection.send(envelope("ann@example.net"), MESSAGE).getFirst();
    assertThat(result).isInstanceOf(Deferred.class);
    assertThat(result.reason()).isEqualTo("421 4.3.2 Shutting down (in reply to RSET)");
    assertThat(connection.canSend()).isFalse();
  }

  @Test
  void an_8bit_message_to_a_server_without_8bitmime_goes_without_the_body_parameter() {
    byte[] message = "Subject: x\r\n\r\nGrüße\r\n".getBytes(StandardCharsets.UTF_8);
    ScriptedPeer wire = server("250-mx.example.net", "250 PIPELINING")
        .on("MAIL FROM:<bounce+1@b.herald.test>", "250 Ok")
        .on("RCPT TO:<ann@example.net>", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    assertThat(connect(wire).send(envelope("ann@example.net"), message)).singleElement().isInstanceOf(Accepted.class);
  }

  // ---- capabilities and replies -----------------------------------------------------------------

  @Test
  void a_multi_line_ehlo_reply_is_read_whole_and_its_keywords_parsed() {
    ScriptedPeer wire = server(
        "250-mx.example.net Hello [192.0.2.1]",
        "250-SIZE 35882577",
        "250-8BITMIME",
        "250-STARTTLS",
        "250-ENHANCEDSTATUSCODES",
        "250-PIPELINING",
        "250-DSN",
        "250-CHUNKING",
        "250 SMTPUTF8")
        .on("STARTTLS", "454 4.7.0 TLS not available due to local problem");
    SmtpConnection connection = connect(wire);
    Capabilities caps = capabilities(connection);
    assertThat(caps).isEqualTo(new Capabilities(true, true, true, true, true, true, 35882577, true, true, java.util.List.of()));
    assertThat(connection.encrypted()).isFalse(); // opportunistic: STARTTLS refused, the session goes on in clear
    assertThat(connection.canSend()).isTrue();
  }

  @Test
  void an_empty_last_ehlo_line_and_size_without_a_number_mean_no_limit() {
    ScriptedPeer wire = server("250-smtp-sink", "250-PIPELINING", "250-SIZE", "250 ");
    Capabilities caps = capabilities(connect(wire));
    assertThat(caps.pipelining()).isTrue();
    assertThat(caps.size()).isTrue();
    assertThat(caps.sizeLimit()).isZero();
  }

  // ---- the session ends -------------------------------------------------------------------------

  @Test
  void a_421_mid_session_ends_the_connection_and_defers_every_open_recipient() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<gone@example.net>", "550 5.1.1 User unknown")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .on("RCPT TO:<bob@example.net>", "421 4.7.0 mx.example.net Error: too many errors, closing")
        .on("RCPT TO:<cat@example.net>")
        .on("DATA");
    SmtpConnection connection = connect(wire);
    List<RecipientResult> results =
        connection.send(envelope("gone@example.net", "ann@example.net", "bob@example.net", "cat@example.net"), MESSAGE);

    assertThat(results.get(0)).isInstanceOf(Rejected.class); // its own reply came before the 421
    assertThat(results.subList(1, 4)).allSatisfy(r -> {
      assertThat(r).isInstanceOf(Deferred.class);
      assertThat(r.reply().code()).isEqualTo(421);
      assertThat(r.reason()).isEqualTo("421 4.7.0 mx.example.net Error: too many errors, closing (in reply to RCPT TO)");
    });
    assertThat(connection.canSend()).isFalse();
    assertThat(wire.closed).isTrue();
    connection.close();
    assertThat(wire.writes).noneMatch(w -> w.startsWith("QUIT"));
    assertThatThrownBy(() -> connection.send(envelope("ann@example.net"), MESSAGE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void a_disconnect_after_the_message_defers_the_recipients_it_carried() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .on("RCPT TO:<gone@example.net>", "550 5.1.1 User unknown")
        .on("DATA", "354 go ahead")
        .dropOn(".");
    SmtpConnection connection = connect(wire);
    List<RecipientResult> results = connection.send(envelope("ann@example.net", "gone@example.net"), MESSAGE);
    assertThat(results.get(0)).isInstanceOf(Deferred.class);
    assertThat(results.get(0).reply()).isNull();
    assertThat(results.get(0).reason())
        .isEqualTo("mx.example.net[127.0.0.1]:25 closed the connection before its reply to end of data");
    assertThat(results.get(1)).isInstanceOf(Rejected.class);
    assertThat(wire.messages).hasSize(1);
    assertThat(connection.canSend()).isFalse();
  }

  @Test
  void a_disconnect_on_data_defers_the_accepted_recipients() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .dropOn("DATA");
    SmtpConnection connection = connect(wire);
    RecipientResult result = connection.send(envelope("ann@example.net"), MESSAGE).getFirst();
    assertThat(result).isInstanceOf(Deferred.class);
    assertThat(result.reason()).contains("closed the connection before its reply to DATA");
    assertThat(wire.messages).isEmpty();
  }

  @Test
  void no_reply_to_the_end_of_data_within_its_timeout_defers_and_closes() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .on("DATA", "354 go ahead")
        .stallOn(".");
    SmtpConnection connection = connect(wire);
    RecipientResult result = connection.send(envelope("ann@example.net"), MESSAGE).getFirst();
    assertThat(result).isInstanceOf(Deferred.class);
    assertThat(result.reason()).isEqualTo("no reply from mx.example.net[127.0.0.1]:25 to end of data within 10 min");
    assertThat(wire.readTimeouts.getLast()).isEqualTo(TIMEOUTS.dataTermination());
    assertThat(wire.closed).isTrue();
    assertThat(connection.canSend()).isFalse();
  }

  @Test
  void a_server_that_stops_reading_the_message_defers_it_after_the_data_block_timeout() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 2.1.0 Ok")
        .on("RCPT TO:<ann@example.net>", "250 2.1.5 Ok")
        .stopReadingAfter("DATA", "354 go ahead");
    SmtpConnection connection = connect(wire);
    RecipientResult result = connection.send(envelope("ann@example.net"), MESSAGE).getFirst();
    assertThat(result).isInstanceOf(Deferred.class);
    assertThat(result.reason()).isEqualTo("timed out after 7 s sending the message to mx.example.net[127.0.0.1]:25");
    assertThat(connection.canSend()).isFalse();
  }

  // ---- refused before sending ---------------------------------------------------------------------

  @Test
  void a_message_over_the_servers_size_is_refused_without_sending_anything() {
    ScriptedPeer wire = server("250-mx.example.net", "250-PIPELINING", "250 SIZE 10");
    SmtpConnection connection = connect(wire);
    RecipientResult result = connection.send(envelope("ann@example.net"), MESSAGE).getFirst();
    assertThat(result).isInstanceOf(Rejected.class);
    assertThat(result.reply()).isNull();
    assertThat(result.reason())
        .isEqualTo("the message is " + MESSAGE.length + " bytes, more than the 10 bytes mx.example.net accepts (its SIZE)");
    assertThat(wire.writes).containsExactly(EHLO + "\r\n");
    assertThat(connection.canSend()).isTrue();
  }

  @Test
  void an_address_needing_smtputf8_is_refused_permanently_when_the_server_lacks_it() {
    ScriptedPeer wire = server(PIPELINING_EHLO);
    SmtpConnection connection = connect(wire);
    RecipientResult result = connection.send(envelope("jürgen@example.net"), MESSAGE).getFirst();
    assertThat(result).isInstanceOf(Rejected.class);
    assertThat(result.reason()).isEqualTo("an address needs SMTPUTF8 (it is not ASCII) and mx.example.net does not offer it");
    assertThat(wire.writes).containsExactly(EHLO + "\r\n");
  }

  @Test
  void smtputf8_and_8bitmime_go_on_mail_from_when_needed_and_offered() {
    byte[] message = "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nGrüße\r\n".getBytes(StandardCharsets.UTF_8);
    ScriptedPeer wire = server("250-mx.example.net", "250-PIPELINING", "250-8BITMIME", "250 SMTPUTF8")
        .on("MAIL FROM:<bounce+1@b.herald.test> BODY=8BITMIME SMTPUTF8", "250 Ok")
        .on("RCPT TO:<jürgen@example.net>", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    assertThat(connection.send(envelope("jürgen@example.net"), message)).singleElement().isInstanceOf(Accepted.class);
    assertThat(wire.messages).containsExactly("Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\n\r\nGrüße\r\n");
  }

  // ---- delivery status notifications (RFC 3461) ----------------------------------------------------

  @Test
  void with_dsn_offered_mail_asks_for_headers_only_with_the_envelope_id_and_each_rcpt_for_failure_and_delay() {
    ScriptedPeer wire = server("250-mx.example.net", "250-PIPELINING", "250-DSN", "250 SIZE 100000")
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE + " RET=HDRS ENVID=abc+2B1+3Dx@news.example", "250 Ok")
        .on("RCPT TO:<ann+news@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;ann+2Bnews@example.net", "250 Ok")
        .on("RCPT TO:<bob@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.net", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    Envelope envelope = new Envelope("bounce+1@b.herald.test", List.of("ann+news@example.net", "bob@example.net"), "abc+1=x@news.example");
    assertThat(connection.send(envelope, MESSAGE)).allSatisfy(r -> assertThat(r).isInstanceOf(Accepted.class));
    assertThat(wire.writes.get(1)).isEqualTo(
        "MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE + " RET=HDRS ENVID=abc+2B1+3Dx@news.example\r\n"
            + "RCPT TO:<ann+news@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;ann+2Bnews@example.net\r\n"
            + "RCPT TO:<bob@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;bob@example.net\r\n"
            + "DATA\r\n");
  }

  @Test
  void with_dsn_and_without_pipelining_each_command_carries_its_parameters_and_no_envelope_id_means_no_envid() {
    ScriptedPeer wire = server("250-mx.example.net", "250 DSN")
        .on("MAIL FROM:<bounce+1@b.herald.test> RET=HDRS", "250 Ok")
        .on("RCPT TO:<ann@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;ann@example.net", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    assertThat(connection.send(envelope("ann@example.net"), MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    assertThat(wire.writes).containsExactly(
        EHLO + "\r\n",
        "MAIL FROM:<bounce+1@b.herald.test> RET=HDRS\r\n",
        "RCPT TO:<ann@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;ann@example.net\r\n",
        "DATA\r\n",
        "Subject: hi\r\n\r\nHello.\r\n.\r\n");
  }

  @Test
  void without_dsn_offered_no_dsn_parameter_is_sent_even_with_an_envelope_id() {
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 Ok")
        .on("RCPT TO:<ann@example.net>", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    Envelope envelope = new Envelope("bounce+1@b.herald.test", List.of("ann@example.net"), "id1@news.example");
    assertThat(connection.send(envelope, MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    assertThat(wire.writes.get(1)).isEqualTo("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE + "\r\n"
        + "RCPT TO:<ann@example.net>\r\nDATA\r\n");
  }

  @Test
  void a_utf8_recipient_gets_rfc_6533s_orcpt_and_an_envelope_id_over_100_characters_is_left_out() {
    String longId = "x".repeat(90) + "@news.example";
    ScriptedPeer wire = server("250-mx.example.net", "250-PIPELINING", "250-SMTPUTF8", "250 DSN")
        .on("MAIL FROM:<bounce+1@b.herald.test> SMTPUTF8 RET=HDRS", "250 Ok")
        .on("RCPT TO:<jürgen+a=b@example.net> NOTIFY=FAILURE,DELAY ORCPT=utf-8;j\\x{FC}rgen\\x{2B}a\\x{3D}b@example.net", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    Envelope envelope = new Envelope("bounce+1@b.herald.test", List.of("jürgen+a=b@example.net"), longId);
    assertThat(connection.send(envelope, MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    assertThat(wire.scriptDone()).isTrue(); // every command matched the script exactly: no ENVID on MAIL
  }

  @Test
  void xtext_writes_plus_equals_and_anything_outside_printable_ascii_as_hex() {
    assertThat(Dsn.xtext("a+b=c!~")).isEqualTo("a+2Bb+3Dc!~");
    assertThat(Dsn.xtext("a b")).isEqualTo("a+20b");
    assertThat(Dsn.orcpt("ann@example.net")).isEqualTo("rfc822;ann@example.net");
    assertThat(Dsn.orcpt("ö\\@例え.jp")).isEqualTo("utf-8;\\x{F6}\\x{5C}@\\x{4F8B}\\x{3048}.jp");
    assertThatThrownBy(() -> new Envelope("a@b.example", List.of("x@y.example"), "id with space"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  // ---- the message --------------------------------------------------------------------------------

  @Test
  void leading_dots_are_stuffed_and_every_line_ending_becomes_crlf() {
    byte[] message = "Subject: dots\n\n.leading dot\r\n..two dots\rbare CR\nmiddle . dot\n.\r\nend"
        .getBytes(StandardCharsets.UTF_8);
    ScriptedPeer wire = server(PIPELINING_EHLO)
        .on("MAIL FROM:<bounce+1@b.herald.test> SIZE=74", "250 Ok")
        .on("RCPT TO:<ann@example.net>", "250 Ok")
        .on("DATA", "354 go ahead")
        .on(".", "250 Ok");
    SmtpConnection connection = connect(wire);
    assertThat(connection.send(envelope("ann@example.net"), message)).singleElement().isInstanceOf(Accepted.class);
    // the lone "." line (an SMTP smuggling attempt when written \n.\r\n) goes as "..", not as an end of data
    assertThat(wire.writes.get(2)).isEqualTo(
        "Subject: dots\r\n\r\n..leading dot\r\n...two dots\r\nbare CR\r\nmiddle . dot\r\n..\r\nend\r\n.\r\n");
  }

  // ---- connection reuse ---------------------------------------------------------------------------

  @Test
  void a_connection_carries_messages_up_to_its_cap() {
    ScriptedPeer wire = server(PIPELINING_EHLO);
    for (int i = 0; i < 2; i++) {
      wire.on("MAIL FROM:<bounce+1@b.herald.test>" + MESSAGE_SIZE, "250 Ok")
          .on("RCPT TO:<ann@example.net>", "250 Ok")
          .on("DATA", "354 go ahead")
          .on(".", "250 Ok");
    }
    wire.on("QUIT", "221 Bye");
    SmtpConnection connection = connect(wire, TlsPolicy.OPPORTUNISTIC, 2);
    assertThat(connection.send(envelope("ann@example.net"), MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    assertThat(connection.canSend()).isTrue();
    assertThat(connection.send(envelope("ann@example.net"), MESSAGE)).singleElement().isInstanceOf(Accepted.class);
    assertThat(connection.canSend()).isFalse();
    assertThatThrownBy(() -> connection.send(envelope("ann@example.net"), MESSAGE))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("has carried its 2 messages");
    connection.close();
    connection.close();
    assertThat(wire.writes.getLast()).isEqualTo("QUIT\r\n");
    assertThat(wire.scriptDone()).isTrue();
  }

  // ---- session setup ------------------------------------------------------------------------------

  @Test
  void a_554_greeting_is_refused_with_its_reply_and_quit() {
    ScriptedPeer wire = ScriptedPeer.greeting("554 5.7.1 mx.example.net: no SMTP service for you")
        .on("QUIT", "221 Bye");
    NotConnected result = (NotConnected) open(wire, TlsPolicy.OPPORTUNISTIC, 100);
    assertThat(result.failure()).isEqualTo(Failure.REFUSED);
    assertThat(result.reply().code()).isEqualTo(554);
    assertThat(result.reason()).isEqualTo(
        "mx.example.net[127.0.0.1]:25 refused the greeting: 554 5.7.1 mx.example.net: no SMTP service for you");
    assertThat(wire.closed).isTrue();
  }

  @Test
  void a_421_greeting_is_refused_without_quit() {
    ScriptedPeer wire = ScriptedPeer.greeting("421 4.3.2 Service not available, closing");
    NotConnected result = (NotConnected) open(wire, TlsPolicy.OPPORTUNISTIC, 100);
    assertThat(result.failure()).isEqualTo(Failure.REFUSED);
    assertThat(result.reply().code()).isEqualTo(421);
    assertThat(wire.writes).isEmpty();
  }

  @Test
  void no_greeting_within_its_timeout_is_a_lost_session() {
    ScriptedPeer wire = ScriptedPeer.greeting();
    wire.stallNow(); // connected, and not a word
    NotConnected result = (NotConnected) open(wire, TlsPolicy.OPPORTUNISTIC, 100);
    assertThat(result.failure()).isEqualTo(Failure.LOST);
    assertThat(result.reason()).isEqualTo("no reply from mx.example.net[127.0.0.1]:25 to the greeting within 2 s");
    assertThat(wire.readTimeouts).containsExactly(TIMEOUTS.greeting());
  }

  @Test
  void starttls_required_but_not_offered_fails_clearly_and_sends_no_mail() {
    ScriptedPeer wire = server(PIPELINING_EHLO).on("QUIT", "221 Bye");
    NotConnected result = (NotConnected) open(wire, TlsPolicy.REQUIRED, 100);
    assertThat(result.failure()).isEqualTo(Failure.TLS_UNAVAILABLE);
    assertThat(result.reason()).isEqualTo("the server does not offer STARTTLS, which the TLS policy REQUIRED requires");
    assertThat(result.retryInClear()).isFalse();
    assertThat(wire.writes).containsExactly(EHLO + "\r\n", "QUIT\r\n");
  }

  @Test
  void starttls_refused_under_a_required_policy_fails() {
    ScriptedPeer wire = server("250-mx.example.net", "250 STARTTLS")
        .on("STARTTLS", "454 4.7.0 TLS not available")
        .on("QUIT", "221 Bye");
    NotConnected result = (NotConnected) open(wire, TlsPolicy.VERIFIED, 100);
    assertThat(result.failure()).isEqualTo(Failure.TLS_UNAVAILABLE);
    assertThat(result.reply().code()).isEqualTo(454);
  }

  @Test
  void opportunistic_tls_is_used_when_offered_and_ehlo_is_said_again_over_it() {
    ScriptedPeer wire = server("250-mx.example.net", "250-STARTTLS", "250 8BITMIME")
        .on("STARTTLS", "220 2.0.0 Ready to start TLS")
        .tlsHandshake()
        .on(EHLO, "250-mx.example.net", "250-PIPELINING", "250 SIZE 1000");
    SmtpConnection connection = connect(wire);
    assertThat(connection.encrypted()).isTrue();
    assertThat(wire.tlsServerName).isEqualTo("mx.example.net");
    assertThat(wire.tlsVerify).isFalse();
    // what was said in clear is forgotten: the capabilities are the ones given over TLS
    assertThat(capabilities(connection)).isEqualTo(new Capabilities(true, true, false, false, false, true, 1000, false, false, java.util.List.of()));
  }

  @Test
  void a_failed_opportunistic_handshake_says_the_caller_may_retry_in_clear() {
    ScriptedPeer wire = server("250-mx.example.net", "250 STARTTLS")
        .on("STARTTLS", "220 2.0.0 Ready to start TLS")
        .tlsHandshakeFails();
    NotConnected result = (NotConnected) open(wire, TlsPolicy.OPPORTUNISTIC, 100);
    assertThat(result.failure()).isEqualTo(Failure.TLS_FAILED);
    assertThat(result.retryInClear()).isTrue();
    assertThat(result.reason()).isEqualTo("TLS handshake with mx.example.net[127.0.0.1]:25 failed: no cipher suites in common");
    assertThat(wire.closed).isTrue();
  }

  @Test
  void a_failed_verified_handshake_does_not_offer_a_retry_in_clear() {
    ScriptedPeer wire = server("250-mx.example.net", "250 STARTTLS")
        .on("STARTTLS", "220 2.0.0 Ready to start TLS")
        .tlsHandshakeFails();
    NotConnected result = (NotConnected) open(wire, TlsPolicy.VERIFIED, 100);
    assertThat(result.failure()).isEqualTo(Failure.TLS_FAILED);
    assertThat(result.retryInClear()).isFalse();
    assertThat(wire.tlsVerify).isTrue();
  }

  @Test
  void tls_policy_none_never_sends_starttls() {
    ScriptedPeer wire = server("250-mx.example.net", "250 STARTTLS");
    SmtpConnection connection = connect(wire, TlsPolicy.NONE, 100);
    assertThat(connection.encrypted()).isFalse();
    assertThat(wire.writes).containsExactly(EHLO + "\r\n");
  }

  private static Capabilities capabilities(SmtpConnection connection) {
    return connection.capabilities();
  }
}
