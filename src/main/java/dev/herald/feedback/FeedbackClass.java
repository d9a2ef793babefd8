package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * What a recipient's feedback means for the sender, and so which action follows (docs/bounce-classification.md).
 * {@link #BLOCK} is the one to keep apart from bounces: the receiver refused the sender (reputation, a block list,
 * SPF/DKIM/DMARC, policy, no PTR), not the address, so the recipient must not be suppressed for it.
 */
public enum FeedbackClass implements TextEnum {
  /** The address does not exist or will never accept mail: suppress it. */
  HARD("hard"),
  /** A problem of the recipient's mailbox or server that may pass (full, disabled, expired, network): retry, count. */
  SOFT("soft"),
  /** A problem of the sender (reputation, block list, authentication, policy, PTR, content): never suppress the recipient. */
  BLOCK("block"),
  /** The recipient reported the message as spam (ARF abuse, fraud, virus, other). */
  COMPLAINT("complaint"),
  /** The recipient asked to stop receiving mail (ARF opt-out, a mailed unsubscribe request). */
  UNSUBSCRIBE("unsubscribe"),
  /** An out-of-office or other automatic reply: not a bounce. */
  AUTO_REPLY("auto_reply"),
  /** An authentication failure report (RFC 6591): about the sending domain, not the recipient. */
  AUTH_REPORT("auth_report"),
  /** A success notification (Action: delivered, relayed, expanded). */
  DELIVERED("delivered"),
  /** Nothing recognizable. */
  UNKNOWN("unknown");

  private final String text;

  FeedbackClass(String text) {
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
