package dev.herald.delivery.smtp;

import java.util.Arrays;

/**
 * A message as it goes after DATA: every line ending made CRLF, every line that starts with a dot
 * given a second one (RFC 5321 §4.5.2), and the terminating {@code .CRLF}.
 *
 * <p>A bare CR or LF counts as a line ending and becomes CRLF. That is what makes SMTP smuggling
 * impossible through Herald: a message holding {@code \n.\r\n} goes out as a stuffed {@code ..}
 * line, never as an end of data a lenient server would act on.
 *
 * @param wire the bytes to send after the 354 reply
 * @param size the message's size as RFC 1870 counts it: CRLF line endings, without the stuffing
 *     and the terminator
 * @param eightBit whether a byte is above 127 (BODY=8BITMIME applies)
 */
record MessageData(byte[] wire, long size, boolean eightBit) {

  static MessageData of(byte[] message) {
    byte[] out = new byte[message.length + message.length / 32 + 16];
    int length = 0;
    int stuffed = 0;
    boolean eightBit = false;
    boolean lineStart = true;
    for (int i = 0; i < message.length; i++) {
      byte b = message[i];
      if (length + 5 > out.length) {
        out = Arrays.copyOf(out, out.length * 2);
      }
      if (b == '\r' || b == '\n') {
        if (b == '\r' && i + 1 < message.length && message[i + 1] == '\n') {
          i++;
        }
        out[length++] = '\r';
        out[length++] = '\n';
        lineStart = true;
        continue;
      }
      if (lineStart && b == '.') {
        out[length++] = '.';
        stuffed++;
      }
      if (b < 0) {
        eightBit = true;
      }
      out[length++] = b;
      lineStart = false;
    }
    if (length + 5 > out.length) {
      out = Arrays.copyOf(out, length + 5);
    }
    if (!lineStart) {
      out[length++] = '\r';
      out[length++] = '\n';
    }
    long size = length - stuffed;
    out[length++] = '.';
    out[length++] = '\r';
    out[length++] = '\n';
    return new MessageData(Arrays.copyOf(out, length), size, eightBit);
  }
}
