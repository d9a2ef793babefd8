package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.Refused;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/**
 * Text parts the builder encodes itself (7bit, and quoted-printable for tracking placeholders; session 8) give the
 * bytes Angus gave when it encoded every part: each message built both ways, for random bodies made of what the
 * quoted-printable rules turn on (spaces before line ends and at the end, tabs, {@code =}, control characters, DEL,
 * non-ASCII, lines longer than 76 and 998 octets, CR, LF and CRLF, placeholders split anywhere, empty bodies) in every
 * shape (text, HTML, both, with an inline image, with an attachment).
 *
 * <p>Since session 11 the builder writes text and HTML messages itself, header lines and all: random headers (display
 * names, encoded subjects and custom headers, folding, SMTPUTF8 addresses, Bcc-only, List-Unsubscribe) give the bytes
 * Angus wrote too, and so do its pieces on their own (quoted-printable, the ASCII pass, the Date header).
 */
class MessageBuilderSameBytesTest {
  static final String[] PIECES = {"a", "word", " ", "  ", "\t", "=", "==", "=20", ".", "\n", "\r", "\r\n", "\n\n", " \n", "\t\r\n", "\u0001",
      "\u007f", "é", "日本", "\uD83D\uDE00", "x".repeat(74), "y".repeat(75), "z".repeat(76), "w".repeat(1_000), "<p>", "</p>",
      "?", "\uD83D", "ÿ", LinkTracking.placeholder(1), LinkTracking.placeholder(12), "https://t.example" + LinkTracking.CLICK_PATH + LinkTracking.placeholder(3)};

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

  static final String[] WORDS = {"Hello", "news", " ", "  ", "\t", "Grüße", "日本語", "\uD83D\uDE00", "\"quoted\"", ",", ";", "<", ">", "(c)",
      "=?", "?=", "@", "\\", "é", "x".repeat(60), "y".repeat(300), "z".repeat(900), "Zoë Ünal", "a.b"};

  @Test
  void random_headers_give_the_same_bytes() {
    Random random = new Random(11_12_2026);
    for (int i = 0; i < 3_000; i++) {
      int n = i;
      String subject = words(random, random.nextInt(12));
      String fromName = random.nextInt(3) == 0 ? null : words(random, random.nextInt(5));
      int tos = random.nextInt(4);
      int ccs = random.nextInt(3);
      int replies = random.nextInt(3);
      boolean utf8From = random.nextInt(10) == 0;
      String[] names = new String[8];
      for (int k = 0; k < names.length; k++) names[k] = random.nextInt(2) == 0 ? null : words(random, 1 + random.nextInt(4));
      String[] custom = {"X-Campaign", "X-Mailer", "Keywords", "Comments", "Status", "X-Long-" + "n".repeat(40), "x-lower"};
      String header = random.nextInt(3) == 0 ? custom[random.nextInt(custom.length)] : null;
      String headerValue = words(random, random.nextInt(10));
      Instant date = Instant.ofEpochSecond(random.nextLong(0, 253_402_300_799L));
      int body = random.nextInt(4);
      same(() -> {
        MessageBuilder b = new MessageBuilder().from(utf8From ? "ñandú@example.com" : "news@example.com", fromName).subject(subject)
            .date(date).messageId("h" + n + "@example.com");
        for (int k = 0; k < tos; k++) b.to(k == 2 ? "δοκιμή@παράδειγμα.example" : "to" + k + "@bücher.example", names[k]);
        for (int k = 0; k < ccs; k++) b.cc("cc" + k + "@example.org", names[3 + k]);
        for (int k = 0; k < replies; k++) b.replyTo("r" + k + "@example.com", names[5 + k]);
        if (tos == 0 && ccs == 0) b.undisclosedRecipients();
        if (n % 5 == 0) b.listUnsubscribe(URI.create("https://u.example/u/" + "q".repeat(n % 200) + "?t=" + n), n % 2 == 0 ? "b@x.example" : null, true);
        if (n % 7 == 0) b.feedbackId(n + ":2:3:herald");
        if (header != null) b.header(header, headerValue);
        if (body != 1) b.text(body == 3 ? "Hello " + LinkTracking.placeholder(1) + "\n" : "Hello\n");
        if (body != 0) b.html("<p>Hello</p>");
        return b;
      });
    }
  }

  @Test
  void quoted_printable_is_angus_quoted_printable_for_random_octets() throws Exception {
    Random random = new Random(3);
    byte[] alphabet = " \t\r\n=.aZ~\u007f".getBytes(StandardCharsets.ISO_8859_1);
    for (int i = 0; i < 20_000; i++) {
      byte[] in = new byte[random.nextInt(i < 10_000 ? 20 : 400)];
      for (int k = 0; k < in.length; k++) {
        in[k] = random.nextInt(3) == 0 ? (byte) random.nextInt(256) : alphabet[random.nextInt(alphabet.length)];
        if (random.nextInt(50) == 0) in[k] = ' ';
      }
      ByteArrayOutputStream angus = new ByteArrayOutputStream();
      try (OutputStream qp = MimeUtility.encode(angus, "quoted-printable")) {
        qp.write(in);
      }
      assertThat(new String(MessageBuilder.QuotedPrintable.encode(in), StandardCharsets.ISO_8859_1))
          .isEqualTo(angus.toString(StandardCharsets.ISO_8859_1));
    }
  }

  @Test
  void the_date_header_is_the_formatters() {
    Random random = new Random(5);
    for (int i = 0; i < 20_000; i++) {
      Instant instant = Instant.ofEpochSecond(random.nextLong(-70_000_000_000L, 300_000_000_000L));
      assertThat(MessageBuilder.dateHeader(instant))
          .isEqualTo(java.time.format.DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", java.util.Locale.ROOT).format(instant.atOffset(ZoneOffset.UTC)));
    }
  }

  private static String words(Random random, int count) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < count; i++) s.append(WORDS[random.nextInt(WORDS.length)]);
    return s.toString();
  }

  private static String body(Random random, int n) {
    StringBuilder body = new StringBuilder();
    int pieces = random.nextInt(n < 3_000 ? 12 : 150);
    for (int i = 0; i < pieces; i++) body.append(PIECES[random.nextInt(PIECES.length)]);
    return body.toString();
  }

  /** Built here, by Angus with the text encoded here (before session 11), and all by Angus (before session 8); or refused alike. */
  private static void same(Supplier<MessageBuilder> builder) {
    String ours = wire(() -> builder.get().build().bytes());
    assertThat(ours).isEqualTo(wire(() -> builder.get().angusWrites().build().bytes()));
    assertThat(ours).isEqualTo(wire(() -> builder.get().angusEncodesText().build().bytes()));
  }

  private static String wire(Supplier<byte[]> build) {
    try {
      return new String(build.get(), StandardCharsets.ISO_8859_1);
    } catch (Refused e) {
      return "refused " + e.field() + ": " + e.getMessage();
    }
  }
}
