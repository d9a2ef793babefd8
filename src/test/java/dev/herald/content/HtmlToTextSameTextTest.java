package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The faster {@link HtmlToText} (session 8: loops instead of regexes and a pairwise stream join) gives exactly the text
 * of the one before it ({@link HtmlToTextBefore}), in both modes: on the newsletter fixture, on every page template of
 * the panel (forms, tables, lists, scripts), and on random HTML made of the pieces where the two could differ (runs
 * of every kind of white space, CR and CRLF in preformatted text, block tags, blank paragraphs, hidden elements).
 */
class HtmlToTextSameTextTest {
  static final String[] PIECES = {"<p>", "</p>", "<div>", "</div>", "<br>", "<h1>", "</h1>", "<h2>", "</h2>", "<h3>", "</h3>", "<ul>", "<li>",
      "</li>", "</ul>", "<ol start=\"3\">", "</ol>", "<blockquote>", "</blockquote>", "<pre>", "</pre>", "<hr>", "<b>", "</b>", "<em>",
      "</em>", "<code>", "</code>", "<a href=\"https://x.example/a?b=1&amp;c=2\">", "<a href=\"mailto:a@x.example\">", "<a href=\"#top\">",
      "</a>", "<img alt=\"a picture\" src=\"https://x.example/i.png\">", "<span style=\"display: none\">", "<span hidden>", "</span>",
      "<table><tr><td>", "</td><td>", "</td></tr></table>", "<script>var x = 1;</script>", "<style>p{}</style>", "<!-- a comment -->",
      "{% if subscriber.name %}", "{% endif %}", "{% for t in tips %}", "{% endfor %}", "{{ subscriber.name }}", "{{ x | default: 'a b' }}",
      "{%", "%}", "{% broken", " ", "  ", "\t", "\n", "\r\n", "\r", "\f", "\u00a0", "\u2028", "\u3000", " \n \n \n ", "word", "words and more words",
      "a-very-long-word-" + "x".repeat(90), "https://example.com/" + "p".repeat(80), "naïve café", "emoji \uD83D\uDE00 here", "*", "\\",
      "`", "&amp;", "&lt;b&gt;", "&nbsp;", "."};

  @Test
  void the_newsletter_and_the_panel_pages_give_the_same_text() throws IOException {
    List<String> pages = new ArrayList<>();
    pages.add(HtmlToTextTest.newsletter());
    try (Stream<Path> files = Files.walk(Path.of("src/main/resources/templates"))) {
      for (Path f : files.filter(p -> p.toString().endsWith(".html")).sorted().toList()) {
        pages.add(Files.readString(f, StandardCharsets.UTF_8));
      }
    }
    assertThat(pages).hasSizeGreaterThan(20);
    for (String page : pages) same(page);
  }

  @Test
  void random_html_gives_the_same_text() {
    Random random = new Random(20261207);
    for (int n = 0; n < 3_000; n++) {
      StringBuilder html = new StringBuilder();
      int length = 1 + random.nextInt(n < 2_000 ? 20 : 200);
      for (int i = 0; i < length; i++) html.append(PIECES[random.nextInt(PIECES.length)]);
      same(html.toString());
    }
  }

  @Test
  void edge_cases_give_the_same_text() {
    for (String html : new String[] {"", " ", "\n", "\n\n\n\n", "\r\r\r", "<pre>a\r\nb\rc\n\n\n\nd  \t\n</pre>", "<pre>\u2028 x \u2028</pre>",
        "{%%}", "{%}", "{% a %}{% b %}", "{% a", "a %}", "<p>\u00a0</p><p>\u00a0\u00a0x\u00a0</p>", "<p> \u3000x\u3000 </p>"}) {
      same(html);
    }
  }

  private static void same(String html) {
    assertThat(HtmlToText.convert(html)).as("text of %s", html).isEqualTo(HtmlToTextBefore.convert(html));
    assertThat(HtmlToText.toMarkdown(html)).as("Markdown of %s", html).isEqualTo(HtmlToTextBefore.toMarkdown(html));
  }

  @Test
  void wrapping_random_words_and_tags_gives_the_same_lines() {
    String[] pieces = {"a", "word", "longer-words", " ", "  ", "{{", "}}", "{%", "%}", "{", "}", "%", "{{ x }}", "{% if a %}", "{%}",
        "x".repeat(80), " "};
    Random random = new Random(78);
    for (int n = 0; n < 5_000; n++) {
      StringBuilder text = new StringBuilder();
      for (int i = random.nextInt(40); i > 0; i--) text.append(pieces[random.nextInt(pieces.length)]);
      for (int width : new int[] {20, 78}) {
        assertThat(HtmlToText.wrap(text.toString(), width)).as("%s at %d", text, width).isEqualTo(HtmlToTextBefore.wrap(text.toString(), width));
      }
    }
  }
}
