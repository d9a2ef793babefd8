package dev.herald.feedback;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What sender protection judges: {@code sender_alert.metric}. */
public enum SenderMetric implements TextEnum {
  /** Complaints per message sent. */
  COMPLAINTS("complaints"),
  /** Hard bounces per message sent. */
  HARD_BOUNCES("hard_bounces");

  private final String text;

  SenderMetric(String text) {
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
