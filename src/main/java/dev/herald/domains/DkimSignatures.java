package dev.herald.domains;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * Which DKIM signatures a domain's mail carries. Both keys are generated and published either way; this only chooses
 * which of the published ones sign. RSA only saves the Ed25519 signature's CPU and header on every message where the
 * receivers that matter verify RSA (the large mailbox providers do; few verify Ed25519 yet).
 */
public enum DkimSignatures implements TextEnum {
  BOTH("both"),
  RSA("rsa");

  private final String text;

  DkimSignatures(String text) {
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

  /** As the panel shows it. */
  public String words() {
    return switch (this) {
      case BOTH -> "RSA-2048 and Ed25519";
      case RSA -> "RSA-2048 only";
    };
  }
}
