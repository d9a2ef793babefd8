package dev.herald.delivery.smtp;

/**
 * When a connection uses TLS and what it checks: Postfix's levels none, may, encrypt, verify for STARTTLS (RFC 3207),
 * and TLS from the first byte (implicit TLS, RFC 8314: submission on port 465, offered by delivery servers).
 */
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
  VERIFIED,
  /** TLS before the greeting (port 465); the certificate is not verified. */
  IMPLICIT,
  /** TLS before the greeting, with a certificate that chains to a trusted root and names the server. */
  IMPLICIT_VERIFIED;

  boolean required() {
    return this != NONE && this != OPPORTUNISTIC;
  }

  boolean verifies() {
    return this == VERIFIED || this == IMPLICIT_VERIFIED;
  }

  /** Whether the handshake comes first, before any SMTP. */
  public boolean implicit() {
    return this == IMPLICIT || this == IMPLICIT_VERIFIED;
  }
}
