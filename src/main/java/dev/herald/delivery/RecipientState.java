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
  /**
   * Never sent: refused before delivery (a suppressed address), or its source said not to send it any more ({@link
   * MessageSource.NotSent}: unsubscribed or suppressed since a campaign handed it off); the reason is its last reply.
   */
  FAILED("failed"),
  /**
   * Never sent: the operator deleted it from the queue, or its sender cancelled it ({@link BulkSends#cancel}: a
   * cancelled campaign); the reason is its last reply. Kept apart from {@link #FAILED} so that a sender can tell a
   * suppressed address from mail that was removed.
   */
  DELETED("deleted"),
  /**
   * Waiting, but its message is held ({@link BulkSends#hold}: a paused campaign): no claim takes it until the message
   * is released, when it is queued (or deferred, if it was tried before) again.
   */
  HELD("held");

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
      case DELETED -> "Deleted";
      case HELD -> "Held";
    };
  }

  /** Done for good: delivered, bounced, expired, not sent or deleted; nothing more happens to the row. */
  public boolean ended() {
    return this == DELIVERED || this == BOUNCED || this == EXPIRED || this == FAILED || this == DELETED;
  }

  /** Waiting for an attempt: it has a next attempt time. */
  public boolean waiting() {
    return this == QUEUED || this == DEFERRED;
  }
}
