package dev.herald.content;

import static dev.herald.content.ContentFormat.HTML;
import static dev.herald.content.ContentFormat.MARKDOWN;
import static dev.herald.content.ContentFormat.RICHTEXT;
import static dev.herald.content.ContentFormat.TEXT;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The editors' format switch: what each conversion writes, and a warning exactly when something is lost. */
class ContentFormatConversionTest {
  static ContentFormatConversion.Converted convert(String source, ContentFormat from, ContentFormat to) {
    return ContentFormatConversion.convert(source, from, to);
  }

  @Test
  void towards_html_nothing_is_lost() {
    assertThat(convert("<p><strong>Hi</strong></p>", RICHTEXT, HTML)).isEqualTo(new ContentFormatConversion.Converted("<p><strong>Hi</strong></p>", null));
    assertThat(convert("# Hi {{ subscriber.name }}", MARKDOWN, HTML).source()).isEqualTo("<h1>Hi {{ subscriber.name }}</h1>\n");
    assertThat(convert("Fish & chips\nat 5 <today>\n\nBye", TEXT, HTML))
        .isEqualTo(new ContentFormatConversion.Converted("<p>Fish &amp; chips<br>\nat 5 &lt;today&gt;</p>\n<p>Bye</p>", null));
    assertThat(convert("same", HTML, HTML).warning()).isNull();
  }

  @Test
  void rich_text_warns_about_what_the_editor_drops() {
    assertThat(convert("<h2>Hi</h2><ul><li><a href=\"https://e.example\">x</a></li></ul>", HTML, RICHTEXT).warning()).isNull();
    String warning = convert("<table><tr><td style=\"color: red\">x</td></tr></table>", HTML, RICHTEXT).warning();
    assertThat(warning).contains("<table>", "<td>", "style");
  }

  @Test
  void markdown_and_text_warn_about_layout_but_not_about_what_they_keep() {
    assertThat(convert("<h1>Hi</h1><p><em>a</em> <a href=\"https://e.example\">b</a></p>", HTML, MARKDOWN))
        .isEqualTo(new ContentFormatConversion.Converted("# Hi\n\n*a* [b](https://e.example)", null));
    assertThat(convert("<div class=\"col\"><p>a</p></div>", HTML, MARKDOWN).warning()).contains("class");
    assertThat(convert("<style>p{color:red}</style><p>a</p>", HTML, MARKDOWN).warning()).contains("<style>");

    assertThat(convert("<p>one</p><p>two<br>three</p>", HTML, TEXT)).isEqualTo(new ContentFormatConversion.Converted("one\n\ntwo\nthree", null));
    assertThat(convert("**bold**", MARKDOWN, TEXT)).satisfies(c -> {
      assertThat(c.source()).isEqualTo("bold");
      assertThat(c.warning()).contains("<strong>");
    });
    assertThat(convert("line one\nline two", TEXT, MARKDOWN)).isEqualTo(new ContentFormatConversion.Converted("line one\\\nline two", null));
  }
}
