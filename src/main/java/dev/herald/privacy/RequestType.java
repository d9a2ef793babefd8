package dev.herald.privacy;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What a data subject asked for (GDPR articles 15-21): {@code privacy_request.type}. */
public enum RequestType implements TextEnum {
  ACCESS("access"),
  PORTABILITY("portability"),
  RECTIFICATION("rectification"),
  ERASURE("erasure"),
  RESTRICTION("restriction"),
  OBJECTION("objection");

  private final String text;

  RequestType(String text) {
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
