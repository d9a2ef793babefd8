package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The plain-text part made from HTML, on a typical newsletter layout and on the parts one at a time. */
class HtmlToTextTest {
  static String newsletter() throws IOException {
    try (InputStream in = HtmlToTextTest.class.getResourceAsStream("/content/newsletter.html")) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  @Test
  void a_newsletter_layout_becomes_readable_text() throws IOException {
    assertThat(HtmlToText.convert(newsletter())).isEqualTo("""
        The Garden Post

        Spring is here, {{ subscriber.name | default: 'friend' }}
        =========================================================

        The first bulbs are up and our seed catalogue has 40 new varieties for the
        coming season, from heirloom tomatoes to climbing beans.

        Everything in the catalogue is 20% off until Sunday.

        Shop the sale (https://shop.example.com/spring?utm_source=newsletter)

        Sowing tomatoes
        ---------------

        Start them indoors six weeks before the last frost.

        - Use fresh compost
        - Keep them warm: 18 to 24 °C

        Our events
        ----------

        1. Seed swap, 12 April
        2. Pruning workshop, 26 April

        {% for tip in tips %}

        {{ tip }}

        {% endfor %}

        You receive this because you subscribed at https://garden.example.com.
        Unsubscribe ({{ unsubscribe_url }}) · Preferences ({{ preferences_url }})""");
  }

  @Test
  void every_line_is_at_most_78_characters_unless_one_word_is_longer() {
    String words = "word ".repeat(100);
    String url = "https://example.com/" + "a".repeat(100);
    String text = HtmlToText.convert("<p>" + words + "</p><p>See <a href=\"" + url + "\">this</a> " + words + "</p>");
    assertThat(text.lines()).allSatisfy(line -> {
      if (!line.contains(url)) assertThat(line.length()).isLessThanOrEqualTo(78);
    });
    assertThat(text).contains(url); // not broken
    assertThat(HtmlToText.wrap("aa {{ subscriber.name | default: 'friend' }} bb", 10))
        .isEqualTo("aa\n{{ subscriber.name | default: 'friend' }}\nbb");
  }

  @Test
  void links_lists_quotes_and_breaks() {
    assertThat(HtmlToText.convert("<p>Mail <a href=\"mailto:ann@example.com\">ann@example.com</a> or see "
        + "<a href=\"https://example.com\">example.com</a>, <a href=\"#top\">top</a>, <a href=\"https://x.example/a\">our page</a></p>"))
        .isEqualTo("Mail ann@example.com or see https://example.com, top, our page\n(https://x.example/a)");
    assertThat(HtmlToText.convert("<ol start=\"3\"><li>three<ul><li>nested</li></ul></li><li>four</li></ol>"))
        .isEqualTo("3. three\n   - nested\n4. four");
    assertThat(HtmlToText.convert("<blockquote><p>Quoted</p><p>twice</p></blockquote>")).isEqualTo("> Quoted\n>\n> twice");
    assertThat(HtmlToText.convert("<p>Line one<br>line   two\n continues</p>")).isEqualTo("Line one\nline two continues");
    assertThat(HtmlToText.convert("<script>alert(1)</script><style>p{}</style><p hidden>no</p><p>yes</p>")).isEqualTo("yes");
    assertThat(HtmlToText.convert(null)).isEmpty();
  }

  @Test
  void markdown_keeps_headings_emphasis_links_and_images() {
    assertThat(HtmlToText.toMarkdown("<h2>Hi</h2><p><b>bold</b>, <i>it</i>, a * star, <a href=\"https://e.example\">link</a><br>"
        + "next</p><img src=\"https://e.example/i.png\" alt=\"pic\">"))
        .isEqualTo("## Hi\n\n**bold**, *it*, a \\* star, [link](https://e.example)\\\nnext\n\n![pic](https://e.example/i.png)");
    // and back: Markdown's HTML says the same
    assertThat(Markdown.toHtml("## Hi\n\n**bold**, *it*, a \\* star")).isEqualTo("<h2>Hi</h2>\n<p><strong>bold</strong>, <em>it</em>, a * star</p>\n");
  }
}
