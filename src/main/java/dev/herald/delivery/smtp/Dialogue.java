package dev.herald.delivery.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.net.ProtocolException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Commands out and replies in over a {@link Wire}. Every way the wire can fail, and a 421 from the
 * server, becomes a {@link SessionEnded} whose message says what happened in words for the panel.
 */
final class Dialogue {
  private final SmtpPeer peer;
  private Wire wire;
  private boolean open = true;

  Dialogue(Wire wire, SmtpPeer peer) {
    this.wire = wire;
    this.peer = peer;
  }

  /** Reads a reply. A 421 ends the session whatever was asked (RFC 5321 §3.8: the server is closing). */
  SmtpReply read(String inReplyTo, Duration timeout) throws SessionEnded {
    SmtpReply reply;
    try {
      reply = Replies.read(wire, timeout);
    } catch (SocketTimeoutException e) {
      throw new SessionEnded("no reply from " + peer + " to " + inReplyTo + " within " + human(timeout), null);
    } catch (EOFException e) {
      throw new SessionEnded(peer + " closed the connection before its reply to " + inReplyTo, null);
    } catch (ProtocolException e) {
      throw new SessionEnded(peer + " broke the protocol in its reply to " + inReplyTo + ": " + e.getMessage(), null);
    } catch (IOException e) {
      throw new SessionEnded(
          "connection to " + peer + " lost waiting for the reply to " + inReplyTo + ": " + e.getMessage(), null);
    }
    if (reply.code() == 421) {
      throw new SessionEnded(inReplyTo(reply, inReplyTo), reply);
    }
    return reply;
  }

  /** Sends one command line. */
  void command(String line, Duration timeout) throws SessionEnded {
    write(line(line), timeout, line.split(" ", 2)[0]);
  }

  void write(byte[] bytes, Duration timeout, String what) throws SessionEnded {
    try {
      wire.write(bytes, timeout);
    } catch (SocketTimeoutException e) {
      throw new SessionEnded("timed out after " + human(timeout) + " sending " + what + " to " + peer, null);
    } catch (IOException e) {
      throw new SessionEnded("connection to " + peer + " lost sending " + what + ": " + e.getMessage(), null);
    }
  }

  /** After a 220 to STARTTLS: the handshake; a failure leaves the dialogue closed. */
  void startTls(boolean verify, Duration timeout) throws IOException {
    try {
      wire = wire.startTls(peer.hostName(), verify, timeout);
    } catch (IOException e) {
      drop();
      throw e;
    }
  }

  boolean open() {
    return open;
  }

  boolean encrypted() {
    return wire.encrypted();
  }

  /** Says QUIT, reads the reply if one comes, and closes; never throws. */
  void quit(Duration timeout) {
    if (!open) {
      return;
    }
    try {
      command("QUIT", timeout);
      read("QUIT", timeout);
    } catch (SessionEnded ignored) {
      // the session is over either way
    }
    drop();
  }

  /** Closes without a word: after a timeout, a lost connection or a 421 there is nothing to say. */
  void drop() {
    open = false;
    wire.close();
  }

  /** A command line with its CRLF; UTF-8, which is ASCII unless an address needs SMTPUTF8. */
  static byte[] line(String text) {
    return (text + "\r\n").getBytes(StandardCharsets.UTF_8);
  }

  /** Postfix's way of telling when a reply came: {@code 550 5.1.1 no such user (in reply to RCPT TO)}. */
  static String inReplyTo(SmtpReply reply, String command) {
    return reply + " (in reply to " + command + ")";
  }

  static String human(Duration d) {
    long ms = d.toMillis();
    if (ms % 60_000 == 0) {
      return ms / 60_000 + " min";
    }
    return ms % 1000 == 0 ? ms / 1000 + " s" : ms + " ms";
  }

  /** The session is over: a 421 (with its reply), a timeout or a lost connection. */
  static final class SessionEnded extends Exception {
    final transient SmtpReply reply;

    SessionEnded(String reason, SmtpReply reply) {
      super(reason, null, false, false);
      this.reply = reply;
    }
  }
}
