package dev.herald.delivery.smtp;

import dev.herald.delivery.smtp.RecipientResult.Deferred;
import dev.herald.delivery.smtp.RecipientResult.Rejected;
import java.util.Arrays;
import java.util.List;

/**
 * The per-recipient bookkeeping of one transaction. A recipient is open until a reply or an event
 * decides it; one whose RCPT was accepted stays open until the reply to the end of data, because
 * only that reply means the server took the message.
 */
final class Transaction {
  private final Envelope envelope;
  private final RecipientResult[] results;
  private final boolean[] rcptAccepted;

  Transaction(Envelope envelope) {
    this.envelope = envelope;
    this.results = new RecipientResult[envelope.recipients().size()];
    this.rcptAccepted = new boolean[results.length];
  }

  /**
   * Records the reply to recipient {@code i}'s RCPT. A 552 there is read as 452: RFC 821 listed 552
   * for "too many recipients", and RFC 5321 §4.5.3.1.10 asks clients to treat it as temporary so
   * the rest of the recipients go in a later transaction instead of bouncing.
   */
  void rcpt(int i, SmtpReply reply, String command) {
    if (reply.positive()) {
      rcptAccepted[i] = true;
    } else if (reply.code() == 552) {
      results[i] = new Deferred(recipient(i), reply, Dialogue.inReplyTo(reply, command));
    } else {
      results[i] = RecipientResult.of(recipient(i), reply, command);
    }
  }

  boolean anyAccepted() {
    for (int i = 0; i < results.length; i++) {
      if (rcptAccepted[i] && results[i] == null) {
        return true;
      }
    }
    return false;
  }

  /** The reply to the end of data (or a refused DATA) decides every recipient still open. */
  void finish(SmtpReply reply, String command) {
    for (int i = 0; i < results.length; i++) {
      if (results[i] == null) {
        results[i] = RecipientResult.of(recipient(i), reply, command);
      }
    }
  }

  /** A refused MAIL, a 421 or a lost connection decides every recipient still open. */
  void failOpen(SmtpReply reply, String reason, boolean permanent) {
    for (int i = 0; i < results.length; i++) {
      if (results[i] == null) {
        results[i] = permanent
            ? new Rejected(recipient(i), reply, reason)
            : new Deferred(recipient(i), reply, reason);
      }
    }
  }

  List<RecipientResult> results() {
    if (Arrays.asList(results).contains(null)) {
      throw new IllegalStateException("a recipient was left without a result");
    }
    return List.of(results);
  }

  private String recipient(int i) {
    return envelope.recipients().get(i);
  }
}
