package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** How a mailbox monitor secures its connection: {@code feedback_mailbox.tls}. */
public enum MailboxTls implements TextEnum {
  /** TLS from the first byte (IMAPS 993, POP3S 995). */
  IMPLICIT("implicit"),
  /** STARTTLS required after connecting (143, 110). */
  STARTTLS("starttls"),
  /** No TLS (a server on the same host or a trusted network only). */
  NONE("none");

  private final String text;

  MailboxTls(String text) {
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
