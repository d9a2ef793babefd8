package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Where feedback came from: {@code feedback_event.source}. */
public enum FeedbackSource implements TextEnum {
  /** A remote server refused a recipient while Herald sent (delivery's RecipientBounced). */
  SYNCHRONOUS("synchronous"),
  /** Mail to a bounce address, received by the inbound SMTP listener. */
  SMTP("smtp"),
  /** Found in a monitored IMAP or POP3 mailbox. */
  MAILBOX("mailbox");

  private final String text;

  FeedbackSource(String text) {
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
