package dev.herald.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What one delivery attempt made of its recipient; stored in outbound_attempt.outcome. */
public enum AttemptOutcome implements TextEnum {
  /** The server accepted the message (a 2xx to the end of data). */
  DELIVERED("delivered"),
  /** A temporary failure: tried again later. */
  DEFERRED("deferred"),
  /** A permanent failure: the recipient bounced. */
  BOUNCED("bounced"),
  /** A temporary failure past the give-up age: the recipient expired. */
  EXPIRED("expired");

  private final String text;

  AttemptOutcome(String text) {
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

  /** As the panel shows it: "Delivered" for {@code delivered}. */
  public String words() {
    return switch (this) {
      case DELIVERED -> "Delivered";
      case DEFERRED -> "Deferred";
      case BOUNCED -> "Bounced";
      case EXPIRED -> "Expired";
    };
  }
}
