package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Where a subscriber stands on one list: {@code subscription.status}, in the API and on pages by its text. */
public enum SubscriptionStatus implements TextEnum {
  /** Signed up on a double opt-in list and not yet confirmed from the mailbox: campaigns skip them. */
  UNCONFIRMED("unconfirmed"),
  SUBSCRIBED("subscribed"),
  UNSUBSCRIBED("unsubscribed"),
  /** Mail to the address could not be delivered: set by delivery feedback. */
  BOUNCED("bounced"),
  /** The address reported our mail as spam: set by delivery feedback. */
  COMPLAINED("complained");

  private final String text;

  SubscriptionStatus(String text) {
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

  /** On the list: subscribed, or waiting for confirmation. */
  public boolean active() {
    return this == SUBSCRIBED || this == UNCONFIRMED;
  }

  /** Stopped by delivery feedback (a bounce, a complaint): never reopened by a subscribe from anyone. */
  public boolean blocked() {
    return this == BOUNCED || this == COMPLAINED;
  }

  /** As the panel shows it: "Unsubscribed" for {@code unsubscribed}. */
  public String words() {
    return switch (this) {
      case UNCONFIRMED -> "Unconfirmed";
      case SUBSCRIBED -> "Subscribed";
      case UNSUBSCRIBED -> "Unsubscribed";
      case BOUNCED -> "Bounced";
      case COMPLAINED -> "Complained";
    };
  }
}
