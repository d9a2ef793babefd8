package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.jsoup.Jsoup;
import org.jsoup.nodes.Document;
import org.junit.jupiter.api.Test;

/** CSS from style blocks into style attributes, on a typical newsletter layout and on the cascade's rules. */
class CssInlinerTest {
  @Test
  void a_newsletter_gets_its_styles_inline_and_keeps_media_queries_and_hover() throws IOException {
    String inlined = CssInliner.inline(HtmlToTextTest.newsletter());
    Document doc = Jsoup.parse(inlined);

    assertThat(doc.body().attr("style")).contains("margin: 0", "font-family: Helvetica, Arial, sans-serif");
    assertThat(doc.selectFirst("table.container").attr("style")).contains("width: 600px");
    // specificity: #lead over .intro p over p; the element's own margin stays
    assertThat(doc.getElementById("lead").attr("style"))
        .contains("font-size: 18px", "color: rgb(27, 67, 50)", "margin: 0 0 16px 0", "line-height: 24px");
    assertThat(doc.select(".footer p").attr("style")).contains("font-size: 12px");
    // !important in the sheet beats the later, more general rule for links
    assertThat(doc.selectFirst("a.button").attr("style")).contains("color: rgb(255, 255, 255)").doesNotContain("!important");
    assertThat(doc.select("td.column").first().attr("style")).contains("width: 50%", "vertical-align: top");

    String style = doc.selectFirst("head style").data();
    assertThat(style).contains("@media only screen and (max-width: 600px)", "a.button:hover").doesNotContain("font-family");
    // template tags between table rows stay where they were
    assertThat(inlined).containsSubsequence("</tr>", "{% for tip in tips %}", "<tr><td class=\"column\"", "{{ tip }}", "{% endfor %}", "</tbody></table>");
    assertThat(inlined).contains("href=\"{{ unsubscribe_url }}\"");
  }

  @Test
  void the_cascade_follows_specificity_order_and_important() {
    String html = """
        <style>
          .note { color: red; }
          p { color: blue; font-weight: bold !important; }
          p { color: green; }
          div p.note { padding: 1px; }
          p:first-child { margin: 0; }
        </style>
        <div><p class="note" style="font-weight: normal; color: black">x</p><p>y</p></div>""";
    Document doc = Jsoup.parse(CssInliner.inline(html));
    // own style beats the sheet's normal declarations, not its !important ones
    assertThat(doc.selectFirst("p.note").attr("style")).isEqualTo("font-weight: bold; margin: 0; padding: 1px; color: black;");
    assertThat(doc.select("p").get(1).attr("style")).isEqualTo("font-weight: bold; color: green;");
    assertThat(doc.select("style")).isEmpty(); // everything was inlined
  }

  @Test
  void html_without_style_blocks_is_returned_as_it_is() {
    String html = "<p style=\"color: red\">Hi {{ subscriber.name }}</p>";
    assertThat(CssInliner.inline(html)).isSameAs(html);
  }
}
