package dev.herald.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A remote mail server handing one message to Herald's inbound SMTP listener (bounces, complaints): the tests that
 * feed DSNs and ARF reports through the real listener share it. Each reply is checked; the final 250 comes after the
 * listener committed what the message made it do.
 */
public final class InboundSmtp {
  private InboundSmtp() {}

  /** Sends {@code message} for {@code rcpt} to the listener on 127.0.0.1:{@code port}, with a null return path. */
  public static void deliver(int port, String rcpt, byte[] message) throws Exception {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
      OutputStream out = socket.getOutputStream();
      assertThat(reply(in)).startsWith("220");
      assertThat(command(in, out, "EHLO mx.receiver.example")).startsWith("250");
      assertThat(command(in, out, "MAIL FROM:<>")).startsWith("250");
      assertThat(command(in, out, "RCPT TO:<" + rcpt + ">")).startsWith("250");
      assertThat(command(in, out, "DATA")).startsWith("354");
      String text = new String(message, StandardCharsets.UTF_8).replace("\r\n.", "\r\n..");
      out.write((text + (text.endsWith("\r\n") ? "" : "\r\n") + ".\r\n").getBytes(StandardCharsets.UTF_8));
      out.flush();
      assertThat(reply(in)).startsWith("250");
      command(in, out, "QUIT");
    }
  }

  static String command(BufferedReader in, OutputStream out, String command) throws Exception {
    out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.flush();
    return reply(in);
  }

  /** One reply, all its lines (a multi-line reply's dash after the code). */
  static String reply(BufferedReader in) throws Exception {
    StringBuilder all = new StringBuilder();
    String line;
    do {
      line = in.readLine();
      if (line == null) throw new AssertionError("connection closed after " + all);
      all.append(line).append('\n');
    } while (line.length() > 3 && line.charAt(3) == '-');
    return all.toString().strip();
  }
}
