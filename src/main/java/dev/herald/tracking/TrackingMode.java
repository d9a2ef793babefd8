package dev.herald.tracking;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** How much a tracking event says about who it was: tracking_privacy.mode. */
public enum TrackingMode implements TextEnum {
  /** Tied to the subscriber: their engagement (segments' "opened in the last 30 days") is kept. */
  IDENTIFIED("identified"),
  /** Counted, without saying who: the default. */
  ANONYMOUS("anonymous"),
  /** Nothing recorded (the redirect still works). */
  OFF("off");

  private final String text;

  TrackingMode(String text) {
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

  /** As the panel says it. */
  public String words() {
    return switch (this) {
      case IDENTIFIED -> "Tied to the subscriber (needed for engagement segments)";
      case ANONYMOUS -> "Anonymous counts";
      case OFF -> "Off: record nothing";
    };
  }
}
