package dev.herald.tracking;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** What is kept of the reader's IP address: tracking_privacy.ip. */
public enum IpStorage implements TextEnum {
  /** Nothing: the default. */
  NONE("none"),
  /** The network only: the /24 of an IPv4 address, the /48 of an IPv6 one. */
  TRUNCATED("truncated"),
  /** The whole address. */
  FULL("full");

  private final String text;

  IpStorage(String text) {
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
      case NONE -> "Not stored";
      case TRUNCATED -> "Network only (/24, /48)";
      case FULL -> "Whole address";
    };
  }
}
