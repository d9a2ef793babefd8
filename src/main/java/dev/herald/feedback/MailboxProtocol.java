package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** How a mailbox monitor reads its account: {@code feedback_mailbox.protocol}. */
public enum MailboxProtocol implements TextEnum {
  /** IMAP: processed messages are moved to a folder or deleted. */
  IMAP("imap"),
  /** POP3: processed messages are deleted (POP3 has no folders). */
  POP3("pop3");

  private final String text;

  MailboxProtocol(String text) {
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
