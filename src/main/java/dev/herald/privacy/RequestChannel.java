package dev.herald.privacy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** How a data-subject request reached the organization: {@code privacy_request.channel}. */
public enum RequestChannel implements TextEnum {
  PANEL("panel"),
  API("api"),
  SELF_SERVICE("self_service");

  private final String text;

  RequestChannel(String text) {
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
