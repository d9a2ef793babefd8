package dev.herald.delivery.smtp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
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
    MessageData asItIs = clean(message);
    return asItIs != null ? asItIs : rewritten(message);
  }

  /**
   * The common case, and every message Herald builds and signs: every line end is CRLF and no line starts with a
   * dot, so the wire bytes are the message's, copied in one piece with the terminator after it. It was a byte at a time
   * through the general path below, a copy of every message that showed in the delivery lanes' profile. Null when
   * the message needs the general path.
   */
  private static MessageData clean(byte[] message) {
    int n = message.length;
    if (n > 0 && message[0] == '.') return null;
    // Eight bytes at a time: most words of a message hold no CR or LF (lines are ~80 bytes), and only a word that does
    // is looked at byte by byte. The high bits of every word are collected for the 8-bit test.
    long high = 0;
    int i = 0;
    while (i + 8 <= n) {
      long word = (long) LONGS.get(message, i);
      high |= word;
      if (!hasCrOrLf(word)) {
        i += 8;
        continue;
      }
      int end = i + 8;
      while (i < end) {
        int next = lineEndChecked(message, i);
        if (next < 0) return null;
        i = next;
      }
    }
    boolean eightBit = (high & HIGH_BITS) != 0;
    while (i < n) {
      if (message[i] < 0) eightBit = true;
      int next = lineEndChecked(message, i);
      if (next < 0) return null;
      i = next;
    }
    boolean open = n >= 2 && message[n - 2] != '\r' || n == 1; // a last line without its CRLF
    int size = n + (open ? 2 : 0);
    byte[] wire = new byte[size + 3];
    System.arraycopy(message, 0, wire, 0, n);
    if (open) {
      wire[n] = '\r';
      wire[n + 1] = '\n';
    }
    wire[size] = '.';
    wire[size + 1] = '\r';
    wire[size + 2] = '\n';
    return new MessageData(wire, size, eightBit);
  }

  /**
   * The index after the byte at {@code i}, or after the CRLF that starts there (checking that the next line does not
   * start with a dot); -1 when the message needs the general path (a bare CR or LF, a leading dot).
   */
  private static int lineEndChecked(byte[] message, int i) {
    byte b = message[i];
    if (b == '\n') return -1;
    if (b != '\r') return i + 1;
    int n = message.length;
    if (i + 1 >= n || message[i + 1] != '\n') return -1;
    if (i + 2 < n && message[i + 2] == '.') return -1;
    return i + 2;
  }

  private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long ONES = 0x0101010101010101L;
  private static final long HIGH_BITS = 0x8080808080808080L;

  /** Whether a byte of the word is CR or LF (the exact "has a zero byte" test on the word XOR each of them). */
  private static boolean hasCrOrLf(long word) {
    long lf = word ^ (ONES * '\n');
    long cr = word ^ (ONES * '\r');
    return ((((lf - ONES) & ~lf) | ((cr - ONES) & ~cr)) & HIGH_BITS) != 0;
  }

  /** The general path: any line end, leading dots; package-private for the test that compares the two. */
  static MessageData rewritten(byte[] message) {
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
