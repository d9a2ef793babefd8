package dev.herald.platform.personaldata;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What an erasure does to a personal column. */
public enum ErasureTreatment implements TextEnum {
  /** The row goes. */
  DELETE("delete"),
  /** The value is replaced by nothing that identifies the person; the row stays for aggregate counts. */
  ANONYMIZE("anonymize"),
  /** Kept, for the legal reason the column states. */
  KEEP("keep");

  private final String text;

  ErasureTreatment(String text) {
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
