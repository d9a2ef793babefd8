package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.smtp.Envelope;
import dev.herald.delivery.smtp.RecipientResult;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import dev.herald.delivery.smtp.RecipientResult.Deferred;
import dev.herald.delivery.smtp.RecipientResult.Rejected;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What every route does, whatever it is: the same three cases through {@link DeliveryAttempt}, each subclass
 * putting a peer that accepts, rejects or defers where its route leads.
 */
abstract class RouteContract {
  static final Sender SENDER = new Sender(1, "news.herald.test");

  /** How the place the route leads to answers. */
  enum Peer { ACCEPTS, REJECTS, DEFERS }

  /** An attempt over the route under test, and a recipient it delivers to a peer behaving so. */
  record Target(DeliveryAttempt attempt, String recipient) {
    String domain() {
      return recipient.substring(recipient.indexOf('@') + 1);
    }
  }

  abstract Target prepare(Peer peer) throws Exception;

  /** Who sends: routes that choose by organization or sending domain need one that exists. */
  Sender sender() {
    return SENDER;
  }

  /** The messages that arrived where the route puts them (the sandbox mailbox, the sink) for this recipient. */
  abstract List<String> captured(String recipient) throws Exception;

  static byte[] message(String subject) {
    return ("From: news@news.herald.test\r\nTo: reader\r\nSubject: " + subject + "\r\n\r\nHello.\r\n.dot line\r\n")
        .getBytes(StandardCharsets.UTF_8);
  }

  private List<RecipientResult> deliver(Target target, String subject) {
    return target.attempt().deliver(sender(), target.domain(),
        new Envelope("bounce@b.news.herald.test", List.of(target.recipient())), message(subject));
  }

  @Test
  void a_good_recipient_is_accepted_and_the_message_arrives() throws Exception {
    Target target = prepare(Peer.ACCEPTS);
    List<RecipientResult> results = deliver(target, "contract accepted");
    assertThat(results).singleElement().isInstanceOf(Accepted.class);
    assertThat(results.getFirst().recipient()).isEqualTo(target.recipient());
    assertThat(captured(target.recipient())).singleElement().asString().contains("Subject: contract accepted");
  }

  @Test
  void a_rejected_recipient_ends_rejected_with_the_reply_and_nothing_arrives() throws Exception {
    Target target = prepare(Peer.REJECTS);
    List<RecipientResult> results = deliver(target, "contract rejected");
    assertThat(results).singleElement().isInstanceOfSatisfying(Rejected.class, r -> {
      assertThat(r.reply().code()).isBetween(500, 599);
      assertThat(r.reason()).isNotBlank();
    });
    assertThat(captured(target.recipient())).isEmpty();
  }

  @Test
  void a_temporary_failure_ends_deferred_with_the_reply_and_nothing_arrives() throws Exception {
    Target target = prepare(Peer.DEFERS);
    List<RecipientResult> results = deliver(target, "contract deferred");
    assertThat(results).singleElement().isInstanceOfSatisfying(Deferred.class, r -> {
      assertThat(r.reply().code()).isBetween(400, 499);
      assertThat(r.reason()).isNotBlank();
    });
    assertThat(captured(target.recipient())).isEmpty();
  }
}
