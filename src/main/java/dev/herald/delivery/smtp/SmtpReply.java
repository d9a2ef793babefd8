package dev.herald.delivery.smtp;

import java.util.List;
import java.util.Objects;

/**
 * One SMTP reply, possibly multi-line (RFC 5321 §4.2).
 *
 * @param code the three-digit reply code
 * @param enhancedCode the RFC 3463 enhanced status code ({@code "5.1.1"}) when the server gave one
 *     whose class matches the reply code, else {@code null}
 * @param lines the text of each line, without the code, separator and enhanced code
 */
public record SmtpReply(int code, String enhancedCode, List<String> lines) {

  public SmtpReply {
    if (code < 200 || code > 599) {
      throw new IllegalArgumentException("reply code out of range: " + code);
    }
    lines = List.copyOf(Objects.requireNonNull(lines, "lines"));
  }

  /** 2xx: the command was accepted. */
  public boolean positive() {
    return code / 100 == 2;
  }

  /** 4xx: refused for now; the same command may succeed later. */
  public boolean transientFailure() {
    return code / 100 == 4;
  }

  /** 5xx: refused; repeating the command will not help. */
  public boolean permanentFailure() {
    return code / 100 == 5;
  }

  /** The lines joined by spaces. */
  public String text() {
    return String.join(" ", lines);
  }

  /** As a person reads it in the panel: {@code 550 5.1.1 no such user}. */
  @Override
  public String toString() {
    StringBuilder s = new StringBuilder().append(code);
    if (enhancedCode != null) {
      s.append(' ').append(enhancedCode);
    }
    String text = text();
    if (!text.isEmpty()) {
      s.append(' ').append(text);
    }
    return s.toString();
  }
}
