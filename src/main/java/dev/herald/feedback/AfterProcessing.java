package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What a mailbox monitor does with a processed message: {@code feedback_mailbox.after_processing}. */
public enum AfterProcessing implements TextEnum {
  /** Moved to the processed folder (IMAP). */
  MOVE("move"),
  /** Deleted. */
  DELETE("delete");

  private final String text;

  AfterProcessing(String text) {
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
