package dev.herald.delivery.smtp;

import java.util.Objects;

/** What {@link SmtpClient#connect} answers: a session ready for transactions, or why not. */
public sealed interface ConnectResult {

  /** Greeted, EHLO done, TLS as the policy asked: ready to {@link SmtpConnection#send}. */
  record Connected(SmtpConnection connection) implements ConnectResult {}

  /**
   * No session. Nothing was sent, so every recipient is still to be delivered: the caller tries
   * the next MX host or defers.
   *
   * @param reply the server's refusal when there was one (a 554 greeting, a 421), else {@code null}
   * @param retryInClear the TLS handshake failed under {@link TlsPolicy#OPPORTUNISTIC}: connecting
   *     again with {@link TlsPolicy#NONE} may deliver, as mail in clear beats no mail
   */
  record NotConnected(Failure failure, String reason, SmtpReply reply, boolean retryInClear)
      implements ConnectResult {
    public NotConnected {
      Objects.requireNonNull(failure, "failure");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** Why there is no session. */
  enum Failure {
    /** No TCP connection (refused, unreachable, timed out). */
    UNREACHABLE,
    /** The greeting, EHLO or HELO was refused; see the reply. */
    REFUSED,
    /** The policy requires TLS and the server does not offer STARTTLS or refused it. */
    TLS_UNAVAILABLE,
    /** The TLS handshake failed (or the certificate did not verify under {@link TlsPolicy#VERIFIED}). */
    TLS_FAILED,
    /** The connection dropped, timed out or spoke no SMTP before the session was ready. */
    LOST,
    /**
     * AUTH could not be done safely: the server offers neither PLAIN nor LOGIN, or the session is not encrypted
     * and the server is not on loopback (a password is never sent in clear over a network).
     */
    AUTH_UNAVAILABLE,
    /** The server refused the credentials; see the reply. */
    AUTH_FAILED
  }
}
