package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What Herald did with a piece of feedback: {@code feedback_event.action}. */
public enum FeedbackAction implements TextEnum {
  /** The address was suppressed (a hard bounce, a complaint, too many soft bounces). */
  SUPPRESSED("suppressed"),
  /** A soft bounce, counted towards the soft-bounce limit. */
  COUNTED("counted"),
  /** The person left the list (or the address was suppressed as unsubscribed). */
  UNSUBSCRIBED("unsubscribed"),
  /** Stored only (a block, an auto-reply, a delivery report, something unknown, or no address to act on). */
  RECORDED("recorded");

  private final String text;

  FeedbackAction(String text) {
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
