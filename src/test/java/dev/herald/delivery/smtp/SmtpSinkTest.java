package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.smtp.ConnectResult.Connected;
import dev.herald.delivery.smtp.ConnectResult.Failure;
import dev.herald.delivery.smtp.ConnectResult.NotConnected;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import dev.herald.delivery.smtp.RecipientResult.Deferred;
import dev.herald.delivery.smtp.RecipientResult.Rejected;
import dev.herald.testsupport.SmtpSink;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client against a real SMTP server: Postfix's smtp-sink on loopback, with its fault injection. */
class SmtpSinkTest {
  static final SmtpClient CLIENT = new SmtpClient(SmtpClient.Timeouts.all(Duration.ofSeconds(10)));
  static final Egress EGRESS = new Egress(null, "mta1.herald.test");

  @TempDir Path dumps;

  static byte[] message(int n) {
    return ("From: news@herald.test\r\nTo: list@example.net\r\nSubject: message " + n + "\r\n\r\n"
            + "Line one.\r\n.A line that starts with a dot\r\n..and one with two\r\n.\r\nlast line\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  static Envelope envelope(int n, int recipients) {
    List<String> to = new ArrayList<>();
    for (int r = 0; r < recipients; r++) {
      to.add("user" + n + "." + r + "@example.net");
    }
    return new Envelope("bounce+" + n + "@b.herald.test", to);
  }

  static SmtpConnection connect(SmtpSink sink, int maxMessages) {
    return connect(CLIENT, sink, maxMessages, EGRESS);
  }

  static SmtpConnection connect(SmtpClient client, SmtpSink sink, int maxMessages, Egress egress) {
    ConnectResult result = client.connect(new SmtpPeer("sink.test", sink.address, TlsPolicy.OPPORTUNISTIC, maxMessages), egress);
    assertThat(result).isInstanceOf(Connected.class);
    return ((Connected) result).connection();
  }

  @Test
  void many_messages_go_pipelined_over_few_connections() throws Exception {
    int messages = 250;
    List<RecipientResult> results = new ArrayList<>();
    int connections = 0;
    try (SmtpSink sink = SmtpSink.start(dumps)) {
      int n = 0;
      while (n < messages) {
        try (SmtpConnection connection = connect(sink, 100)) {
          connections++;
          assertThat(connection.capabilities().pipelining()).isTrue();
          while (connection.canSend() && n < messages) {
            results.addAll(connection.send(envelope(n, 2), message(n)));
            n++;
          }
        }
      }
      assertThat(connections).isEqualTo(3);
      assertThat(results).hasSize(2 * messages).allSatisfy(r -> {
        assertThat(r).isInstanceOf(Accepted.class);
        assertThat(r.reply().toString()).startsWith("250 2.0.0 Ok");
      });
      List<String> captured = sink.messages(messages);
      assertThat(captured).hasSize(messages);
      String first = captured.stream().filter(m -> m.contains("Subject: message 0\n")).findFirst().orElseThrow();
      assertThat(first)
          .contains("X-Helo-Args: mta1.herald.test\n")
          // smtp-sink offers DSN: failure and delay reports, headers only, each recipient's original address
          .contains("X-Mail-Args: <bounce+0@b.herald.test> RET=HDRS\n")
          .contains("X-Rcpt-Args: <user0.0@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;user0.0@example.net\n"
              + "X-Rcpt-Args: <user0.1@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;user0.1@example.net\n")
          // smtp-sink removes the stuffing: the lines arrive as written
          .endsWith("Line one.\n.A line that starts with a dot\n..and one with two\n.\nlast line\n\n");
    }
  }

  @Test
  void dsn_parameters_reach_a_sink_that_offers_dsn_and_none_go_to_one_that_does_not() throws Exception {
    Envelope envelope = new Envelope("bounce+7@b.herald.test", List.of("ann+x@example.net"), "m7+1@news.herald.test");
    try (SmtpSink sink = SmtpSink.start(dumps);
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.capabilities().dsn()).isTrue();
      assertThat(connection.send(envelope, message(7))).singleElement().isInstanceOf(Accepted.class);
      assertThat(sink.messages(1)).singleElement().asString()
          .contains("X-Mail-Args: <bounce+7@b.herald.test> RET=HDRS ENVID=m7+2B1@news.herald.test\n")
          .contains("X-Rcpt-Args: <ann+x@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;ann+2Bx@example.net\n");
    }
  }

  @Test
  void no_dsn_parameters_go_to_a_sink_without_dsn(@TempDir Path otherDumps) throws Exception {
    Envelope envelope = new Envelope("bounce+7@b.herald.test", List.of("ann@example.net"), "m7@news.herald.test");
    try (SmtpSink sink = SmtpSink.start(otherDumps, "-N");
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.capabilities().dsn()).isFalse();
      assertThat(connection.send(envelope, message(7))).singleElement().isInstanceOf(Accepted.class);
      assertThat(sink.messages(1)).singleElement().asString()
          .contains("X-Mail-Args: <bounce+7@b.herald.test>\n")
          .contains("X-Rcpt-Args: <ann@example.net>\n");
    }
  }

  @Test
  void without_pipelining_every_recipient_still_gets_its_reply() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps, "-p");
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.capabilities().pipelining()).isFalse();
      for (int n = 0; n < 20; n++) {
        assertThat(connection.send(envelope(n, 3), message(n))).hasSize(3).allSatisfy(r -> assertThat(r).isInstanceOf(Accepted.class));
      }
      assertThat(sink.messages(20)).hasSize(20);
    }
  }

  @Test
  void a_sink_deferring_every_rcpt_defers_every_recipient_and_gets_no_message() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps, "-r", "rcpt");
        SmtpConnection connection = connect(sink, 100)) {
      for (int n = 0; n < 3; n++) { // the connection stays usable, RSET between transactions
        assertThat(connection.send(envelope(n, 2), message(n))).allSatisfy(r -> {
          assertThat(r).isInstanceOf(Deferred.class);
          assertThat(r.reason()).isEqualTo("450 4.3.0 Error: command failed (in reply to RCPT TO)");
        });
      }
      assertThat(connection.canSend()).isTrue();
      assertThat(sink.messages(0)).isEmpty();
    }
  }

  @Test
  void a_sink_rejecting_every_rcpt_rejects_every_recipient() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps, "-f", "rcpt");
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.send(envelope(0, 3), message(0))).hasSize(3).allSatisfy(r -> {
        assertThat(r).isInstanceOf(Rejected.class);
        assertThat(r.reply().code()).isEqualTo(500);
        assertThat(r.reply().enhancedCode()).isEqualTo("5.3.0");
      });
      assertThat(sink.messages(0)).isEmpty();
    }
  }

  @Test
  void a_rejection_after_the_message_rejects_the_recipients_it_carried() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps, "-f", ".");
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.send(envelope(0, 2), message(0))).allSatisfy(r -> {
        assertThat(r).isInstanceOf(Rejected.class);
        assertThat(r.reason()).isEqualTo("500 5.3.0 Error: command failed (in reply to end of data)");
      });
      assertThat(connection.canSend()).isTrue();
    }
  }

  @Test
  void a_deferral_after_the_message_defers_the_recipients_it_carried() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps, "-r", ".");
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.send(envelope(0, 2), message(0))).allSatisfy(r -> {
        assertThat(r).isInstanceOf(Deferred.class);
        assertThat(r.reason()).isEqualTo("450 4.3.0 Error: command failed (in reply to end of data)");
      });
    }
  }

  @Test
  void a_disconnect_after_the_message_defers_its_recipients_and_ends_the_connection() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps, "-q", ".");
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.send(envelope(0, 2), message(0))).allSatisfy(r -> {
        assertThat(r).isInstanceOf(Deferred.class);
        assertThat(r.reply()).isNull();
        assertThat(r.reason()).isEqualTo("sink.test[127.0.0.1]:" + sink.address.getPort()
            + " closed the connection before its reply to end of data");
      });
      assertThat(connection.canSend()).isFalse();
    }
  }

  @Test
  void a_421_on_rcpt_defers_every_recipient_and_ends_the_connection() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps, "-Q", "rcpt");
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.send(envelope(0, 3), message(0))).hasSize(3).allSatisfy(r -> {
        assertThat(r).isInstanceOf(Deferred.class);
        assertThat(r.reply().code()).isEqualTo(421);
      });
      assertThat(connection.canSend()).isFalse();
      assertThat(sink.messages(0)).isEmpty();
    }
  }

  @Test
  void a_refused_mail_from_decides_every_recipient_without_pipelining() throws Exception {
    try (SmtpSink sink = SmtpSink.start(dumps, "-r", "mail");
        SmtpConnection connection = connect(sink, 100)) {
      assertThat(connection.send(envelope(0, 2), message(0))).allSatisfy(r -> {
        assertThat(r).isInstanceOf(Deferred.class);
        assertThat(r.reason()).endsWith("(in reply to MAIL FROM)");
      });
    }
  }

  @Test
  void a_sink_too_slow_to_answer_the_end_of_data_is_deferred_after_the_timeout() throws Exception {
    SmtpClient impatient = new SmtpClient(new SmtpClient.Timeouts(
        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofMillis(300)));
    try (SmtpSink sink = SmtpSink.start(dumps, "-W", ".:2");
        SmtpConnection connection = connect(impatient, sink, 100, EGRESS)) {
      RecipientResult result = connection.send(envelope(0, 1), message(0)).getFirst();
      assertThat(result).isInstanceOf(Deferred.class);
      assertThat(result.reason()).endsWith(" to end of data within 300 ms");
      assertThat(connection.canSend()).isFalse();
    }
  }

  @Test
  void a_silent_server_is_lost_after_the_greeting_timeout() throws Exception {
    SmtpClient impatient = new SmtpClient(new SmtpClient.Timeouts(
        Duration.ofSeconds(5), Duration.ofMillis(300), Duration.ofSeconds(5), Duration.ofSeconds(5),
        Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5)));
    try (SmtpSink sink = SmtpSink.start(dumps, "-W", "connect:2")) {
      ConnectResult result = impatient.connect(SmtpPeer.mx("sink.test", sink.address), EGRESS);
      assertThat(result).isInstanceOfSatisfying(NotConnected.class, failed -> {
        assertThat(failed.failure()).isEqualTo(Failure.LOST);
        assertThat(failed.reason()).endsWith(" to the greeting within 300 ms");
      });
    }
  }

  @Test
  void a_connection_leaves_from_the_egress_source_address() throws Exception {
    Egress pool = new Egress(InetAddress.getByName("127.0.0.2"), "mta2.herald.test");
    try (SmtpSink sink = SmtpSink.start(dumps)) {
      try (SmtpConnection connection = connect(CLIENT, sink, 100, pool)) {
        assertThat(connection.send(envelope(0, 1), message(0))).singleElement().isInstanceOf(Accepted.class);
      }
      assertThat(sink.messages(1)).singleElement().asString()
          .contains("X-Client-Addr: 127.0.0.2\n")
          .contains("X-Helo-Args: mta2.herald.test\n");
    }
  }

  @Test
  void nobody_listening_is_unreachable() throws Exception {
    java.net.InetSocketAddress closed;
    try (java.net.ServerSocket probe = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closed = new java.net.InetSocketAddress("127.0.0.1", probe.getLocalPort());
    }
    ConnectResult result = CLIENT.connect(SmtpPeer.mx("nobody.test", closed), EGRESS);
    assertThat(result).isInstanceOfSatisfying(NotConnected.class, failed -> {
      assertThat(failed.failure()).isEqualTo(Failure.UNREACHABLE);
      assertThat(failed.reason()).startsWith("cannot connect to nobody.test[127.0.0.1]:" + closed.getPort());
    });
  }
}
