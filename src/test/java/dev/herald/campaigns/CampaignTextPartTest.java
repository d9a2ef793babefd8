package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.content.ContentFormat;
import dev.herald.content.HtmlToText;
import dev.herald.content.Previews;
import dev.herald.content.SnippetLookup;
import dev.herald.content.TestTemplateEngines;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;

/**
 * The text part made once per campaign as a template (ADR 0008) against the text part converted from each person's
 * rendered HTML, as every message had it before: for realistic templates the same words for every person, modulo
 * white space, line wrapping and the width of a heading's underline; and the per-person conversion where the
 * template cannot say the same.
 */
class CampaignTextPartTest {
  static final String FOOTER = "<table><tr><td><p>{{ organization.name }}, 1 Main St.</p>"
      + "<p><a href=\"{{ preferences_url }}\">Preferences</a> | <a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p></td></tr></table>";
  static final LongFunction<SnippetLookup> SNIPPETS = org -> name -> name.equals("footer") ? Optional.of(FOOTER) : Optional.empty();
  final CampaignRenderer renderer = new CampaignRenderer(TestTemplateEngines.engine(), SNIPPETS);

  /** A newsletter's layout: head with style and an assignment, tables, a loop over rows, the content, a footer snippet. */
  static final String LAYOUT = """
      <!doctype html>
      <html><head><title>{{ campaign.subject }}</title>
      <style>.hide { display: none } td { padding: 8px }</style>
      {% assign greeting = "Hello" %}
      </head>
      <body>
      <table class="wrapper" width="100%">
        <tr><td><h1>{{ greeting }}, {{ subscriber.name | default: "friend" }}!</h1></td></tr>
        {% for i in (1..3) %}
        <tr><td><p>Pick {{ i }} for {{ subscriber.fields.city | default: 'your city' }}</p></td></tr>
        {% endfor %}
        <tr><td>{{ content }}</td></tr>
      </table>
      <p class="hide">Only in the HTML</p>
      <p><a href="{{ web_version_url }}">View in your browser</a></p>
      {% include 'footer' %}
      </body></html>
      """;

  /** A body with conditions and loops across blocks, filters with spaces and quotes, tracked and personal links. */
  static final String BODY = """
      <p>Dear {{ subscriber.name }},</p>
      {% if subscriber.fields.plan == 'pro' %}
      <p>As a <strong>Pro</strong> member you get <a href="https://shop.example/pro">early access</a>.</p>
      <p>Your code: {{ subscriber.email | split: "@" | first | upcase }}-PRO</p>
      {% else %}
      <p>Upgrade to <a href="https://shop.example/upgrade?from=news&amp;v=2">Pro</a> today.</p>
      {% endif %}
      <ul>
      {% for tip in (1..3) %}<li>Tip {{ tip }}: {{ "read | write" | replace: "|", "&" }}</li>{% endfor %}
      </ul>
      <ul>
        <li>One</li>
        {%- if subscriber.fields.plan == 'pro' -%}<li>Two for pro</li>{%- endif -%}
        <li>Three</li>
      </ul>
      <ol><li>First</li><li>Second {{ subscriber.fields.city }}</li></ol>
      <blockquote><p>{{ subscriber.name | append: " said: " }}&ldquo;Nice&rdquo;</p>{% if subscriber.fields.city %}<p>From {{ subscriber.fields.city }}</p>{% endif %}</blockquote>
      <h2>{{ "Offers in " | append: subscriber.fields.city }}</h2>
      <p>Shop at <a href="https://shop.example/?e={{ subscriber.email }}">your shop</a> or
      <a href="https://shop.example/sale">https://shop.example/sale</a>.<br>
      Questions? <a href="mailto:help@example.com">help@example.com</a></p>
      <p><img src="https://img.example/logo.png" alt="{{ organization.name }} logo"></p>
      """;

  static CampaignRenderer.Recipient person(String name, Map<String, String> fields) {
    return new CampaignRenderer.Recipient("ann.o@one.example", name, fields, Instant.parse("2026-01-02T03:04:05Z"), "Weekly", "Acme & Sons",
        new Previews.Links("https://u.example/unsub?t=1&x=2", "https://u.example/prefs", "https://u.example/web", "https://u.example/fwd"));
  }

  static final List<CampaignRenderer.Recipient> PEOPLE = List.of(person("Ann", Map.of("plan", "pro", "city", "Lyon")),
      person("Bob Long-Name The Third Of A Very Long Line Of Bobs", Map.of("plan", "free")),
      person("Zoë <b>&amp; * _x_ O'Neil", Map.of("city", "<Paris> & *Co*")), person(null, Map.of()));

  CampaignRenderer.Sources sources(String body, String template) {
    return new CampaignRenderer.Sources(1, "News", "News for {{ subscriber.name }}", "A preheader", ContentFormat.HTML, body, template, null);
  }

  /** Each person's text part as the template gives it, checked against the conversion of their HTML. */
  void sameText(CampaignRenderer.Sources sources, CampaignRenderer.Tracking tracking) {
    CampaignRenderer.Compiled compiled = renderer.compile(sources, tracking);
    assertThat(compiled.text()).as("the text part is a template").isNotNull();
    for (CampaignRenderer.Recipient r : PEOPLE) {
      CampaignRenderer.Message m = renderer.render(compiled, r);
      String converted = HtmlToText.convert(compiled.links() == null ? m.html() : compiled.links().untracked(m.html()));
      assertThat(words(m.text())).as("text part for %s:%n%s%n---- converted:%n%s", r.name(), m.text(), converted).isEqualTo(words(converted));
      assertThat(m.text()).doesNotContain("{{", "{%", "\n\n\n").doesNotStartWith("\n").isEqualTo(m.text().strip());
    }
  }

  /** The text without heading underlines, white space as single spaces. */
  static String words(String text) {
    return text.replaceAll("(?m)^[=-]+$", "").replaceAll("\\s+", " ").strip();
  }

  @Test
  void a_newsletter_in_a_layout_reads_the_same_for_everyone() {
    sameText(sources(BODY, LAYOUT), CampaignRenderer.Tracking.NONE);
  }

  @Test
  void tracked_links_show_as_written() {
    sameText(sources(BODY, LAYOUT), new CampaignRenderer.Tracking("track.example", true, true));
    CampaignRenderer.Compiled compiled = renderer.compile(sources(BODY, LAYOUT), new CampaignRenderer.Tracking("track.example", true, true));
    String text = renderer.render(compiled, PEOPLE.getFirst()).text();
    assertThat(text).contains("early access (https://shop.example/pro)", "https://shop.example/sale", "Unsubscribe (https://u.example/unsub?t=1&x=2)")
        .doesNotContain("track.example");
  }

  @Test
  void the_benchmark_campaign_reads_the_same() {
    sameText(CampaignRenderThroughput.benchSources(), new CampaignRenderer.Tracking("track.bench.example", true, true));
  }

  @Test
  void a_body_alone_and_markdown_read_the_same() {
    sameText(sources(BODY, null), CampaignRenderer.Tracking.NONE);
    sameText(new CampaignRenderer.Sources(1, "News", "s", "", ContentFormat.MARKDOWN, """
        # Hi {{ subscriber.name }}

        {% if subscriber.fields.plan == 'pro' %}
        Thanks for being **pro**, see [the shop](https://shop.example/).
        {% endif %}

        - one {{ subscriber.fields.city }}
        - two
        """, LAYOUT, null), CampaignRenderer.Tracking.NONE);
  }

  @Test
  void a_name_with_markup_characters_is_not_escaped_in_the_text() {
    CampaignRenderer.Compiled compiled = renderer.compile(sources(BODY, LAYOUT), CampaignRenderer.Tracking.NONE);
    String text = renderer.render(compiled, PEOPLE.get(2)).text();
    assertThat(text).contains("Dear Zoë <b>&amp; * _x_ O'Neil,", "Pick 1 for <Paris> & *Co*").doesNotContain("&lt;", "&#39;", "\\*");
  }

  @Test
  void what_a_template_cannot_say_for_everyone_keeps_the_conversion_per_person() {
    for (String body : new String[] {"<p>{{ subscriber.fields.bio | raw }}</p>", "<p>{{ subscriber.name | escape }}</p>",
        "<p>&#123;&#123; not a tag }}</p>", "<pre>{% if subscriber.name %}x{% endif %}</pre>",
        "<ol><li>One</li>{% if subscriber.name %}<li>Two</li>{% endif %}<li>Three</li></ol>"}) {
      CampaignRenderer.Compiled compiled = renderer.compile(sources(body, null), CampaignRenderer.Tracking.NONE);
      assertThat(compiled.text()).as(body).isNull();
      CampaignRenderer.Recipient r = person("A <i>", Map.of("bio", "<b>Bold</b> &amp; more"));
      CampaignRenderer.Message m = renderer.render(compiled, r);
      assertThat(m.text()).as(body).isEqualTo(HtmlToText.convert(m.html()));
    }
  }

  @Test
  void a_template_that_uses_content_twice_converts_per_person() {
    CampaignRenderer.Compiled compiled = renderer.compile(sources("<p>Hi {{ subscriber.name }}</p>", "{{ content }}<hr>{{ content }}"),
        CampaignRenderer.Tracking.NONE);
    assertThat(compiled.text()).isNull();
    assertThat(renderer.render(compiled, PEOPLE.getFirst()).text()).isEqualTo("Hi Ann\n\n----------------------------------------\n\nHi Ann");
  }

  @Test
  void a_condition_leaves_no_blank_lines_and_a_loop_repeats_list_items() {
    CampaignRenderer.Compiled compiled = renderer.compile(sources(
        "<p>A</p>{% if subscriber.fields.plan == 'pro' %}<p>B</p>{% endif %}<p>C</p><ul>{% for i in (1..2) %}<li>{{ i }}</li>{% endfor %}</ul>",
        null), CampaignRenderer.Tracking.NONE);
    assertThat(renderer.render(compiled, PEOPLE.get(1)).text()).isEqualTo("A\n\nC\n\n- 1\n- 2");
    assertThat(renderer.render(compiled, PEOPLE.getFirst()).text()).isEqualTo("A\n\nB\n\nC\n\n- 1\n- 2");
  }

  @Test
  void the_preview_shows_the_text_part_that_is_sent() {
    Previews.Preview.Rendered p = (Previews.Preview.Rendered) renderer.render(1, "Acme & Sons",
        new Previews.Draft("News", "s", "pre", ContentFormat.HTML, BODY, LAYOUT), null, "Weekly", CampaignRendererTest.LINKS);
    CampaignRenderer.Compiled compiled = renderer.compile(sources(BODY, LAYOUT), CampaignRenderer.Tracking.NONE);
    assertThat(compiled.text()).isNotNull();
    assertThat(p.text()).contains("Dear Sam Sample,").isEqualTo(HtmlToText.tidy(p.text()));
  }
}
