package dev.herald.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Which field of the request named a recipient; stored in outbound_recipient.kind. */
public enum RecipientKind implements TextEnum {
  TO("to"),
  CC("cc"),
  /** Gets the message without appearing in its headers. */
  BCC("bcc");

  private final String text;

  RecipientKind(String text) {
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

  /** As the panel shows it: "Bcc" for {@code bcc}. */
  public String words() {
    return switch (this) {
      case TO -> "To";
      case CC -> "Cc";
      case BCC -> "Bcc";
    };
  }
}
