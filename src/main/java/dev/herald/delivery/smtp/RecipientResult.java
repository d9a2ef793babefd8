package dev.herald.delivery.smtp;

import java.util.Objects;

/**
 * What became of one recipient of a transaction. The classification follows the reply class: 2xx
 * after the message is accepted, 4xx is deferred (try again later), 5xx is rejected (bounce),
 * and every failure of Herald's side or of the connection is deferred, never rejected, unless the
 * message itself can never go to this server (too large for its SIZE, or needing SMTPUTF8 it lacks).
 */
public sealed interface RecipientResult {
  /** The recipient's address as given in the envelope. */
  String recipient();

  /** The reply that decided, or {@code null} when there was none (a timeout, a lost connection). */
  SmtpReply reply();

  /** Why, for people: the reply as text, or what happened when there was no reply. */
  String reason();

  /** The server took responsibility for the message (its reply to the end of data). */
  record Accepted(String recipient, SmtpReply reply) implements RecipientResult {
    public Accepted {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(reply, "reply");
    }

    @Override
    public String reason() {
      return reply.toString();
    }
  }

  /** Not delivered this time; a later attempt may succeed. */
  record Deferred(String recipient, SmtpReply reply, String reason) implements RecipientResult {
    public Deferred {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Not delivered and never will be to this server: a bounce. */
  record Rejected(String recipient, SmtpReply reply, String reason) implements RecipientResult {
    public Rejected {
      Objects.requireNonNull(recipient, "recipient");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Classifies a reply that ends this recipient's transaction. */
  static RecipientResult of(String recipient, SmtpReply reply, String inReplyTo) {
    if (reply.positive()) {
      return new Accepted(recipient, reply);
    }
    String reason = Dialogue.inReplyTo(reply, inReplyTo);
    return reply.permanentFailure()
        ? new Rejected(recipient, reply, reason)
        : new Deferred(recipient, reply, reason);
  }
}
