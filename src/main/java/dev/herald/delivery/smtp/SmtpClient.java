package dev.herald.delivery.smtp;

import dev.herald.delivery.smtp.ConnectResult.Failure;
import dev.herald.delivery.smtp.ConnectResult.NotConnected;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Objects;
import javax.net.ssl.SSLContext;

/**
 * Opens SMTP connections. Thread-safe and cheap: one per MTA, shared by every sending thread. Each
 * connection it opens is used by one thread at a time, blocking, so run each on a virtual thread.
 */
public final class SmtpClient {
  private final Timeouts timeouts;
  private final SSLContext verifying;

  /** A client that verifies certificates (under {@link TlsPolicy#VERIFIED}) against the JDK's roots. */
  public SmtpClient(Timeouts timeouts) {
    this(timeouts, defaultContext());
  }

  /**
   * @param verifying the TLS context used under {@link TlsPolicy#VERIFIED}, whose trust managers
   *     decide which roots are trusted
   */
  public SmtpClient(Timeouts timeouts, SSLContext verifying) {
    this.timeouts = Objects.requireNonNull(timeouts, "timeouts");
    this.verifying = Objects.requireNonNull(verifying, "verifying");
  }

  /**
   * Connects from the egress address to the peer, reads the greeting, says EHLO (HELO if refused)
   * and starts TLS as the peer's policy asks. Never throws for anything the network or the server
   * does: that comes back as {@link ConnectResult.NotConnected}.
   */
  public ConnectResult connect(SmtpPeer peer, Egress egress) {
    Socket socket = new Socket();
    try {
      socket.setTcpNoDelay(true); // commands are written whole; Nagle would only delay them
      if (egress.source() != null) {
        socket.bind(new InetSocketAddress(egress.source(), 0));
      }
      socket.connect(peer.address(), Math.toIntExact(Math.max(1, timeouts.connect().toMillis())));
    } catch (IOException e) {
      close(socket);
      String from = egress.source() == null ? "" : " from " + egress.source().getHostAddress();
      return new NotConnected(
          Failure.UNREACHABLE, "cannot connect to " + peer + from + ": " + e.getMessage(), null, false);
    }
    Wire wire;
    try {
      wire = peer.tls().implicit()
          ? SocketWire.handshake(socket, peer.hostName(), peer.tls().verifies(), timeouts.greeting(), verifying)
          : new SocketWire(socket, verifying);
    } catch (IOException e) {
      close(socket);
      // No retry in clear: a server on port 465 speaks only TLS, and the policy asked for it.
      return peer.tls().implicit()
          ? new NotConnected(Failure.TLS_FAILED, "TLS handshake with " + peer + " failed: " + e.getMessage(), null, false)
          : new NotConnected(Failure.LOST, "connection to " + peer + " lost: " + e.getMessage(), null, false);
    }
    return SmtpConnection.open(wire, peer, egress, timeouts);
  }

  private static void close(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // nothing was sent on it
    }
  }

  private static SSLContext defaultContext() {
    try {
      return SSLContext.getDefault();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no TLS in this JDK", e);
    }
  }

  /**
   * How long the client waits for each step. RFC 5321 §4.5.3.2 gives the minimums a client should
   * allow (a server may legitimately take that long, e.g. to scan a message before answering its
   * end of data); {@link #rfc5321()} uses them.
   *
   * @param connect the TCP connection (Postfix waits 30 s)
   * @param greeting the 220 greeting (5 min)
   * @param command EHLO, HELO, STARTTLS with its handshake, RSET and QUIT (none in the RFC; Postfix
   *     waits 5 min)
   * @param mail the reply to MAIL (5 min)
   * @param rcpt the reply to each RCPT (5 min)
   * @param dataInit the 354 reply to DATA (2 min)
   * @param dataBlock sending each block of the message (3 min)
   * @param dataTermination the reply to the end of data (10 min)
   */
  public record Timeouts(
      Duration connect,
      Duration greeting,
      Duration command,
      Duration mail,
      Duration rcpt,
      Duration dataInit,
      Duration dataBlock,
      Duration dataTermination) {

    public Timeouts {
      for (Duration d : new Duration[] {connect, greeting, command, mail, rcpt, dataInit, dataBlock, dataTermination}) {
        if (d == null || d.isNegative() || d.isZero() || d.toMillis() > Integer.MAX_VALUE) {
          throw new IllegalArgumentException("every SMTP timeout must be positive and under 24 days");
        }
      }
    }

    /** RFC 5321's values, and 30 s to connect. */
    public static Timeouts rfc5321() {
      return new Timeouts(
          Duration.ofSeconds(30),
          Duration.ofMinutes(5),
          Duration.ofMinutes(5),
          Duration.ofMinutes(5),
          Duration.ofMinutes(5),
          Duration.ofMinutes(2),
          Duration.ofMinutes(3),
          Duration.ofMinutes(10));
    }

    /** The same duration for every step (tests). */
    public static Timeouts all(Duration d) {
      return new Timeouts(d, d, d, d, d, d, d, d);
    }
  }
}
