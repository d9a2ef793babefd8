package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** How far an organization passed a threshold: {@code sender_alert.level}. */
public enum AlertLevel implements TextEnum {
  /** Past the warn threshold: the operator is alerted. */
  WARN("warn"),
  /** Past the pause threshold: the organization's sending is paused. */
  PAUSE("pause");

  private final String text;

  AlertLevel(String text) {
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
