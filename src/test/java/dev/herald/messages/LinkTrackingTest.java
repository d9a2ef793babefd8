package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testsupport.MimeLint;
import jakarta.mail.BodyPart;
import jakarta.mail.internet.MimeMultipart;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The tracking hooks: which links are rewritten, the placeholders through MIME, and the signed per-recipient tokens. */
class LinkTrackingTest {
  static final String HOST = "track.example.com";
  static final LinkTracking TRACKING = new LinkTracking(() -> "k".repeat(32).getBytes(StandardCharsets.US_ASCII));
  static final Pattern TRACKED = Pattern.compile("https://track\\.example\\.com/t/([co])/([a-z2-7]{45})");

  @Test
  void http_and_https_links_are_rewritten_each_distinct_url_numbered_once_in_order() {
    String html = "<html><body><p><a href=\"https://example.com/a?x=1&amp;y=2\">A</a> <A HREF='http://example.com/b'>B</A>"
        + " <a class=x href=https://example.com/c>C</a> <a title=\"1 > 0\" href=\"https://example.com/a?x=1&#38;y=2\">A again</a>"
        + " <area shape=rect href=\"https://example.com/d\"></p></body></html>";
    LinkTracking.Rewritten r = LinkTracking.rewrite(html, HOST, false, true, Set.of());
    assertThat(r.links()).containsExactly("https://example.com/a?x=1&y=2", "http://example.com/b", "https://example.com/c",
        "https://example.com/d");
    assertThat(r.html())
        .contains("<a href=\"https://track.example.com/t/c/" + LinkTracking.placeholder(1) + "\">A</a>")
        .contains("<A HREF=\"https://track.example.com/t/c/" + LinkTracking.placeholder(2) + "\">B</A>")
        .contains("<a class=x href=\"https://track.example.com/t/c/" + LinkTracking.placeholder(3) + "\">C</a>")
        .contains("<a title=\"1 > 0\" href=\"https://track.example.com/t/c/" + LinkTracking.placeholder(1) + "\">A again</a>")
        .contains("<area shape=rect href=\"https://track.example.com/t/c/" + LinkTracking.placeholder(4) + "\">")
        .doesNotContain("example.com/a", "example.com/b", "example.com/c", "example.com/d")
        .doesNotContain("/t/o/");
    assertThat(LinkTracking.placeholder(1)).hasSize(LinkTracking.TOKEN_LENGTH);
  }

  @Test
  void mailto_unsubscribe_marked_commented_and_relative_links_stay_as_written() {
    String html = "<body><a href=\"mailto:help@example.com\">mail</a><a href=\"tel:+123\">call</a><a href=\"#top\">top</a>"
        + "<a href=\"/relative\">rel</a><a href=\"https://example.com/unsubscribe/abc\">unsubscribe</a>"
        + "<a data-herald-track=\"off\" href=\"https://example.com/private\">private</a>"
        + "<a href=\"https://example.com/private2\" data-herald-track='OFF'>private 2</a>"
        + "<!-- <a href=\"https://example.com/commented\">c</a> --><a name=\"anchor\">no href</a>"
        + "<a href=\"https://example.com/tracked\">tracked</a></body>";
    LinkTracking.Rewritten r = LinkTracking.rewrite(html, HOST, false, true, Set.of("https://example.com/unsubscribe/abc"));
    assertThat(r.links()).containsExactly("https://example.com/tracked");
    assertThat(r.html()).isEqualTo(html.replace("https://example.com/tracked", "https://track.example.com/t/c/" + LinkTracking.placeholder(1)));
  }

  @Test
  void the_open_pixel_goes_before_the_last_body_end_or_at_the_end_and_nothing_changes_without_tracking() {
    String pixel = "<img src=\"https://track.example.com/t/o/" + LinkTracking.placeholder(0) + "\" width=\"1\" height=\"1\" alt=\"\"";
    LinkTracking.Rewritten opens = LinkTracking.rewrite("<body><a href=\"https://example.com/\">x</a></BODY >", HOST, true, false, Set.of());
    assertThat(opens.links()).isEmpty();
    assertThat(opens.html()).startsWith("<body><a href=\"https://example.com/\">x</a>" + pixel).endsWith("</BODY >");
    assertThat(LinkTracking.rewrite("<p>fragment</p>", HOST, true, false, Set.of()).html()).startsWith("<p>fragment</p>" + pixel);
    assertThat(LinkTracking.rewrite("<a href=\"https://example.com/\">x</a>", HOST, false, false, Set.of()).html())
        .isEqualTo("<a href=\"https://example.com/\">x</a>");
  }

  @Test
  void links_past_the_limit_stay_as_written() {
    StringBuilder html = new StringBuilder();
    for (int i = 0; i <= LinkTracking.MAX_LINKS; i++) html.append("<a href=\"https://example.com/").append(i).append("\">x</a>\n");
    LinkTracking.Rewritten r = LinkTracking.rewrite(html.toString(), HOST, false, true, Set.of());
    assertThat(r.links()).hasSize(LinkTracking.MAX_LINKS);
    assertThat(r.html()).contains("<a href=\"https://example.com/" + LinkTracking.MAX_LINKS + "\">");
  }

  @Test
  void each_recipient_gets_its_own_tokens_the_same_on_every_call_and_each_verifies_to_its_message_recipient_and_link()
      throws Exception {
    OutgoingMessage built = trackedMessage("<html><body><p>Hello <a href=\"https://example.com/one\">one</a>,"
        + " <a href=\"https://example.com/two\">two</a>, <a href=\"https://example.com/one\">one again</a></p></body></html>");
    byte[] stored = built.bytes();

    byte[] ann = TRACKING.personalize(stored, 7, 101);
    byte[] bob = TRACKING.personalize(stored, 7, 102);
    assertThat(TRACKING.personalize(stored, 7, 101)).isEqualTo(ann); // a retry sends the same bytes
    assertThat(ann).hasSameSizeAs(stored).isNotEqualTo(bob);
    assertThat(new String(ann, StandardCharsets.US_ASCII)).doesNotContain(LinkTracking.PLACEHOLDER_PREFIX);
    assertThat(new String(stored, StandardCharsets.US_ASCII)).contains(LinkTracking.PLACEHOLDER_PREFIX); // the stored copy is untouched

    List<LinkTracking.Tracked> annLinks = trackedIn(ann);
    assertThat(annLinks).containsExactly(new LinkTracking.Tracked(7, 101, 1), new LinkTracking.Tracked(7, 101, 2),
        new LinkTracking.Tracked(7, 101, 1), new LinkTracking.Tracked(7, 101, 0));
    assertThat(trackedIn(bob)).extracting(LinkTracking.Tracked::recipientId).containsOnly(102L);
    assertThat(annLinks.getLast().open()).isTrue();
    MimeLint.check(ann, false);
    // the text part is not rewritten
    assertThat(textPart(ann)).isEqualTo("Hello, see https://example.com/one\r\n");
  }

  @Test
  void placeholders_survive_quoted_printable_soft_line_breaks_and_html_that_would_be_base64() throws Exception {
    // mostly non-ASCII: Angus would pick base64, which the builder must not; long lines: soft breaks fall in placeholders
    StringBuilder html = new StringBuilder("<html><body>");
    for (int i = 0; i < 30; i++) html.append("日本語のメールです。".repeat(3)).append("<a href=\"https://example.com/").append(i).append("\">").append(i).append("</a>");
    html.append("</body></html>");
    OutgoingMessage built = trackedMessage(html.toString());
    String wire = new String(built.bytes(), StandardCharsets.US_ASCII);
    assertThat(wire).contains("Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable");
    assertThat(Pattern.compile(LinkTracking.PLACEHOLDER_PREFIX.substring(0, 4) + "[a-z0-9]*=\r\n").matcher(wire).find())
        .as("a soft line break inside a placeholder").isTrue();

    byte[] personal = TRACKING.personalize(built.bytes(), 1, 2);
    List<LinkTracking.Tracked> links = trackedIn(personal);
    assertThat(links).hasSize(31);
    assertThat(links.subList(0, 30)).extracting(LinkTracking.Tracked::link).containsExactlyElementsOf(range(1, 30));
    MimeLint.check(personal, false);
  }

  @Test
  void tampered_tokens_are_refused() {
    String token = TRACKING.token(7, 101, 3);
    assertThat(TRACKING.verify(token)).contains(new LinkTracking.Tracked(7, 101, 3));
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      String changed = token.substring(0, i) + (c == 'a' ? 'b' : 'a') + token.substring(i + 1);
      assertThat(TRACKING.verify(changed)).as("changed at %d", i).isEmpty();
    }
    assertThat(TRACKING.verify(token.toUpperCase())).isEmpty();
    // The same bytes spelled otherwise: the last character's padding bit set (45 characters carry 225 bits, 28 bytes 224).
    String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
    char last = token.charAt(token.length() - 1);
    String padded = token.substring(0, token.length() - 1) + alphabet.charAt(alphabet.indexOf(last) | 1);
    assertThat(padded).isNotEqualTo(token);
    assertThat(TRACKING.verify(padded)).isEmpty();
    for (char outside : new char[] {'1', '8', '0', '=', 'A', '{', '`', '/', 'é'}) {
      assertThat(TRACKING.verify(outside + token.substring(1))).as("with %s", outside).isEmpty();
    }
    assertThat(TRACKING.verify(token.substring(1))).isEmpty();
    assertThat(TRACKING.verify(token + "a")).isEmpty();
    assertThat(TRACKING.verify(null)).isEmpty();
    assertThat(TRACKING.verify(LinkTracking.placeholder(1))).isEmpty();
    LinkTracking otherKey = new LinkTracking(() -> "o".repeat(32).getBytes(StandardCharsets.US_ASCII));
    assertThat(otherKey.verify(token)).isEmpty();
    assertThat(TRACKING.token(7, 101, 3)).isEqualTo(token).isNotEqualTo(TRACKING.token(7, 102, 3)).isNotEqualTo(TRACKING.token(8, 101, 3));
    assertThat(TRACKING.verify(TRACKING.token(Long.MAX_VALUE, 0, 65_535))).contains(new LinkTracking.Tracked(Long.MAX_VALUE, 0, 65_535));
  }

  static OutgoingMessage trackedMessage(String html) {
    LinkTracking.Rewritten r = LinkTracking.rewrite(html, HOST, true, true, Set.of());
    return new MessageBuilder().from("news@example.com", null).to("ann@example.net", null).subject("Tracked")
        .date(MessageBuilderTest.DATE).messageId("t1@example.com").text("Hello, see https://example.com/one\n").html(r.html()).build();
  }

  /** Every tracking URL in the decoded HTML part, verified. */
  private static List<LinkTracking.Tracked> trackedIn(byte[] message) throws Exception {
    String html = htmlPart(message);
    List<LinkTracking.Tracked> out = new ArrayList<>();
    Matcher m = TRACKED.matcher(html);
    while (m.find()) {
      Optional<LinkTracking.Tracked> t = TRACKING.verify(m.group(2));
      assertThat(t).as(m.group()).isPresent();
      assertThat(m.group(1).equals("o")).isEqualTo(t.get().open());
      out.add(t.get());
    }
    return out;
  }

  private static String htmlPart(byte[] message) throws Exception {
    return (String) part(message, 1).getContent();
  }

  private static String textPart(byte[] message) throws Exception {
    return (String) part(message, 0).getContent();
  }

  private static BodyPart part(byte[] message, int i) throws Exception {
    MimeMultipart alternative = (MimeMultipart) MessageBuilderTest.parse(new OutgoingMessage(message, "t1@example.com", false)).getContent();
    return alternative.getBodyPart(i);
  }

  private static List<Integer> range(int from, int to) {
    return IntStream.rangeClosed(from, to).boxed().toList();
  }
}
