package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Text parts the builder encodes itself (7bit, and quoted-printable for tracking placeholders; session 8) give the
 * bytes Angus gave when it encoded every part: each message built both ways, for random bodies made of what the
 * quoted-printable rules turn on (spaces before line ends and at the end, tabs, {@code =}, control characters, DEL,
 * non-ASCII, lines longer than 76 and 998 octets, CR, LF and CRLF, placeholders split anywhere, empty bodies) in every
 * shape (text, HTML, both, with an inline image, with an attachment).
 */
class MessageBuilderSameBytesTest {
  static final String[] PIECES = {"a", "word", " ", "  ", "\t", "=", "==", "=20", ".", "\n", "\r", "\r\n", "\n\n", " \n", "\t\r\n", "\u0001",
      "\u007f", "é", "日本", "\uD83D\uDE00", "x".repeat(74), "y".repeat(75), "z".repeat(76), "w".repeat(1_000), "<p>", "</p>",
      LinkTracking.placeholder(1), LinkTracking.placeholder(12), "https://t.example" + LinkTracking.CLICK_PATH + LinkTracking.placeholder(3)};

  @Test
  void random_bodies_give_the_same_bytes_in_every_shape() {
    Random random = new Random(7_12_2026);
    for (int i = 0; i < 4_000; i++) {
      int n = i;
      String text = random.nextInt(8) == 0 ? null : body(random, n);
      String html = text != null && random.nextInt(8) == 0 ? null : body(random, n);
      int shape = random.nextInt(6);
      same(() -> {
        MessageBuilder b = MessageBuilderTest.basic().messageId("m" + n + "@example.com");
        if (text != null) b.text(text);
        if (html != null) b.html(html);
        if (shape == 1 && html != null) b.inlineImage("logo@example.com", "image/png", MessageBuilderTest.PNG);
        if (shape == 2) b.attachment("report.pdf", "application/pdf", MessageBuilderTest.PDF);
        if (shape == 3) b.listUnsubscribe(URI.create("https://u.example/u?t=" + n), "b+" + n + "@bounces.example.com", true).feedbackId("1:2:3:h");
        return b;
      });
    }
  }

  @Test
  void the_builder_tests_shapes_and_a_campaign_sized_message_give_the_same_bytes() {
    same(() -> MessageBuilderTest.basic().text("Just text.\n"));
    same(() -> MessageBuilderTest.basic().html("<p>Only HTML</p>"));
    same(() -> MessageBuilderTest.basic().text("").html(""));
    same(() -> MessageBuilderTest.basic().text("ends with a space ").html("ends with a tab\t"));
    same(() -> MessageBuilderTest.basic().text("x".repeat(5000) + "\n" + "ä".repeat(3000)).html("<p>" + "y".repeat(4000) + "</p>"));
    StringBuilder html = new StringBuilder("<html><body>");
    for (int p = 0; p < 50; p++) {
      html.append("<p style=\"margin:0 0 12px\">Person Number").append(p).append(", paragraph ").append(p)
          .append(" of the newsletter: the quick brown fox jumps over the lazy dog.</p>\n");
      if (p % 10 == 4) html.append("<p><a href=\"https://track.example/t/c/").append(LinkTracking.placeholder(p / 10 + 1)).append("\">Read more</a></p>\n");
    }
    html.append("<img src=\"https://track.example/t/o/").append(LinkTracking.placeholder(0)).append("\"></body></html>");
    same(() -> MessageBuilderTest.basic().text("Person Number1, paragraph 1 of the newsletter.\n".repeat(120)).html(html.toString()));
  }

  private static String body(Random random, int n) {
    StringBuilder body = new StringBuilder();
    int pieces = random.nextInt(n < 3_000 ? 12 : 150);
    for (int i = 0; i < pieces; i++) body.append(PIECES[random.nextInt(PIECES.length)]);
    return body.toString();
  }

  private static void same(Supplier<MessageBuilder> builder) {
    byte[] ours = builder.get().build().bytes();
    byte[] angus = builder.get().angusEncodesText().build().bytes();
    assertThat(new String(ours, StandardCharsets.ISO_8859_1)).isEqualTo(new String(angus, StandardCharsets.ISO_8859_1));
  }
}
