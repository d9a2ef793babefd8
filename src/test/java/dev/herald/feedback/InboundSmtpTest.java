package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Subscribers;
import dev.herald.delivery.BulkSends;
import dev.herald.domains.SendingDomains;
import dev.herald.messages.ReturnPath;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The inbound SMTP listener, spoken to over a real socket on loopback: Herald's signed return paths are accepted and
 * anything else refused at RCPT with 550 5.1.1; a DSN is acted on before the 250 (the suppression is there when the
 * client reads it); the List-Unsubscribe mailto unsubscribes; an oversized message gets 552.
 */
@SpringBootTest(properties = {"herald.roles=web,smtp", "herald.feedback.inbound-bind=127.0.0.1",
    "herald.feedback.inbound-max-message-size=64KB"})
@Import(TestOrganizations.class)
class InboundSmtpTest {
  static int port;

  @DynamicPropertySource
  static void port(DynamicPropertyRegistry registry) throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      port = probe.getLocalPort();
    }
    registry.add("herald.feedback.inbound-port", () -> port);
  }

  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulk;
  @Autowired Subscribers subscribers;
  @Autowired ReturnPath returnPath;
  @Autowired Suppressions suppressions;
  @Autowired InboundSmtp listener;

  /** A plain SMTP client: each command's full reply (multi-line replies joined). */
  static final class Client implements AutoCloseable {
    final Socket socket;
    final BufferedReader in;
    final OutputStream out;
    final String greeting;

    Client() throws Exception {
      socket = new Socket("127.0.0.1", port);
      socket.setSoTimeout(20_000);
      in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      out = socket.getOutputStream();
      greeting = reply();
    }

    String reply() throws Exception {
      StringBuilder all = new StringBuilder();
      String line;
      do {
        line = in.readLine();
        if (line == null) throw new AssertionError("connection closed after " + all);
        all.append(line).append('\n');
      } while (line.length() > 3 && line.charAt(3) == '-');
      return all.toString().strip();
    }

    String send(String command) throws Exception {
      out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return reply();
    }

    String data(byte[] message) throws Exception {
      assertThat(send("DATA")).startsWith("354");
      String text = new String(message, StandardCharsets.UTF_8).replace("\r\n.", "\r\n..");
      out.write(text.getBytes(StandardCharsets.UTF_8));
      out.write((text.endsWith("\r\n") ? ".\r\n" : "\r\n.\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return reply();
    }

    @Override
    public void close() throws Exception {
      try {
        send("QUIT");
      } finally {
        socket.close();
      }
    }
  }

  FeedbackFixtures.Sent sent(String... people) {
    return FeedbackFixtures.campaign(organizations, sendingDomains, jdbc, bulk, subscribers, returnPath, people);
  }

  @Test
  void only_signed_return_paths_are_accepted_and_others_refused_with_550_5_1_1() throws Exception {
    assertThat(listener.port()).isEqualTo(port);
    var s = sent("ann@receiver.example");
    String good = s.recipients().get("ann@receiver.example").returnPath();
    String forged = good.replaceFirst("\\.[a-z2-7]{16}@", ".aaaaaaaaaaaaaaaa@");
    try (Client c = new Client()) {
      assertThat(c.greeting).startsWith("220");
      assertThat(c.send("EHLO mx.receiver.example")).startsWith("250");
      assertThat(c.send("MAIL FROM:<>")).startsWith("250");
      List<String> refused = new ArrayList<>();
      for (String rcpt : List.of("postmaster@" + "bounces." + s.domain(), "ann@receiver.example", forged, "b+1.2.abc@bounces.other.example")) {
        refused.add(c.send("RCPT TO:<" + rcpt + ">"));
      }
      assertThat(refused).allSatisfy(r -> assertThat(r).startsWith("550 5.1.1").contains("no such address here")
          .contains("Herald's signed return paths"));
      assertThat(c.send("RCPT TO:<" + good.toUpperCase() + ">")).as("some MTAs change the case").startsWith("250");
    }
  }

  @Test
  void a_dsn_is_acted_on_before_the_250_and_the_list_unsubscribe_mailto_unsubscribes() throws Exception {
    var s = sent("gone@receiver.example", "leaving@receiver.example");
    var gone = s.recipients().get("gone@receiver.example");
    var leaving = s.recipients().get("leaving@receiver.example");
    try (Client c = new Client()) {
      c.send("EHLO mx.receiver.example");
      assertThat(c.send("MAIL FROM:<>")).startsWith("250");
      assertThat(c.send("RCPT TO:<" + gone.returnPath() + ">")).startsWith("250");
      assertThat(c.data(FeedbackFixtures.dsn(gone.returnPath(), gone.address(), "5.1.1", "550 5.1.1 User unknown"))).startsWith("250");
      // No waiting: the 250 came after the action committed.
      assertThat(suppressions.check(s.organizationId(), gone.address())).isNotEmpty();

      assertThat(c.send("MAIL FROM:<" + leaving.address() + ">")).startsWith("250");
      assertThat(c.send("RCPT TO:<" + leaving.returnPath() + ">")).startsWith("250");
      assertThat(c.data(FeedbackFixtures.unsubscribeRequest(leaving.returnPath(), leaving.address()))).startsWith("250");
      assertThat(jdbc.sql("select status from subscription where subscriber_id = ? and list_id = ?")
          .params(leaving.subscriberId(), s.listId()).query(String.class).single()).isEqualTo("unsubscribed");
    }
    assertThat(jdbc.sql("select count(*) from feedback_event where organization_id = ? and source = 'smtp'").param(s.organizationId())
        .query(Long.class).single()).isEqualTo(2);
  }

  @Test
  void a_message_past_the_size_limit_is_refused_with_552_and_not_acted_on() throws Exception {
    var s = sent("big@receiver.example");
    var big = s.recipients().get("big@receiver.example");
    String padding = ("X-Padding: " + "a".repeat(70) + "\r\n").repeat(1000);
    byte[] dsn = FeedbackFixtures.dsn(big.returnPath(), big.address(), "5.1.1", "550 5.1.1 User unknown");
    byte[] large = (padding + new String(dsn, StandardCharsets.UTF_8)).getBytes(StandardCharsets.UTF_8);
    try (Client c = new Client()) {
      c.send("EHLO mx.receiver.example");
      c.send("MAIL FROM:<>");
      assertThat(c.send("RCPT TO:<" + big.returnPath() + ">")).startsWith("250");
      assertThat(c.data(large)).startsWith("552");
    }
    assertThat(suppressions.check(s.organizationId(), big.address())).isEmpty();
  }
}
