package dev.herald.delivery.smtp;

import dev.herald.delivery.smtp.ConnectResult.Connected;
import dev.herald.delivery.smtp.ConnectResult.Failure;
import dev.herald.delivery.smtp.ConnectResult.NotConnected;
import dev.herald.delivery.smtp.Dialogue.SessionEnded;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * One SMTP session with one server: transactions one after another, a result per recipient for
 * each. Not thread-safe: one thread (a virtual one) drives it from {@link SmtpClient#connect} to
 * {@link #close}.
 *
 * <p>A 421 at any point, a timeout or a lost connection ends the session: every recipient not yet
 * decided is {@linkplain RecipientResult.Deferred deferred} with the reason, and {@link #canSend}
 * turns false. Deferring is right even when the message had left: the server may have kept it,
 * so a retry may deliver it twice (the duplicate RFC 1047 describes), but not retrying could lose
 * it, and a duplicate is the lesser harm.
 */
public final class SmtpConnection implements AutoCloseable {
  private static final byte[] EMPTY_MESSAGE = {'.', '\r', '\n'};
  private static final Base64.Encoder BASE64 = Base64.getEncoder();

  private final SmtpPeer peer;
  private final SmtpClient.Timeouts timeouts;
  private final Dialogue dialogue;
  private Capabilities capabilities;
  private boolean resetFirst;
  private int transactions;

  private SmtpConnection(Wire wire, SmtpPeer peer, SmtpClient.Timeouts timeouts) {
    this.dialogue = new Dialogue(wire, peer);
    this.peer = peer;
    this.timeouts = timeouts;
  }

  /** Greets, says EHLO and starts TLS on a wire whose peer has just connected. */
  static ConnectResult open(Wire wire, SmtpPeer peer, Egress egress, SmtpClient.Timeouts timeouts) {
    SmtpConnection connection = new SmtpConnection(wire, peer, timeouts);
    try {
      return connection.handshake(egress);
    } catch (SessionEnded e) {
      connection.dialogue.drop();
      return new NotConnected(e.reply == null ? Failure.LOST : Failure.REFUSED, e.getMessage(), e.reply, false);
    }
  }

  /** Whether another {@link #send} may run: the session is up and below the peer's message cap. */
  public boolean canSend() {
    return dialogue.open() && transactions < peer.maxMessagesPerConnection();
  }

  /** Whether the session runs over TLS. */
  public boolean encrypted() {
    return dialogue.encrypted();
  }

  Capabilities capabilities() {
    return capabilities;
  }

  /** The server this session talks to. */
  public SmtpPeer peer() {
    return peer;
  }

  /**
   * Runs one transaction: MAIL, one RCPT per recipient, and the message after DATA if any recipient
   * was accepted. With PIPELINING the commands up to DATA go in one write (RFC 2920 §3.1: DATA
   * ends the group) and the replies are read in order; without it, one command at a time, going on
   * past refused recipients.
   *
   * @param message the message (headers and body) as bytes; line endings become CRLF and leading
   *     dots are stuffed here
   * @return one result per envelope recipient, in the envelope's order
   * @throws IllegalStateException when {@link #canSend} is false
   */
  public List<RecipientResult> send(Envelope envelope, byte[] message) {
    if (!canSend()) {
      throw new IllegalStateException(dialogue.open()
          ? "the connection to " + peer + " has carried its " + peer.maxMessagesPerConnection() + " messages"
          : "the connection to " + peer + " is closed");
    }
    Transaction transaction = new Transaction(envelope);
    MessageData data = MessageData.of(message);
    String refusal = refusal(envelope, data);
    if (refusal != null) {
      transaction.failOpen(null, refusal, true);
      return transaction.results();
    }
    transactions++;
    try {
      if (capabilities.pipelining()) {
        sendPipelined(envelope, data, transaction);
      } else {
        sendStepByStep(envelope, data, transaction);
      }
    } catch (SessionEnded e) {
      dialogue.drop();
      transaction.failOpen(e.reply, e.getMessage(), false);
    }
    return transaction.results();
  }

  /** Says QUIT and closes. Never throws; calling it again does nothing. */
  @Override
  public void close() {
    dialogue.quit(timeouts.command());
  }

  // ---- session setup ---------------------------------------------------------------------------

  private ConnectResult handshake(Egress egress) throws SessionEnded {
    SmtpReply greeting = dialogue.read("the greeting", timeouts.greeting());
    if (!greeting.positive()) {
      return refused(greeting, "greeting");
    }
    SmtpReply hello = hello(egress);
    if (!hello.positive()) {
      return refused(hello, "EHLO and HELO");
    }
    if (peer.tls() != TlsPolicy.NONE && !peer.tls().implicit()) {
      ConnectResult failed = startTls(egress);
      if (failed != null) {
        return failed;
      }
    }
    return peer.credentials() == null ? new Connected(this) : authenticate(peer.credentials());
  }

  /** STARTTLS as the policy asks: {@code null} when the session goes on (encrypted, or in clear if allowed). */
  private ConnectResult startTls(Egress egress) throws SessionEnded {
    if (!capabilities.startTls()) {
      return peer.tls().required()
          ? tlsUnavailable("the server does not offer STARTTLS, which the TLS policy " + peer.tls() + " requires", null)
          : null;
    }
    dialogue.command("STARTTLS", timeouts.command());
    SmtpReply ready = dialogue.read("STARTTLS", timeouts.command());
    if (ready.code() != 220) {
      // Opportunistic: the session goes on in clear, as RFC 3207 §4 allows after a refusal.
      return peer.tls().required() ? tlsUnavailable("the server refused STARTTLS: " + ready, ready) : null;
    }
    try {
      dialogue.startTls(peer.tls().verifies(), timeouts.command());
    } catch (IOException e) {
      return new NotConnected(
          Failure.TLS_FAILED,
          "TLS handshake with " + peer + " failed: " + e.getMessage(),
          null,
          peer.tls() == TlsPolicy.OPPORTUNISTIC);
    }
    // RFC 3207 §4.2: what the server said in clear may have been forged; ask again.
    SmtpReply hello = hello(egress);
    return hello.positive() ? null : refused(hello, "EHLO after STARTTLS");
  }

  /**
   * SMTP AUTH (RFC 4954) with PLAIN (RFC 4616, the initial response on the command line) or else LOGIN, the two
   * every relay offers. The password goes only over TLS, or to a server on loopback (a relay on the same machine);
   * the server's mechanisms are read from the EHLO said over TLS, never from the one said in clear. No command
   * carrying a secret is named by more than its verb in any reason, so nothing that reaches a log holds it.
   */
  private ConnectResult authenticate(Credentials credentials) throws SessionEnded {
    java.net.InetAddress address = peer.address().getAddress();
    if (!dialogue.encrypted() && (address == null || !address.isLoopbackAddress())) {
      return authUnavailable("Herald sends a password only over TLS, and the session with " + peer
          + " is not encrypted (choose STARTTLS or implicit TLS for this delivery server)");
    }
    List<String> offered = capabilities.authMechanisms();
    if (offered.contains("PLAIN")) {
      byte[] response = ("\0" + credentials.user() + "\0" + credentials.password()).getBytes(StandardCharsets.UTF_8);
      dialogue.write(Dialogue.line("AUTH PLAIN " + BASE64.encodeToString(response)), timeouts.command(), "AUTH PLAIN");
      return authenticated(dialogue.read("AUTH PLAIN", timeouts.command()), "PLAIN", credentials);
    }
    if (offered.contains("LOGIN")) {
      dialogue.command("AUTH LOGIN", timeouts.command());
      SmtpReply reply = dialogue.read("AUTH LOGIN", timeouts.command());
      if (reply.code() == 334) {
        dialogue.write(base64Line(credentials.user()), timeouts.command(), "the AUTH LOGIN user name");
        reply = dialogue.read("the AUTH LOGIN user name", timeouts.command());
        if (reply.code() == 334) {
          dialogue.write(base64Line(credentials.password()), timeouts.command(), "the AUTH LOGIN password");
          reply = dialogue.read("the AUTH LOGIN password", timeouts.command());
        }
      }
      return authenticated(reply, "LOGIN", credentials);
    }
    return authUnavailable(offered.isEmpty()
        ? peer + " offers no AUTH, and this delivery server has a user name and password"
        : peer + " offers AUTH " + String.join(" ", offered) + ", none of which Herald speaks (PLAIN, LOGIN)");
  }

  private ConnectResult authenticated(SmtpReply reply, String mechanism, Credentials credentials) {
    if (reply.code() == 235) {
      return new Connected(this);
    }
    dialogue.quit(timeouts.command());
    return new NotConnected(Failure.AUTH_FAILED,
        peer + " refused the AUTH " + mechanism + " login of " + credentials.user() + ": " + reply, reply, false);
  }

  private ConnectResult authUnavailable(String reason) {
    dialogue.quit(timeouts.command());
    return new NotConnected(Failure.AUTH_UNAVAILABLE, reason, null, false);
  }

  private static byte[] base64Line(String text) {
    return Dialogue.line(BASE64.encodeToString(text.getBytes(StandardCharsets.UTF_8)));
  }

  /** EHLO, and HELO when the server refuses EHLO permanently (RFC 5321 §4.1.4). */
  private SmtpReply hello(Egress egress) throws SessionEnded {
    dialogue.command("EHLO " + egress.ehloName(), timeouts.command());
    SmtpReply ehlo = dialogue.read("EHLO", timeouts.command());
    if (ehlo.positive()) {
      capabilities = Capabilities.of(ehlo);
      return ehlo;
    }
    if (!ehlo.permanentFailure()) {
      return ehlo;
    }
    dialogue.command("HELO " + egress.ehloName(), timeouts.command());
    SmtpReply helo = dialogue.read("HELO", timeouts.command());
    if (helo.positive()) {
      capabilities = Capabilities.HELO;
    }
    return helo;
  }

  private ConnectResult refused(SmtpReply reply, String what) {
    dialogue.quit(timeouts.command());
    return new NotConnected(Failure.REFUSED, peer + " refused the " + what + ": " + reply, reply, false);
  }

  private ConnectResult tlsUnavailable(String reason, SmtpReply reply) {
    dialogue.quit(timeouts.command());
    return new NotConnected(Failure.TLS_UNAVAILABLE, reason, reply, false);
  }

  // ---- one transaction -------------------------------------------------------------------------

  /**
   * Refusals decided before a byte is sent, and permanent because the message cannot change: a
   * message over the server's SIZE (RFC 1870 §4), and an address that needs SMTPUTF8 the server
   * does not offer (RFC 6531 §3.4; a downgrade would change the address).
   */
  private String refusal(Envelope envelope, MessageData data) {
    if (capabilities.size() && capabilities.sizeLimit() > 0 && data.size() > capabilities.sizeLimit()) {
      return "the message is " + data.size() + " bytes, more than the " + capabilities.sizeLimit()
          + " bytes " + peer.hostName() + " accepts (its SIZE)";
    }
    if (envelope.needsSmtpUtf8() && !capabilities.smtpUtf8()) {
      return "an address needs SMTPUTF8 (it is not ASCII) and " + peer.hostName() + " does not offer it";
    }
    return null;
  }

  private void sendPipelined(Envelope envelope, MessageData data, Transaction transaction) throws SessionEnded {
    ByteArrayOutputStream group = new ByteArrayOutputStream(64 + 48 * envelope.recipients().size());
    if (resetFirst) {
      group.writeBytes(Dialogue.line("RSET"));
    }
    group.writeBytes(mailCommand(envelope, data));
    for (String recipient : envelope.recipients()) {
      group.writeBytes(Dialogue.line(rcptCommand(recipient)));
    }
    group.writeBytes(Dialogue.line("DATA"));
    dialogue.write(group.toByteArray(), timeouts.mail(), "the envelope");
    if (resetFirst) {
      dialogue.read("RSET", timeouts.command()); // only a 421 matters, and the dialogue acts on that
      resetFirst = false;
    }
    SmtpReply mail = dialogue.read("MAIL FROM", timeouts.mail());
    for (int i = 0; i < envelope.recipients().size(); i++) {
      SmtpReply rcpt = dialogue.read("RCPT TO", timeouts.rcpt());
      if (mail.positive()) {
        transaction.rcpt(i, rcpt, "RCPT TO");
      }
    }
    if (!mail.positive()) {
      transaction.failOpen(mail, Dialogue.inReplyTo(mail, "MAIL FROM"), mail.permanentFailure());
    }
    SmtpReply dataReply = dialogue.read("DATA", timeouts.dataInit());
    if (dataReply.code() != 354) {
      transaction.finish(dataReply, "DATA");
      resetFirst = mail.positive();
    } else if (transaction.anyAccepted()) {
      sendMessage(data, transaction);
    } else {
      // RFC 2920 §3.1: a server may answer 354 although it refused every RCPT; an empty message
      // ends that data phase without sending the body to nobody.
      dialogue.write(EMPTY_MESSAGE, timeouts.dataBlock(), "an empty message");
      dialogue.read("end of data", timeouts.dataTermination());
    }
  }

  private void sendStepByStep(Envelope envelope, MessageData data, Transaction transaction) throws SessionEnded {
    if (resetFirst) {
      dialogue.command("RSET", timeouts.command());
      dialogue.read("RSET", timeouts.command());
      resetFirst = false;
    }
    dialogue.write(mailCommand(envelope, data), timeouts.mail(), "MAIL FROM");
    SmtpReply mail = dialogue.read("MAIL FROM", timeouts.mail());
    if (!mail.positive()) {
      transaction.failOpen(mail, Dialogue.inReplyTo(mail, "MAIL FROM"), mail.permanentFailure());
      return;
    }
    for (int i = 0; i < envelope.recipients().size(); i++) {
      dialogue.command(rcptCommand(envelope.recipients().get(i)), timeouts.rcpt());
      transaction.rcpt(i, dialogue.read("RCPT TO", timeouts.rcpt()), "RCPT TO");
    }
    if (!transaction.anyAccepted()) {
      resetFirst = true; // the next transaction starts with RSET; QUIT ends this one otherwise
      return;
    }
    dialogue.command("DATA", timeouts.dataInit());
    SmtpReply dataReply = dialogue.read("DATA", timeouts.dataInit());
    if (dataReply.code() == 354) {
      sendMessage(data, transaction);
    } else {
      transaction.finish(dataReply, "DATA");
      resetFirst = true;
    }
  }

  private void sendMessage(MessageData data, Transaction transaction) throws SessionEnded {
    dialogue.write(data.wire(), timeouts.dataBlock(), "the message");
    transaction.finish(dialogue.read("end of data", timeouts.dataTermination()), "end of data");
  }

  private byte[] mailCommand(Envelope envelope, MessageData data) {
    StringBuilder mail = new StringBuilder("MAIL FROM:<").append(envelope.from()).append('>');
    if (data.eightBit() && capabilities.eightBitMime()) {
      // Without 8BITMIME the bytes go anyway, as Postfix and most MTAs send them: refusing would
      // lose mail that practically every server accepts. The message builder prefers 7-bit encodings.
      mail.append(" BODY=8BITMIME");
    }
    if (envelope.needsSmtpUtf8()) {
      mail.append(" SMTPUTF8");
    }
    if (capabilities.size()) {
      mail.append(" SIZE=").append(data.size());
    }
    if (capabilities.dsn()) {
      // RFC 3461: a failure report carries the headers only (our bounce handling reads the report and the
      // headers, and the body may be large); ENVID comes back as Original-Envelope-Id.
      mail.append(" RET=HDRS");
      String envId = envelope.envId() == null ? null : Dsn.xtext(envelope.envId());
      if (envId != null && envId.length() <= Dsn.MAX_ENVID) {
        mail.append(" ENVID=").append(envId);
      }
    }
    return Dialogue.line(mail.toString());
  }

  /**
   * RCPT TO, with RFC 3461's parameters when the server offers DSN: reports on failure and delay only (success
   * reports would cost every receiver a message, and the SMTP reply already tells us), and the original
   * recipient, so a report names the address we sent to even after the receiver forwarded it.
   */
  private String rcptCommand(String recipient) {
    String command = "RCPT TO:<" + recipient + ">";
    return capabilities.dsn() ? command + " NOTIFY=FAILURE,DELAY ORCPT=" + Dsn.orcpt(recipient) : command;
  }
}
