package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The data phase's bytes: line ends made CRLF, leading dots stuffed, the terminator after them. Messages that need no
 * change go out through a shortcut (a copy in one piece); every message must come out as the general path makes it.
 */
class MessageDataTest {

  @Test
  void the_shortcut_and_the_general_path_agree_on_every_kind_of_message() {
    byte[] alphabet = {'a', 'b', '.', '.', '\r', '\n', '\r', '\n', ' ', (byte) 0xc3, (byte) 0xa9};
    Random random = new Random(11);
    int shortcut = 0;
    for (int m = 0; m < 40_000; m++) {
      // Short ones of every byte, and longer ones of mostly letters, whose eight-byte words the shortcut reads whole.
      boolean longer = m % 2 == 1;
      byte[] message = new byte[random.nextInt(longer ? 80 : 12)];
      for (int i = 0; i < message.length; i++) {
        message[i] = longer && random.nextInt(10) > 0 ? (byte) ('a' + random.nextInt(26)) : alphabet[random.nextInt(alphabet.length)];
      }
      if (m % 3 == 0) message = crlfOnly(message);
      MessageData expected = MessageData.rewritten(message);
      MessageData actual = MessageData.of(message);
      assertThat(actual.wire()).as("message %d", m).isEqualTo(expected.wire());
      assertThat(actual.size()).isEqualTo(expected.size());
      assertThat(actual.eightBit()).isEqualTo(expected.eightBit());
      if (isClean(message)) shortcut++;
    }
    assertThat(shortcut).as("messages the shortcut took").isGreaterThan(4_000);
  }

  @Test
  void examples() {
    assertThat(wire("")).isEqualTo(".\r\n");
    assertThat(wire("a")).isEqualTo("a\r\n.\r\n");
    assertThat(wire("a\r\nb\r\n")).isEqualTo("a\r\nb\r\n.\r\n");
    assertThat(wire("a\r\n.b\r\n")).isEqualTo("a\r\n..b\r\n.\r\n");
    assertThat(wire(".\r\n")).isEqualTo("..\r\n.\r\n");
    assertThat(wire("a\n.\r\nb")).as("SMTP smuggling: the bare LF is a line end, the dot stuffed").isEqualTo("a\r\n..\r\nb\r\n.\r\n");
    assertThat(wire("a\r.\r\n")).isEqualTo("a\r\n..\r\n.\r\n");
    assertThat(MessageData.of("a\r\nb".getBytes(StandardCharsets.US_ASCII)).size()).isEqualTo(6);
    assertThat(MessageData.of("a\r\n.b\r\n".getBytes(StandardCharsets.US_ASCII)).size()).as("without the stuffing").isEqualTo(7);
    assertThat(MessageData.of("é\r\n".getBytes(StandardCharsets.UTF_8)).eightBit()).isTrue();
    assertThat(MessageData.of("e\r\n".getBytes(StandardCharsets.UTF_8)).eightBit()).isFalse();
  }

  @Test
  void a_long_clean_message_goes_as_it_is_and_a_dot_or_a_bare_line_end_anywhere_in_it_is_caught() {
    StringBuilder text = new StringBuilder();
    for (int line = 0; line < 300; line++) text.append("Line ").append(line).append(" of a message, ".repeat(line % 7)).append("\r\n");
    byte[] clean = text.toString().getBytes(StandardCharsets.ISO_8859_1);
    MessageData data = MessageData.of(clean);
    assertThat(data.wire()).isEqualTo(MessageData.rewritten(clean).wire());
    assertThat(java.util.Arrays.copyOf(data.wire(), clean.length)).isEqualTo(clean);
    assertThat(data.eightBit()).isFalse();
    // At every position: a leading dot, a bare LF, a bare CR, an 8-bit byte; each must come out as the general path makes it.
    for (int at = 0; at < 200; at++) {
      for (String change : new String[] {"\r\n.", "\n", "\r", "\u00e9"}) {
        String altered = text.substring(0, at) + change + text.substring(at);
        byte[] bytes = altered.getBytes(StandardCharsets.ISO_8859_1);
        MessageData expected = MessageData.rewritten(bytes);
        MessageData actual = MessageData.of(bytes);
        assertThat(actual.wire()).as("%s at %d", change, at).isEqualTo(expected.wire());
        assertThat(actual.eightBit()).as("%s at %d", change, at).isEqualTo(expected.eightBit());
        assertThat(actual.size()).isEqualTo(expected.size());
      }
    }
  }

  private static String wire(String message) {
    return new String(MessageData.of(message.getBytes(StandardCharsets.ISO_8859_1)).wire(), StandardCharsets.ISO_8859_1);
  }

  /** Bare CRs and LFs made CRLF, so that the shortcut gets its share of the messages. */
  private static byte[] crlfOnly(byte[] message) {
    String text = new String(message, StandardCharsets.ISO_8859_1).replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\r\n");
    return text.getBytes(StandardCharsets.ISO_8859_1);
  }

  private static boolean isClean(byte[] message) {
    String text = new String(message, StandardCharsets.ISO_8859_1);
    return !text.startsWith(".") && !text.contains("\r\n.") && text.replace("\r\n", "").indexOf('\r') < 0
        && text.replace("\r\n", "").indexOf('\n') < 0;
  }
}
