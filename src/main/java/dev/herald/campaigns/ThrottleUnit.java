package dev.herald.campaigns;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;
import java.time.Duration;

/** The window of a campaign's throttle: at most so many messages handed to the queue per minute or per hour. */
public enum ThrottleUnit implements TextEnum {
  MINUTE("minute", Duration.ofMinutes(1)),
  HOUR("hour", Duration.ofHours(1));

  private final String text;
  private final Duration window;

  ThrottleUnit(String text, Duration window) {
    this.text = text;
    this.window = window;
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

  public Duration window() {
    return window;
  }
}
