package dev.herald.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Where one recipient of an outbound message is; stored in outbound_recipient.state. */
public enum RecipientState implements TextEnum {
  /** Waiting for its first attempt. */
  QUEUED("queued"),
  /** A worker holds its lease and is delivering it. */
  SENDING("sending"),
  /** The receiving server accepted it (its reply is kept). */
  DELIVERED("delivered"),
  /** A temporary failure (4xx); tried again at next_attempt_at. */
  DEFERRED("deferred"),
  /** A permanent failure (5xx), with the remote reply. */
  BOUNCED("bounced"),
  /** Deferred until the give-up age passed. */
  EXPIRED("expired"),
  /** Never sent: refused before delivery (a suppressed address). */
  FAILED("failed"),
  /**
   * Never sent: the operator deleted it from the queue; the operator's reason is its last reply. Kept apart from
   * {@link #FAILED} so that a sender can tell a suppressed address from mail the installation's operator removed.
   */
  DELETED("deleted");

  private final String text;

  RecipientState(String text) {
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

  /** As the panel shows it: "Not sent" for {@code failed}. */
  public String words() {
    return switch (this) {
      case QUEUED -> "Queued";
      case SENDING -> "Sending";
      case DELIVERED -> "Delivered";
      case DEFERRED -> "Deferred";
      case BOUNCED -> "Bounced";
      case EXPIRED -> "Expired";
      case FAILED -> "Not sent";
      case DELETED -> "Deleted by the operator";
    };
  }

  /** Waiting for an attempt: it has a next attempt time. */
  public boolean waiting() {
    return this == QUEUED || this == DEFERRED;
  }
}
