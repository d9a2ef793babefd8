package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Whether a subscriber must meet all of a segment's conditions or any one of them: {@code match} in its conditions. */
enum SegmentMatch implements TextEnum {
  ALL("all"), ANY("any");

  private final String text;

  SegmentMatch(String text) {
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
