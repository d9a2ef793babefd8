package dev.herald.delivery.smtp;

import java.io.IOException;
import java.time.Duration;

/**
 * The transport under a session: a socket in production, a scripted peer in tests. Every call is
 * bounded in time; a timeout surfaces as {@link java.net.SocketTimeoutException} and a closed peer
 * as {@link java.io.EOFException}, after which the wire is unusable.
 */
interface Wire extends AutoCloseable {
  /** A bound on a reply line (RFC 5321 allows 512 octets; real servers send longer ones). */
  int MAX_LINE = 4096;

  /** Reads one line without its CRLF, waiting at most {@code timeout}. */
  String readLine(Duration timeout) throws IOException;

  /** Writes the bytes in one go; each block of them must leave within {@code blockTimeout}. */
  void write(byte[] bytes, Duration blockTimeout) throws IOException;

  /**
   * Runs the TLS handshake after a 220 reply to STARTTLS and answers the wire to use from now on.
   *
   * @param serverName the MX host's name, sent as SNI and, when verifying, checked against the
   *     certificate
   * @param verify whether the certificate must chain to a trusted root and match {@code serverName}
   */
  Wire startTls(String serverName, boolean verify, Duration timeout) throws IOException;

  /** Whether the bytes are encrypted (after a successful STARTTLS). */
  boolean encrypted();

  /** Closes without saying goodbye; never throws. */
  @Override
  void close();
}
