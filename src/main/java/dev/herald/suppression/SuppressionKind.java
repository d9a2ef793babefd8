package dev.herald.suppression;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What an entry holds; not stored, but read from its columns (a domain, or an address hash with or without the address). */
public enum SuppressionKind implements TextEnum {
  ADDRESS("address"),
  DOMAIN("domain"),
  /** An erased person's address: the hash only. */
  ERASED("erased");

  private final String text;

  SuppressionKind(String text) {
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

  static SuppressionKind of(String domain, SuppressionReason reason) {
    return domain != null ? DOMAIN : reason == SuppressionReason.ERASED ? ERASED : ADDRESS;
  }
}
