package dev.herald.domains;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/** The two DKIM key types Herald generates for every domain (RFC 6376 RSA-2048, RFC 8463 Ed25519). */
public enum DkimAlgorithm implements TextEnum {
  RSA("rsa"),
  ED25519("ed25519");

  private final String text;

  DkimAlgorithm(String text) {
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

  /** As the panel shows it: "RSA-2048" for {@code rsa}. */
  public String words() {
    return switch (this) {
      case RSA -> "RSA-2048";
      case ED25519 -> "Ed25519";
    };
  }
}
