package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Subscribers;
import dev.herald.content.ContentFormat;
import dev.herald.content.Previews;
import dev.herald.content.SnippetLookup;
import dev.herald.content.TestTemplateEngines;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The renderer as templates' previews reach it (the {@link Previews} port), with the real template engine: the subject and body personalized, the body's format converted after the
 * template language ran, wrapped by its campaign template, the preheader first, the text part; and each part's error
 * with its place.
 */
class CampaignRendererTest {
  static final Subscribers.Subscriber ANN = new Subscribers.Subscriber(7, "ann@one.example", false, "Ann", Map.of("city", "Lyon"),
      List.of(), "test", Instant.parse("2026-01-02T03:04:05Z"), Instant.parse("2026-01-02T03:04:05Z"), List.of());
  static final Previews.Links LINKS = new Previews.Links("https://u.example/unsub", "https://u.example/prefs", "https://u.example/web");
  final Previews previews = new CampaignRenderer(TestTemplateEngines.engine(),
      (java.util.function.LongFunction<SnippetLookup>) org -> name -> name.equals("footer") ? Optional.of("<p>Bye from {{ organization.name }}</p>") : Optional.empty());

  Previews.Preview render(String subject, ContentFormat format, String body, String template, Subscribers.Subscriber who) {
    return previews.render(1, "Acme", new Previews.Draft("Spring news", subject, "Fresh this week", format, body, template), who, "Weekly", LINKS);
  }

  @Test
  void personalizes_subject_body_and_template_for_the_subscriber() {
    var p = (Previews.Preview.Rendered) render("Hi {{ subscriber.name }}", ContentFormat.HTML,
        "<p>{{ subscriber.fields.city | default: 'somewhere' }} via {{ list.name }}</p>{% include 'footer' %}",
        "<html><body><h1>{{ campaign.subject }}</h1>{{ content }}<a href=\"{{ unsubscribe_url }}\">leave</a></body></html>", ANN);
    assertThat(p.subject()).isEqualTo("Hi Ann");
    assertThat(p.html()).contains("<h1>Hi Ann</h1>", "<p>Lyon via Weekly</p>", "<p>Bye from Acme</p>", "https://u.example/unsub");
    assertThat(p.html().indexOf("Fresh this week")).as("the preheader comes first in the body").isLessThan(p.html().indexOf("<h1>"));
    assertThat(p.text()).contains("Lyon via Weekly").doesNotContain("<p>");
  }

  @Test
  void a_sample_person_when_none_is_chosen() {
    var p = (Previews.Preview.Rendered) render("Hi {{ subscriber.name }}", ContentFormat.HTML, "<p>{{ subscriber.email }}</p>", null, null);
    assertThat(p.subject()).isEqualTo("Hi Sam Sample");
    assertThat(p.html()).contains("subscriber@example.com");
  }

  @Test
  void the_format_is_converted_after_the_template_language_ran() {
    var md = (Previews.Preview.Rendered) render("s", ContentFormat.MARKDOWN, "# Hello {{ subscriber.name }}", null, ANN);
    assertThat(md.html()).contains("<h1>Hello Ann</h1>");
    Subscribers.Subscriber tricky = new Subscribers.Subscriber(8, "x@one.example", false, "<b>X</b>", Map.of(), List.of(), "test",
        Instant.EPOCH, Instant.EPOCH, List.of());
    var text = (Previews.Preview.Rendered) render("s", ContentFormat.TEXT, "Hello {{ subscriber.name }}", null, tricky);
    assertThat(text.html()).contains("&lt;b&gt;X&lt;/b&gt;").doesNotContain("<b>");
    assertThat(text.text()).isEqualTo("Hello <b>X</b>");
    // In HTML a subscriber's value is text, as the campaign's mail has it.
    var html = (Previews.Preview.Rendered) render("s", ContentFormat.HTML, "<p>Hello {{ subscriber.name }}</p>", null, tricky);
    assertThat(html.html()).contains("<p>Hello &lt;b&gt;X&lt;/b&gt;</p>");
  }

  @Test
  void an_error_names_its_part_line_and_column() {
    assertThat(render("Hi {% if %}", ContentFormat.HTML, "<p>x</p>", null, ANN)).isInstanceOfSatisfying(Previews.Preview.Failed.class,
        f -> assertThat(f.part()).isEqualTo("subject"));
    assertThat(render("Hi", ContentFormat.HTML, "<p>one</p>\n<p>{% if %}</p>", null, ANN))
        .isInstanceOfSatisfying(Previews.Preview.Failed.class, f -> {
          assertThat(f.part()).isEqualTo("body");
          assertThat(f.line()).isEqualTo(2);
          assertThat(f.column()).isPositive();
        });
    assertThat(render("Hi", ContentFormat.HTML, "<p>x</p>", "<div>\n\n  {{ content | nope: }}</div>", ANN))
        .isInstanceOfSatisfying(Previews.Preview.Failed.class, f -> {
          assertThat(f.part()).isEqualTo("template");
          assertThat(f.line()).isEqualTo(3);
        });
  }

  @Test
  void an_error_while_rendering_names_the_part_it_is_in() {
    String loop = "{% for i in (1..20000) %}x{% endfor %}";
    assertThat(render("Hi", ContentFormat.HTML, "<p>" + loop + "</p>", "<div>{{ content }}</div>", ANN))
        .isInstanceOfSatisfying(Previews.Preview.Failed.class, f -> assertThat(f.part()).isEqualTo("body"));
    assertThat(render("Hi", ContentFormat.HTML, "<p>fine</p>", "<div>{{ content }}" + loop + "</div>", ANN))
        .isInstanceOfSatisfying(Previews.Preview.Failed.class, f -> assertThat(f.part()).isEqualTo("template"));
    assertThat(render("Hi " + loop, ContentFormat.HTML, "<p>fine</p>", null, ANN))
        .isInstanceOfSatisfying(Previews.Preview.Failed.class, f -> assertThat(f.part()).isEqualTo("subject"));
  }

  @Test
  void a_plain_text_campaign_is_its_text_alone_as_delivery_sends_it() {
    var p = (Previews.Preview.Rendered) render("s", ContentFormat.TEXT, "Hello {{ subscriber.name }}", "<div>{{ content }}</div>", ANN);
    assertThat(p.text()).as("no template, no preheader").isEqualTo("Hello Ann");
    assertThat(p.html()).as("shown as text").isEqualTo(ContentFormat.TEXT.toHtml("Hello Ann"));
  }

  @Test
  void the_preheader_goes_after_the_first_body_tag_as_the_regex_alone_placed_it() {
    java.util.regex.Pattern bodyTag = java.util.regex.Pattern.compile("<body\\b[^>]*>", java.util.regex.Pattern.CASE_INSENSITIVE);
    for (String html : new String[] {"<p>no body</p>", "<html><BODY class=\"x\"><p>a</p></body></html>", "<bodyx><body>a",
        "<body", "<body attr='1'\n>a", "a < b <Body>c", "<bodies><p><body>", "", "<", "<b", "<bod"}) {
      java.util.regex.Matcher m = bodyTag.matcher(html);
      String hidden = "<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all\" aria-hidden=\"true\">Pre</div>";
      String expected = m.find() ? html.substring(0, m.end()) + hidden + html.substring(m.end()) : hidden + html;
      assertThat(CampaignRenderer.withPreheader(html, "Pre")).as(html).isEqualTo(expected);
    }
  }
}
