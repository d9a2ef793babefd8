package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** How a sign-up by form or API becomes a subscription: {@code mailing_list.optin}. */
public enum OptIn implements TextEnum {
  /** Subscribed at once. */
  SINGLE("single"),
  /** Unconfirmed until the person confirms from their mailbox. */
  DOUBLE("double");

  private final String text;

  OptIn(String text) {
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

  /** As the panel shows it: "Double opt-in" for {@code double}. */
  public String words() {
    return switch (this) {
      case SINGLE -> "Single opt-in";
      case DOUBLE -> "Double opt-in";
    };
  }
}
