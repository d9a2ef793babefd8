package dev.herald.delivery.smtp;

import java.io.IOException;
import java.net.ProtocolException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads and parses multi-line replies with their RFC 3463 enhanced status codes. */
final class Replies {
  /** A bound on what a hostile or broken server can make us hold: an EHLO list is ~20 lines. */
  static final int MAX_LINES = 256;

  private static final Pattern ENHANCED = Pattern.compile("^([245])\\.(\\d{1,3})\\.(\\d{1,3})(?:\\s+|$)");

  private Replies() {}

  /**
   * Reads one reply, all its lines waiting at most {@code timeout} each.
   *
   * @throws ProtocolException when a line is not a reply line or the lines disagree on the code
   */
  static SmtpReply read(Wire wire, Duration timeout) throws IOException {
    List<String> lines = new ArrayList<>();
    int code = -1;
    while (true) {
      String line = wire.readLine(timeout);
      int lineCode = codeOf(line);
      if (code != -1 && lineCode != code) {
        throw new ProtocolException("reply lines with different codes: " + code + " then " + abbreviate(line));
      }
      code = lineCode;
      boolean last = line.length() == 3 || line.charAt(3) == ' ';
      lines.add(line.length() > 4 ? line.substring(4) : "");
      if (last) {
        return parse(code, lines);
      }
      if (lines.size() >= MAX_LINES) {
        throw new ProtocolException("reply longer than " + MAX_LINES + " lines");
      }
    }
  }

  /** Splits the enhanced code off each line's text when its class matches the reply code. */
  static SmtpReply parse(int code, List<String> texts) {
    String enhanced = null;
    List<String> lines = new ArrayList<>(texts.size());
    for (String text : texts) {
      Matcher m = ENHANCED.matcher(text);
      if (m.find() && m.group(1).charAt(0) - '0' == code / 100) {
        if (enhanced == null) {
          enhanced = m.group(1) + "." + Integer.parseInt(m.group(2)) + "." + Integer.parseInt(m.group(3));
        }
        text = text.substring(m.end());
      }
      lines.add(text.strip());
    }
    return new SmtpReply(code, enhanced, lines);
  }

  private static int codeOf(String line) throws ProtocolException {
    boolean shaped =
        line.length() >= 3
            && line.charAt(0) >= '2' && line.charAt(0) <= '5'
            && Character.isDigit(line.charAt(1)) && Character.isDigit(line.charAt(2))
            && (line.length() == 3 || line.charAt(3) == ' ' || line.charAt(3) == '-');
    if (!shaped) {
      throw new ProtocolException("not an SMTP reply line: " + abbreviate(line));
    }
    return Integer.parseInt(line, 0, 3, 10);
  }

  private static String abbreviate(String line) {
    return line.length() <= 60 ? line : line.substring(0, 60) + "...";
  }
}
