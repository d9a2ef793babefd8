package dev.herald.delivery.smtp;

import java.io.EOFException;
import java.io.IOException;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import javax.net.ssl.SSLHandshakeException;

/**
 * A fake SMTP server behind a {@link Wire}, driven by a script of expected commands and the replies
 * to give, with no socket. It records every write exactly as the client made it, so tests can
 * assert which bytes went in which write, and every timeout the client waited with.
 */
final class ScriptedPeer implements Wire {
  private enum Act { REPLY, STALL, DROP, STOP_READING, TLS, TLS_FAILS }

  private record Step(String command, Act act, List<String> reply) {}

  private final Deque<Step> script = new ArrayDeque<>();
  private final Deque<String> replies = new ArrayDeque<>();
  /** Each write call of the client, decoded as UTF-8. */
  final List<String> writes = new ArrayList<>();
  /** The timeout of each write call. */
  final List<Duration> writeTimeouts = new ArrayList<>();
  /** The timeout of each line read. */
  final List<Duration> readTimeouts = new ArrayList<>();
  /** The messages received after 354, lines as on the wire (still dot-stuffed), CRLF kept. */
  final List<String> messages = new ArrayList<>();
  String tlsServerName;
  boolean tlsVerify;
  boolean closed;
  private boolean encrypted;
  private boolean stalled;
  private boolean dropped;
  private boolean stoppedReading;
  private StringBuilder message;

  /** A server that greets with these lines. */
  static ScriptedPeer greeting(String... lines) {
    ScriptedPeer peer = new ScriptedPeer();
    peer.replies.addAll(Arrays.asList(lines));
    return peer;
  }

  /** The wire is encrypted from the start, as after an implicit TLS handshake (port 465). */
  ScriptedPeer overTls() {
    encrypted = true;
    return this;
  }

  /** Expects this command line next and answers these reply lines. */
  ScriptedPeer on(String command, String... reply) {
    script.add(new Step(command, Act.REPLY, List.of(reply)));
    return this;
  }

  /** Expects this command and never answers it: the client's next read times out. */
  ScriptedPeer stallOn(String command) {
    script.add(new Step(command, Act.STALL, List.of()));
    return this;
  }

  /** Expects this command and closes the connection without a reply. */
  ScriptedPeer dropOn(String command) {
    script.add(new Step(command, Act.DROP, List.of()));
    return this;
  }

  /** Expects this command, answers, then stops reading: the client's next write times out. */
  ScriptedPeer stopReadingAfter(String command, String... reply) {
    script.add(new Step(command, Act.STOP_READING, List.of(reply)));
    return this;
  }

  /** Expects the TLS handshake next and lets it succeed. */
  ScriptedPeer tlsHandshake() {
    script.add(new Step("<TLS handshake>", Act.TLS, List.of()));
    return this;
  }

  /** Expects the TLS handshake next and fails it. */
  ScriptedPeer tlsHandshakeFails() {
    script.add(new Step("<TLS handshake>", Act.TLS_FAILS, List.of()));
    return this;
  }

  /** Answers nothing from now on. */
  void stallNow() {
    stalled = true;
  }

  boolean scriptDone() {
    return script.isEmpty() && replies.isEmpty();
  }

  List<String> unusedScript() {
    return script.stream().map(Step::command).toList();
  }

  @Override
  public String readLine(Duration timeout) throws IOException {
    readTimeouts.add(timeout);
    if (!replies.isEmpty()) {
      return replies.poll();
    }
    if (dropped) {
      throw new EOFException("the server closed the connection");
    }
    if (stalled) {
      throw new SocketTimeoutException("Read timed out");
    }
    throw new AssertionError("the client waits for a reply the script does not give; writes: " + writes);
  }

  @Override
  public void write(byte[] bytes, Duration blockTimeout) throws IOException {
    if (closed) {
      throw new SocketException("Socket closed");
    }
    if (dropped) {
      throw new SocketException("Broken pipe");
    }
    if (stoppedReading) {
      throw new SocketTimeoutException("write timed out");
    }
    String text = new String(bytes, StandardCharsets.UTF_8);
    writes.add(text);
    writeTimeouts.add(blockTimeout);
    if (!text.endsWith("\r\n")) {
      throw new AssertionError("a write that does not end a line: " + text);
    }
    for (String line : text.substring(0, text.length() - 2).split("\r\n", -1)) {
      receive(line);
    }
  }

  private void receive(String line) {
    if (message != null) {
      if (line.equals(".")) {
        messages.add(message.toString());
        message = null;
        answer(".");
      } else {
        message.append(line).append("\r\n");
      }
      return;
    }
    answer(line);
  }

  private void answer(String line) {
    Step step = script.poll();
    if (step == null || !step.command().equals(line)) {
      throw new AssertionError("expected " + (step == null ? "nothing" : step.command()) + " but the client sent " + line);
    }
    replies.addAll(step.reply());
    switch (step.act()) {
      case STALL -> stalled = true;
      case DROP -> dropped = true;
      case STOP_READING -> stoppedReading = true;
      default -> {}
    }
    if (!step.reply().isEmpty() && step.reply().getLast().startsWith("354")) {
      message = new StringBuilder();
    }
  }

  @Override
  public Wire startTls(String serverName, boolean verify, Duration timeout) throws IOException {
    tlsServerName = serverName;
    tlsVerify = verify;
    Step step = script.poll();
    if (step == null || (step.act() != Act.TLS && step.act() != Act.TLS_FAILS)) {
      throw new AssertionError("unexpected TLS handshake; next step: " + step);
    }
    if (step.act() == Act.TLS_FAILS) {
      throw new SSLHandshakeException("no cipher suites in common");
    }
    encrypted = true;
    return this;
  }

  @Override
  public boolean encrypted() {
    return encrypted;
  }

  @Override
  public void close() {
    closed = true;
  }
}
