package dev.herald.messages;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The "relaxed" canonicalizations of RFC 6376 §3.4.2 (header) and §3.4.4 (body), on the message's raw
 * bytes. Header bytes are read as ISO-8859-1 so that every byte maps to one char and back unchanged:
 * UTF-8 header text (SMTPUTF8 mail) is signed exactly as it goes on the wire.
 */
final class DkimCanonical {
  private static final byte CR = '\r';
  private static final byte LF = '\n';

  private DkimCanonical() {}

  /** One header field as it stands in the message, continuation lines included, without its final CRLF. */
  record Field(String name, String raw) {
    String lowerName() {
      return asciiLower(name);
    }
  }

  /** A message split at the empty line that ends its header. */
  record Split(List<Field> fields, int bodyStart) {}

  /**
   * Splits the header into fields. The signer is given wire bytes, so a CR or LF that is not part of a
   * CRLF pair anywhere in the message is refused: canonicalizing it would sign something other than what a
   * receiver sees after its MTA normalizes line ends.
   */
  static Split split(byte[] message) {
    requireCrlf(message);
    List<Field> fields = new ArrayList<>();
    int pos = 0;
    int fieldStart = -1;
    while (pos < message.length) {
      int lineEnd = indexOfCrlf(message, pos);
      int next = lineEnd < 0 ? message.length : lineEnd + 2;
      boolean empty = lineEnd == pos;
      boolean continuation = !empty && (message[pos] == ' ' || message[pos] == '\t');
      if (!continuation && fieldStart >= 0) {
        fields.add(field(message, fieldStart, pos - 2));
        fieldStart = -1;
      }
      if (empty) return new Split(fields, next);
      if (continuation && fieldStart < 0) throw new IllegalArgumentException("the message starts with a continuation line");
      if (!continuation) fieldStart = pos;
      if (lineEnd < 0) {
        fields.add(field(message, fieldStart, message.length));
        return new Split(fields, message.length);
      }
      pos = next;
    }
    if (fieldStart >= 0) fields.add(field(message, fieldStart, message.length - 2));
    return new Split(fields, message.length);
  }

  private static Field field(byte[] message, int start, int end) {
    String raw = new String(message, start, end - start, StandardCharsets.ISO_8859_1);
    int colon = raw.indexOf(':');
    if (colon <= 0) throw new IllegalArgumentException("a header line without a field name: " + abbreviated(raw));
    return new Field(raw.substring(0, colon).strip(), raw);
  }

  /**
   * §3.4.2: the name lower-cased, the value unfolded, runs of WSP made one space, WSP at the ends of the
   * value and around the colon removed; ends with CRLF.
   */
  static String header(String rawField) {
    int colon = rawField.indexOf(':');
    String name = asciiLower(stripWsp(rawField.substring(0, colon)));
    StringBuilder out = new StringBuilder(rawField.length()).append(name).append(':');
    boolean pendingSpace = false;
    boolean started = false;
    for (int i = colon + 1; i < rawField.length(); i++) {
      char c = rawField.charAt(i);
      if (c == '\r' || c == '\n') continue;
      if (c == ' ' || c == '\t') {
        pendingSpace = started;
        continue;
      }
      if (pendingSpace) out.append(' ');
      pendingSpace = false;
      started = true;
      out.append(c);
    }
    return out.append("\r\n").toString();
  }

  /**
   * §3.4.4: WSP at line ends removed, runs of WSP made one space, empty lines at the end removed, a CRLF
   * added to a last line without one. An empty body stays empty (RFC 6376 changed this from RFC 4871,
   * where it became CRLF; python3-dkim and OpenDKIM follow RFC 6376).
   */
  static byte[] body(byte[] message, int start) {
    byte[] out = new byte[message.length - start + 2];
    return java.util.Arrays.copyOf(out, body(message, start, out));
  }

  /** The SHA-256 of the canonical body ({@code bh=}), without copying it once more. */
  static byte[] bodyHash(byte[] message, int start, java.security.MessageDigest sha256) {
    byte[] out = new byte[message.length - start + 2];
    sha256.update(out, 0, body(message, start, out));
    return sha256.digest();
  }

  /**
   * Writes the canonical body into {@code out} (at least the body's length + 2) and answers its length. One pass
   * over the bytes (it was a search for each line end and a second pass over the line: the canonicalization was the
   * largest part of signing left in the MTA's profile once the signatures were native).
   */
  private static int body(byte[] message, int start, byte[] out) {
    // Every output byte stands for at least one input byte, but for the CRLF added to a last line without one.
    int size = 0;
    int pendingEmptyLines = 0;
    boolean pendingSpace = false;
    boolean blank = true;
    int n = message.length;
    for (int i = start; i < n; i++) {
      byte b = message[i];
      if (b == CR && i + 1 < n && message[i + 1] == LF) {
        // A line end: WSP before it goes; an empty (or all-WSP) line waits until a line with content follows.
        if (blank) {
          pendingEmptyLines++;
        } else {
          out[size++] = CR;
          out[size++] = LF;
        }
        pendingSpace = false;
        blank = true;
        i++;
        continue;
      }
      if (b == ' ' || b == '\t') {
        pendingSpace = true;
        continue;
      }
      if (blank) {
        for (; pendingEmptyLines > 0; pendingEmptyLines--) {
          out[size++] = CR;
          out[size++] = LF;
        }
        blank = false;
      }
      if (pendingSpace) {
        out[size++] = ' ';
        pendingSpace = false;
      }
      out[size++] = b;
    }
    if (!blank) {
      out[size++] = CR;
      out[size++] = LF;
    }
    return size;
  }

  static void requireCrlf(byte[] message) {
    for (int i = 0; i < message.length; i++) {
      byte b = message[i];
      if (b == CR && (i + 1 >= message.length || message[i + 1] != LF)) {
        throw new IllegalArgumentException("a bare CR at byte " + i + ": DKIM signs wire bytes, which end lines with CRLF only");
      }
      if (b == LF && (i == 0 || message[i - 1] != CR)) {
        throw new IllegalArgumentException("a bare LF at byte " + i + ": DKIM signs wire bytes, which end lines with CRLF only");
      }
    }
  }

  private static int indexOfCrlf(byte[] message, int from) {
    for (int i = from; i + 1 < message.length; i++) {
      if (message[i] == CR && message[i + 1] == LF) return i;
    }
    return -1;
  }

  private static String stripWsp(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && (s.charAt(start) == ' ' || s.charAt(start) == '\t')) start++;
    while (end > start && (s.charAt(end - 1) == ' ' || s.charAt(end - 1) == '\t')) end--;
    return s.substring(start, end);
  }

  /** ASCII only: a field name is printable US-ASCII, and Locale rules must not touch other bytes. */
  static String asciiLower(String s) {
    char[] chars = s.toCharArray();
    for (int i = 0; i < chars.length; i++) {
      if (chars[i] >= 'A' && chars[i] <= 'Z') chars[i] = (char) (chars[i] + 32);
    }
    return new String(chars);
  }

  private static String abbreviated(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "..." : s;
  }
}
