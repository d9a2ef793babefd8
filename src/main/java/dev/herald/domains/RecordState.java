package dev.herald.domains;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What a DNS check found for one record. */
public enum RecordState implements TextEnum {
  MISSING("missing"),
  WRONG("wrong"),
  OK("ok");

  private final String text;

  RecordState(String text) {
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

  /** As the panel shows it: "Wrong value" for {@code wrong}. */
  public String words() {
    return switch (this) {
      case MISSING -> "Missing";
      case WRONG -> "Wrong value";
      case OK -> "OK";
    };
  }
}
