package dev.herald.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.delivery.smtp.TlsPolicy;
import dev.herald.platform.TextEnum;

/** How Herald talks TLS with a delivery server; stored in delivery_server.tls_mode. */
public enum ServerTls implements TextEnum {
  /** No TLS: for a relay on loopback or a trusted LAN only (a password then goes in clear only to loopback). */
  NONE("none", "None"),
  /** STARTTLS, required: no TLS, no delivery (submission on port 587). */
  STARTTLS("starttls", "STARTTLS required"),
  /** TLS from the first byte (port 465, RFC 8314). */
  IMPLICIT("implicit", "Implicit TLS (port 465)");

  private final String text;
  private final String label;

  ServerTls(String text, String label) {
    this.text = text;
    this.label = label;
  }

  /** The SMTP client's policy for this mode, verifying the certificate or not. */
  TlsPolicy policy(boolean verifyCertificate) {
    return switch (this) {
      case NONE -> TlsPolicy.NONE;
      case STARTTLS -> verifyCertificate ? TlsPolicy.VERIFIED : TlsPolicy.REQUIRED;
      case IMPLICIT -> verifyCertificate ? TlsPolicy.IMPLICIT_VERIFIED : TlsPolicy.IMPLICIT;
    };
  }

  /** In words, for the panel. */
  public String label() {
    return label;
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
