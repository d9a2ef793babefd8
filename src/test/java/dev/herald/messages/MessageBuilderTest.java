package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.testsupport.MimeLint;
import jakarta.mail.BodyPart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * The MIME lint: every message is parsed back by Angus and checked byte by byte (CRLF only, lines of at
 * most 998 octets, ASCII headers unless SMTPUTF8), and Python's email package with policy=strict gives a
 * second opinion on the structure and the decoded headers.
 */
class MessageBuilderTest {
  static final Instant DATE = Instant.parse("2026-12-06T17:30:05Z");
  static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R', 1, 2, 3};
  static final byte[] PDF = "%PDF-1.4\n%\u00e2\u00e3\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n".getBytes(StandardCharsets.ISO_8859_1);

  static MessageBuilder basic() {
    return new MessageBuilder().from("news@example.com", "Example News").to("ann@example.net", null)
        .subject("Hello").date(DATE).messageId("m1@example.com");
  }

  /** The shapes the DKIM oracle test signs too. */
  static List<OutgoingMessage> shapes() {
    List<OutgoingMessage> shapes = new ArrayList<>();
    shapes.add(basic().text("Just text.\n").build());
    shapes.add(basic().html("<p>Only HTML</p>").build());
    shapes.add(fullShape().build());
    shapes.add(basic().subject("Grüße aus Köln — 日本語のメール, a subject long enough that it has to be folded over several lines")
        .to("bob@bücher.example", "Bob \"the builder\", Jr.").cc("cy@example.org", "Zoë Ünal").replyTo("help@example.com", null)
        .text("Hällo\n\n  indented   with   runs   of   spaces   \t\n.leading dot\n..two dots\n\n\n").build());
    shapes.add(basic().text("x".repeat(5000) + "\n" + "ä".repeat(3000)).html("<p>" + "y".repeat(4000) + "</p>").build());
    shapes.add(basic().text("").build());
    shapes.add(basic().from("ñandú@example.com", "Ñandú").to("δοκιμή@παράδειγμα.example", null).subject("SMTPUTF8 ✓").text("ü\n").build());
    shapes.add(new MessageBuilder().from("news@example.com", null).undisclosedRecipients().subject("Bcc only").date(DATE)
        .messageId("m3@example.com").text("To nobody shown.\n").build());
    // tracked HTML: placeholders in quoted-printable, mostly non-ASCII (base64 otherwise), a line long enough to fold
    String tracked = LinkTracking.rewrite("<html><body><p>" + "日本語のメール。".repeat(40) + "<a href=\"https://example.com/" + "p".repeat(120)
        + "\">link</a></p></body></html>", "track.example.com", true, true, java.util.Set.of()).html();
    OutgoingMessage withPlaceholders = basic().text("Text stays.\n").html(tracked).inlineImage("logo@example.com", "image/png", PNG).build();
    shapes.add(withPlaceholders);
    // and one recipient's copy of it, as delivery signs and sends it
    shapes.add(new OutgoingMessage(LinkTrackingTest.TRACKING.personalize(withPlaceholders.bytes(), 12, 34), withPlaceholders.messageId(), false));
    return shapes;
  }

  static MessageBuilder fullShape() {
    return basic().cc("cy@example.org", null).replyTo("replies@example.com", "Replies")
        .text("Hello Ann,\r\nsee the logo.\r\n").html("<html><body><p>Hello Ann, <img src=\"cid:logo@example.com\"></p></body></html>")
        .inlineImage("logo@example.com", "image/png", PNG).attachment("Rechnung März.pdf", "application/pdf", PDF)
        .attachment("notes.txt", "text/plain", "a\nb\n".getBytes(StandardCharsets.US_ASCII))
        .attachment("alte.txt", "text/plain; charset=iso-8859-1", "Stra\u00dfe\n".getBytes(StandardCharsets.ISO_8859_1))
        .listUnsubscribe(URI.create("https://lists.example.com/u/abc?x=1"), "unsubscribe@example.com", true)
        .feedbackId("campaign42:list7:org3:herald").header("X-Campaign", "Winter — sale");
  }

  @Test
  void text_only_is_one_part_with_the_headers_receivers_expect() throws Exception {
    OutgoingMessage built = basic().text("Hello\nworld\n").build();
    String wire = lint(built);
    assertThat(wire).startsWith("Date: Sun, 6 Dec 2026 17:30:05 +0000\r\n")
        .contains("\r\nFrom: Example News <news@example.com>\r\n", "\r\nTo: ann@example.net\r\n", "\r\nMessage-ID: <m1@example.com>\r\n",
            "\r\nSubject: Hello\r\n", "\r\nMIME-Version: 1.0\r\n", "\r\nContent-Type: text/plain; charset=us-ascii\r\n",
            "\r\nContent-Transfer-Encoding: 7bit\r\n", "\r\n\r\nHello\r\nworld\r\n")
        .doesNotContain("Bcc", "Return-Path", "List-Unsubscribe");
    assertThat(built.messageId()).isEqualTo("m1@example.com");
    assertThat(built.smtpUtf8()).isFalse();
    assertThat(python(built)).startsWith("0 text/plain us-ascii 7bit -\n");
  }

  @Test
  void generated_message_id_is_on_the_from_domain() throws Exception {
    OutgoingMessage built = new MessageBuilder().from("a@Bücher.example", null).to("b@example.net", null).text("x").build();
    assertThat(built.messageId()).matches("[A-Za-z0-9_-]{43}@xn--bcher-kva\\.example");
    assertThat(lint(built)).contains("Message-ID: <" + built.messageId() + ">\r\n");
    assertThat(new MessageBuilder().from("a@example.com", null).to("b@example.net", null).text("x").build().messageId())
        .isNotEqualTo(built.messageId());
  }

  @Test
  void text_and_html_are_alternatives_and_utf8_text_is_quoted_printable() throws Exception {
    OutgoingMessage built = basic().text("Grüße\n").html("<p>Grüße</p>").build();
    MimeMultipart alternative = (MimeMultipart) parse(built).getContent();
    assertThat(alternative.getContentType()).startsWith("multipart/alternative");
    assertThat(alternative.getBodyPart(0).getContentType()).isEqualTo("text/plain; charset=utf-8");
    assertThat(alternative.getBodyPart(0).getHeader("Content-Transfer-Encoding")).containsExactly("quoted-printable");
    assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("Grüße\r\n");
    assertThat(alternative.getBodyPart(1).getContent()).isEqualTo("<p>Grüße</p>");
    assertThat(python(built)).isEqualTo("""
        0 multipart/alternative - - -
        1 text/plain utf-8 quoted-printable -
        1 text/html utf-8 quoted-printable -
        subject: Hello
        from: Example News <news@example.com>
        to: ann@example.net
        """);
  }

  @Test
  void inline_images_are_related_to_the_html_and_attachments_mixed_around_them() throws Exception {
    OutgoingMessage built = fullShape().build();
    MimeMessage parsed = parse(built);
    MimeMultipart mixed = (MimeMultipart) parsed.getContent();
    assertThat(mixed.getContentType()).startsWith("multipart/mixed");
    MimeMultipart related = (MimeMultipart) mixed.getBodyPart(0).getContent();
    assertThat(related.getContentType()).startsWith("multipart/related").contains("type=\"multipart/alternative\"");
    BodyPart image = related.getBodyPart(1);
    assertThat(image.getHeader("Content-ID")).containsExactly("<logo@example.com>");
    assertThat(image.getDisposition()).isEqualTo(Part.INLINE);
    assertThat(image.getInputStream().readAllBytes()).isEqualTo(PNG);
    BodyPart pdf = mixed.getBodyPart(1);
    assertThat(pdf.getDisposition()).isEqualTo(Part.ATTACHMENT);
    assertThat(pdf.getInputStream().readAllBytes()).isEqualTo(PDF);
    assertThat(python(built)).isEqualTo("""
        0 multipart/mixed - - -
        1 multipart/related - - -
        2 multipart/alternative - - -
        3 text/plain us-ascii 7bit -
        3 text/html us-ascii 7bit -
        2 image/png - base64 -
        1 application/pdf - base64 Rechnung März.pdf
        1 text/plain utf-8 base64 notes.txt
        1 text/plain iso-8859-1 base64 alte.txt
        subject: Hello
        from: Example News <news@example.com>
        to: ann@example.net
        cc: cy@example.org
        reply-to: Replies <replies@example.com>
        list-unsubscribe: <https://lists.example.com/u/abc?x=1>, <mailto:unsubscribe@example.com?subject=unsubscribe>
        x-campaign: Winter — sale
        """);
    String wire = new String(built.bytes(), StandardCharsets.US_ASCII);
    assertThat(wire).contains("\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n",
        "\r\nFeedback-ID: campaign42:list7:org3:herald\r\n", "filename*=UTF-8''Rechnung%20M%C3%A4rz.pdf");
  }

  @Test
  void non_ascii_header_text_is_in_encoded_words_and_decodes_back() throws Exception {
    String subject = "Grüße aus Köln — 日本語のメール, a subject long enough that it has to be folded over several lines";
    OutgoingMessage built = basic().subject(subject).to("bob@bücher.example", "Bob \"the builder\", Jr.").cc("cy@example.org", "Zoë Ünal")
        .text("x").build();
    String wire = lint(built);
    assertThat(wire).contains("Subject: =?UTF-8?").contains("bob@xn--bcher-kva.example");
    MimeMessage parsed = parse(built);
    assertThat(parsed.getSubject()).isEqualTo(subject);
    assertThat(((InternetAddress) parsed.getRecipients(MimeMessage.RecipientType.TO)[1]).getPersonal()).isEqualTo("Bob \"the builder\", Jr.");
    assertThat(((InternetAddress) parsed.getRecipients(MimeMessage.RecipientType.CC)[0]).getPersonal()).isEqualTo("Zoë Ünal");
    assertThat(python(built)).contains("subject: " + subject + "\n", "cc: Zoë Ünal <cy@example.org>\n");
  }

  @Test
  void long_lines_are_encoded_so_no_line_exceeds_998_octets() throws Exception {
    OutgoingMessage built = basic().text("x".repeat(5000) + "\n" + "y".repeat(999)).html("<p>" + "z".repeat(4000) + "</p>").build();
    lint(built);
    MimeMultipart alternative = (MimeMultipart) parse(built).getContent();
    assertThat(alternative.getBodyPart(0).getHeader("Content-Transfer-Encoding")).containsExactly("quoted-printable");
    assertThat(alternative.getBodyPart(0).getContent()).isEqualTo("x".repeat(5000) + "\r\n" + "y".repeat(999));
    assertThat(alternative.getBodyPart(1).getContent()).isEqualTo("<p>" + "z".repeat(4000) + "</p>");
    // Many recipients and long display names are folded too.
    MessageBuilder many = basic().text("x");
    for (int i = 0; i < 200; i++) many.to("person" + i + "@example.net", "Person Number " + i);
    lint(many.build());
  }

  @Test
  void line_ends_of_any_kind_become_crlf() throws Exception {
    OutgoingMessage built = basic().text("a\nb\rc\r\nd\n\n").build();
    assertThat(lint(built)).endsWith("\r\n\r\na\r\nb\r\nc\r\nd\r\n\r\n");
    assertThat(lint(basic().text("\n\rx\r").build())).endsWith("7bit\r\n\r\n\r\n\r\nx\r\n");
  }

  @Test
  void same_input_same_bytes_boundaries_come_from_the_message_id() {
    byte[] first = fullShape().build().bytes();
    assertThat(fullShape().build().bytes()).isEqualTo(first);
    byte[] other = fullShape().messageId("m2@example.com").build().bytes();
    assertThat(other).isNotEqualTo(first);
  }

  @Test
  void header_injection_is_refused_in_every_header_value() {
    for (String bad : List.of("a\r\nBcc: victim@example.org", "a\nX: y", "a\rb", "a\u0000b", "a\u0007b")) {
      refused(b -> b.subject(bad), "subject", "Subject");
      refused(b -> b.from("news@example.com", bad), "from", "From");
      refused(b -> b.to("ann@example.net", bad), "to", "To");
      refused(b -> b.cc("ann@example.net", bad), "cc", "Cc");
      refused(b -> b.replyTo("ann@example.net", bad), "replyTo", "Reply-To");
      refused(b -> b.to(bad.replace("a", "x@example.com"), null), "to", "To");
      refused(b -> b.header("X-Campaign", bad), "headers.X-Campaign", "X-Campaign");
      refused(b -> b.feedbackId(bad), "feedbackId", "Feedback-ID");
      refused(b -> b.attachment(bad, "text/plain", new byte[1]), "attachments[0].fileName", "Content-Disposition");
      refused(b -> b.attachment("a.txt", "text/plain;" + bad, new byte[1]), "attachments[0].contentType", "Content-Type");
    }
    refused(b -> b.header("X-Bad\r\nBcc", "v"), "headers", "header name");
    refused(b -> b.header("X Space", "v"), "headers", "header name");
    refused(b -> b.messageId("a\r\nb@example.com"), "messageId", "Message-ID");
    refused(b -> b.messageId("<a@example.com>"), "messageId", "Message-ID");
  }

  @Test
  void headers_herald_writes_cannot_be_set_or_doubled_or_too_long_to_fold() {
    for (String name : List.of("From", "bcc", "Subject", "Message-ID", "Content-Type", "DKIM-Signature", "List-Unsubscribe", "Return-Path")) {
      refused(b -> b.header(name, "x"), "headers." + name, "written by Herald");
    }
    refused(b -> b.header("X-A", "1").header("x-a", "2"), "headers.x-a", "given twice");
    refused(b -> b.header("X-Long", "w".repeat(1500)).build(), "headers.X-Long", "too long for a mail line");
    refused(b -> b.subject("Sale " + "w".repeat(1500)).build(), "subject", "too long for a mail line");
    // Long values with spaces are folded, not refused.
    assertThat(lint(basic().text("x").subject("word ".repeat(350).strip()).header("X-Ok", "w ".repeat(900).strip()).build()))
        .contains("\r\nX-Ok: w w");
  }

  @Test
  void list_unsubscribe_rules() throws Exception {
    String wire = lint(basic().text("x").listUnsubscribe(null, "u@example.com", false).build());
    assertThat(wire).contains("List-Unsubscribe: <mailto:u@example.com?subject=unsubscribe>\r\n").doesNotContain("List-Unsubscribe-Post");
    refused(b -> b.listUnsubscribe(URI.create("http://example.com/u"), null, false), "listUnsubscribe", "https");
    refused(b -> b.listUnsubscribe(null, "u@example.com", true), "listUnsubscribe", "needs an https URL");
    refused(b -> b.listUnsubscribe(null, null, false), "listUnsubscribe", "List-Unsubscribe needs");
    refused(b -> b.listUnsubscribe(null, "ü@example.com", false), "listUnsubscribe", "ASCII");
  }

  @Test
  void a_message_needs_from_recipients_and_a_body() {
    assertRefused(() -> new MessageBuilder().to("a@example.com", null).text("x").build(), "from", "From");
    assertRefused(() -> new MessageBuilder().from("a@example.com", null).text("x").build(), "to", "recipient");
    assertRefused(() -> new MessageBuilder().from("a@example.com", null).to("b@example.com", null).build(), "text", "body");
    assertRefused(() -> basic().text("x").inlineImage("i@x", "image/png", PNG).build(), "inlineImages", "HTML");
    refused(b -> b.to("not an address", null), "to", "not valid");
    refused(b -> b.inlineImage("i@x", "application/pdf", PDF), "inlineImages[0].contentType", "image/");
    refused(b -> b.attachment("a", "multipart/mixed", PDF), "attachments[0].contentType", "content type");
  }

  @Test
  void a_bcc_only_message_has_the_empty_undisclosed_recipients_group_as_to() throws Exception {
    OutgoingMessage message = new MessageBuilder().from("news@example.com", null).undisclosedRecipients().subject("Hi").date(DATE)
        .messageId("m2@example.com").text("x\n").build();
    String wire = lint(message);
    assertThat(wire).contains("\r\nTo: undisclosed-recipients:;\r\n").doesNotContainPattern("(?im)^cc:");
    InternetAddress group = (InternetAddress) parse(message).getRecipients(jakarta.mail.Message.RecipientType.TO)[0];
    assertThat(group.isGroup()).isTrue();
    assertThat(group.getGroup(true)).isEmpty(); // a group with no member: nobody's address is shown
    assertThat(python(message)).contains("to: undisclosed-recipients:;\n");
    // a To given as well wins: the group is not written beside it
    assertThat(lint(basic().undisclosedRecipients().text("x").build())).contains("To: ann@example.net\r\n").doesNotContain("undisclosed");
  }

  @Test
  void smtputf8_only_when_a_local_part_needs_it() throws Exception {
    assertThat(basic().to("bob@bücher.example", null).text("x").build().smtpUtf8()).isFalse();
    OutgoingMessage utf8 = basic().from("ñandú@example.com", "Ñandú").to("δοκιμή@παράδειγμα.example", null).subject("SMTPUTF8 ✓")
        .text("ü\n").build();
    assertThat(utf8.smtpUtf8()).isTrue();
    String wire = lint(utf8);
    assertThat(wire).contains("<ñandú@example.com>", "To: ann@example.net, δοκιμή@παράδειγμα.example\r\n", "Subject: =?UTF-8?");
    assertThat(python(utf8)).contains("to: ann@example.net, δοκιμή@παράδειγμα.example\n", "subject: SMTPUTF8 ✓\n");
  }

  @Test
  void every_shape_passes_the_strict_python_parser() throws Exception {
    for (OutgoingMessage shape : shapes()) {
      lint(shape);
      python(shape);
    }
  }

  private void refused(Consumer<MessageBuilder> change, String field, String messagePart) {
    assertRefused(() -> change.accept(basic().text("x")), field, messagePart);
  }

  private static void assertRefused(Runnable call, String field, String messagePart) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(Refused.class, e -> {
      assertThat(e.refusal()).isInstanceOf(Refusal.Invalid.class);
      assertThat(e.field()).isEqualTo(field);
      assertThat(e.getMessage()).contains(messagePart);
    });
  }

  /** CRLF only, no line over 998 octets, header ASCII unless SMTPUTF8, no NUL; returns the text. */
  static String lint(OutgoingMessage message) {
    byte[] bytes = message.bytes();
    int lineStart = 0;
    for (int i = 0; i < bytes.length; i++) {
      assertThat(bytes[i]).as("NUL at %d", i).isNotEqualTo((byte) 0);
      if (bytes[i] == '\r') assertThat(i + 1 < bytes.length && bytes[i + 1] == '\n').as("bare CR at %d", i).isTrue();
      if (bytes[i] == '\n') {
        assertThat(i > 0 && bytes[i - 1] == '\r').as("bare LF at %d", i).isTrue();
        assertThat(i - 1 - lineStart).as("line at %d", lineStart).isLessThanOrEqualTo(998);
        lineStart = i + 1;
      }
    }
    assertThat(lineStart).as("ends with CRLF").isEqualTo(bytes.length);
    String text = new String(bytes, StandardCharsets.UTF_8);
    String header = text.substring(0, text.indexOf("\r\n\r\n"));
    if (!message.smtpUtf8()) {
      assertThat(text.chars().allMatch(c -> c < 128)).as("7-bit message").isTrue();
    } else {
      assertThat(Arrays.equals(text.getBytes(StandardCharsets.UTF_8), bytes)).as("valid UTF-8").isTrue();
    }
    assertThat(header.split("\r\n")).allSatisfy(line -> assertThat(line).matches("([!-9;-~]+: .*|[ \t].*)"));
    return text;
  }

  static MimeMessage parse(OutgoingMessage message) throws Exception {
    Properties properties = new Properties();
    properties.setProperty("mail.mime.allowutf8", "true");
    return new MimeMessage(Session.getInstance(properties), new ByteArrayInputStream(message.bytes()));
  }

  /**
   * The builder names 7bit itself for the bodies Angus would send as 7bit (so Angus need not write the body once more
   * to find out): the same choice as Angus's own, body by body, at each edge of its rule.
   */
  @Test
  void a_body_is_named_7bit_exactly_when_angus_would_choose_7bit() throws Exception {
    String[] bodies = {"plain\r\nlines\r\n", "tab\there", "", "x".repeat(998), "x".repeat(999), "y".repeat(998) + "\r\n" + "z".repeat(998),
        "del\u007f", "form\ffeed", "nul\u0000", "caf\u00e9", "bare\rcr and bare\nlf", "~ printable !\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}"};
    for (String body : bodies) {
      String charset = body.chars().allMatch(c -> c < 128) ? "us-ascii" : "utf-8";
      String angus = jakarta.mail.internet.MimeUtility.getEncoding(
          new jakarta.activation.DataHandler(body, "text/plain; charset=" + charset));
      assertThat(MessageBuilder.sevenBit(body)).as(body).isEqualTo(angus.equals("7bit"));
    }
  }

  @Test
  void every_kind_of_line_end_in_a_body_becomes_crlf_and_the_text_between_is_kept() {
    String wire = new String(basic().text("\nfirst\rsecond\nthird\r\nfourth\n\rfifth\r\r\n" + "x".repeat(300) + "\r").build().bytes(),
        StandardCharsets.US_ASCII);
    assertThat(wire).endsWith("\r\n\r\n\r\nfirst\r\nsecond\r\nthird\r\nfourth\r\n\r\nfifth\r\n\r\n" + "x".repeat(300) + "\r\n");
  }

  private static String python(OutgoingMessage message) {
    return MimeLint.check(message.bytes(), message.smtpUtf8());
  }
}
