package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link FeedbackParser} read from one inbound message.
 *
 * @param recipients one verdict per recipient the message reports on (a bounce may name several; a redacted
 *     complaint names none but still has one verdict, with a null recipient)
 * @param originalMessageId the Message-ID of the returned original, without angle brackets, if it was returned
 * @param originalReturnPath Herald's VERP return path ({@code b+...@bounces.<domain>}) found in the report or the
 *     returned headers, not yet checked against its signature ({@code messages.ReturnPath#parse} does that)
 * @param feedbackType the ARF Feedback-Type ("abuse", "opt-out", "auth-failure"...), for ARF reports
 */
public record ParsedFeedback(Kind kind, List<FeedbackVerdict> recipients, Optional<String> originalMessageId,
    Optional<String> originalReturnPath, Optional<String> feedbackType) {
  public ParsedFeedback {
    Objects.requireNonNull(kind, "kind");
    recipients = List.copyOf(recipients);
    Objects.requireNonNull(originalMessageId, "originalMessageId");
    Objects.requireNonNull(originalReturnPath, "originalReturnPath");
    Objects.requireNonNull(feedbackType, "feedbackType");
  }

  /** What kind of message it was. */
  public enum Kind implements TextEnum {
    /** A bounce or delay or success notification, RFC 3464 or any MTA's own format. */
    DSN("dsn"),
    /** An abuse report (RFC 5965) of any feedback type. */
    ARF("arf"),
    /** An automatic reply (RFC 3834, vacation, out of office). */
    AUTO_REPLY("auto_reply"),
    /** A person's mailed request to unsubscribe (to a List-Unsubscribe mailto address). */
    UNSUBSCRIBE_REQUEST("unsubscribe_request"),
    /** Anything else (a person's reply, unreadable input). */
    OTHER("other");

    private final String text;

    Kind(String text) {
      this.text = text;
    }

    @JsonValue
    @Override
    public String text() {
      return text;
    }

    @Override
    public String toString() {
      return text;
    }
  }
}
