package dev.herald.tracking;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What a tracking event is: tracking_event.kind. */
public enum EventKind implements TextEnum {
  /** The open pixel was fetched. */
  OPEN("open"),
  /** A tracked link was followed. */
  CLICK("click");

  private final String text;

  EventKind(String text) {
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
