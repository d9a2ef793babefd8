package dev.herald.delivery.smtp;

/** When a connection uses STARTTLS (RFC 3207) and what it checks; Postfix's levels none, may, encrypt, verify. */
public enum TlsPolicy {
  /** Never: used to retry in clear a server whose TLS handshake failed, and for test peers. */
  NONE,
  /**
   * When offered, without verifying the certificate (RFC 7435: most MX hosts' certificates would
   * not verify). A failed handshake ends the connection and the caller may retry with {@link #NONE}.
   */
  OPPORTUNISTIC,
  /** Always, or no delivery (the mail is deferred); the certificate is not verified. */
  REQUIRED,
  /** Always, with a certificate that chains to a trusted root and names the server. */
  VERIFIED;

  boolean required() {
    return this == REQUIRED || this == VERIFIED;
  }
}
