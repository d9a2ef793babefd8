package dev.herald.domains;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** Where a DKIM key is in its life: published and waiting for its record to check ok (pending), signing (active), replaced but still to be kept published until removed (retired). */
public enum KeyStatus implements TextEnum {
  PENDING("pending"),
  ACTIVE("active"),
  RETIRED("retired");

  private final String text;

  KeyStatus(String text) {
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

  /** As the panel shows it: "Waiting for DNS" for {@code pending}. */
  public String words() {
    return switch (this) {
      case PENDING -> "Waiting for DNS";
      case ACTIVE -> "Signing";
      case RETIRED -> "Retired";
    };
  }
}
