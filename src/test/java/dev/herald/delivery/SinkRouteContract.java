package dev.herald.delivery;

import dev.herald.delivery.smtp.Egress;
import dev.herald.delivery.smtp.SmtpClient;
import dev.herald.testsupport.SmtpSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.io.TempDir;

/** The contract for routes that lead to an SMTP server: Postfix's smtp-sink on loopback plays the peer. */
abstract class SinkRouteContract extends RouteContract {
  static final SmtpClient CLIENT = new SmtpClient(SmtpClient.Timeouts.all(Duration.ofSeconds(10)));
  static final Egress EGRESS = new Egress(null, "mta.herald.test");

  @TempDir Path dumps;
  SmtpSink sink;

  /** The route to the sink now listening. */
  abstract Route routeTo(SmtpSink sink, String domain) throws Exception;

  @Override
  Target prepare(Peer peer) throws Exception {
    sink = switch (peer) {
      case ACCEPTS -> SmtpSink.start(dumps);
      case REJECTS -> SmtpSink.start(dumps, "-f", "rcpt");
      case DEFERS -> SmtpSink.start(dumps, "-r", "rcpt");
    };
    String domain = "example.net";
    return new Target(new DeliveryAttempt(routeTo(sink, domain), CLIENT, EGRESS, null), "reader@" + domain);
  }

  @Override
  List<String> captured(String recipient) throws Exception {
    // Waits up to 5 s for one message; an empty list after that means none arrived.
    return sink.messages(1).stream().filter(m -> m.contains("X-Rcpt-Args: <" + recipient + ">")).toList();
  }

  @AfterEach
  void stopSink() throws Exception {
    if (sink != null) sink.close();
  }
}
