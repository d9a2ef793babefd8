package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Refused;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The template language as users write it: variables, defaults, conditionals, loops, dates, snippets, errors. */
class TemplateEngineTest {
  static final LiquidLimits LIMITS = new LiquidLimits(Duration.ofSeconds(1), 1024 * 1024, 5, 512 * 1024, 10_000);
  final TemplateEngine engine = new TemplateEngine(LIMITS);

  static Map<String, Object> model() {
    return TemplateModel.builder()
        .subscriber("ada@example.com", "Ada", Map.of("city", "London", "plan", "pro", "visits", 3), Instant.parse("2026-03-04T05:06:07Z"))
        .list("Weekly news").campaign("December", "Our December news").organization("Acme")
        .links("https://h.example/u/abc", "https://h.example/p/abc", "https://h.example/w/abc").build();
  }

  String render(String source) {
    return engine.compile(source, SnippetLookup.none()).render(model());
  }

  @Test
  void the_model_names_render() {
    assertThat(render("{{ subscriber.email }}|{{ subscriber.name }}|{{ subscriber.fields.city }}|{{ list.name }}|"
        + "{{ campaign.name }}|{{ campaign.subject }}|{{ organization.name }}"))
        .isEqualTo("ada@example.com|Ada|London|Weekly news|December|Our December news|Acme");
    assertThat(render("{{ unsubscribe_url }} {{ preferences_url }} {{ web_version_url }}"))
        .isEqualTo("https://h.example/u/abc https://h.example/p/abc https://h.example/w/abc");
    assertThat(render("{{ subscriber.created_at | date: '%Y-%m-%d %H:%M' }}")).isEqualTo("2026-03-04 05:06");
  }

  @Test
  void defaults_conditionals_and_loops() {
    assertThat(render("Hi {{ subscriber.fields.nickname | default: 'friend' }}")).isEqualTo("Hi friend");
    assertThat(render("{% if subscriber.fields.plan == 'pro' %}Pro{% else %}Free{% endif %}")).isEqualTo("Pro");
    assertThat(render("{% unless subscriber.fields.plan == 'pro' %}Upgrade{% endunless %}")).isEqualTo("");
    assertThat(render("{% if subscriber.fields.visits > 2 %}regular{% endif %}")).isEqualTo("regular");
    assertThat(render("{% case subscriber.fields.city %}{% when 'Paris' %}Bonjour{% when 'London' %}Hello{% endcase %}"))
        .isEqualTo("Hello");
    assertThat(render("{% assign xs = 'a b c' | split: ' ' %}{% for x in xs %}{{ x }}{% unless forloop.last %},{% endunless %}{% endfor %}"))
        .isEqualTo("a,b,c");
    assertThat(render("{% for i in (1..3) %}{{ i }}{% endfor %}")).isEqualTo("123");
    assertThat(render("{% assign n = subscriber.name | upcase %}{% capture c %}[{{ n }}]{% endcapture %}{{ c | append: '!' }}"))
        .isEqualTo("[ADA]!");
    assertThat(render("{{ 'a,b,c' | split: ',' | join: '-' }} {{ 10 | plus: 5 | times: 2 }} {{ 'x & y' | escape }}"))
        .isEqualTo("a-b-c 30 x &amp; y");
  }

  @Test
  void the_examples_of_the_reference_render() {
    Map<String, Object> model = new LinkedHashMap<>(model());
    @SuppressWarnings("unchecked") Map<String, Object> subscriber = new LinkedHashMap<>((Map<String, Object>) model.get("subscriber"));
    subscriber.put("fields", Map.of("points", 600, "interests", List.of("music", "books", "travel", "food"), "lang", "fr"));
    model.put("subscriber", subscriber);
    model.put("featured", Map.of("title", "Lamp"));
    Map<String, String> snippets = Map.of("product", "<{{ product.title }}>");
    SnippetLookup lookup = name -> Optional.ofNullable(snippets.get(name));
    assertThat(engine.compile("{{ subscriber.created_at | date: '%B %Y' }}|{{ subscriber.fields.points | times: 2 | at_most: 1000 }}|"
        + "{{ subscriber.fields.interests | sort | join: ', ' }}|"
        + "{% for item in subscriber.fields.interests limit: 3 %}{{ item }}{% unless forloop.last %}, {% endunless %}{% endfor %}|"
        + "{% case subscriber.fields.lang %}{% when 'fr' %}Bonjour{% else %}Hello{% endcase %}|"
        + "{{ subscriber.fields.first_name | default: subscriber.name | default: 'there' | capitalize }}|"
        + "{% include 'product' with featured %}|{{ campaign.subject | truncate: 10, '…' }}|{% raw %}{{ x }}{% endraw %}", lookup)
        .render(model))
        .isEqualTo("March 2026|1000|books, food, music, travel|music, books, travel|Bonjour|Ada|<Lamp>|Our Decem…|{{ x }}");
  }

  @Test
  void the_current_date_renders() {
    String today = LocalDate.now(ZoneOffset.UTC).toString();
    String rendered = render("{{ 'now' | date: '%Y-%m-%d' }}");
    // The date may have turned between the two reads.
    assertThat(rendered).isIn(today, LocalDate.now(ZoneOffset.UTC).toString());
  }

  @Test
  void a_campaign_template_wraps_the_body() {
    CompiledTemplate body = engine.compile("<p>Hi {{ subscriber.name }}</p>", SnippetLookup.none());
    CompiledTemplate wrapper = engine.compile("<html>{{ content }}<a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></html>",
        SnippetLookup.none());
    Map<String, Object> model = model();
    assertThat(wrapper.render(TemplateModel.withContent(model, body.render(model))))
        .isEqualTo("<html><p>Hi Ada</p><a href=\"https://h.example/u/abc\">Unsubscribe</a></html>");
  }

  @Test
  void html_templates_escape_what_they_insert() {
    Map<String, Object> model = new LinkedHashMap<>(TemplateModel.builder()
        .subscriber("a@example.com", "<script>alert('x')</script> & \"Ada\"", Map.of("tags", List.of("<b>", "c&d"), "n", 3), null)
        .links("https://h.example/u?a=1&b=2", null, null).content("<p>Body & more</p>").build());
    SnippetLookup lookup = name -> Optional.of("[{{ subscriber.name }}]");
    CompiledTemplate html = engine.compileHtml("<p>{{ subscriber.name }}</p><a href=\"{{ unsubscribe_url }}\">x</a>{{ content }}"
        + "{{ subscriber.fields.tags | join: ' ' }}{{ subscriber.fields.tags }}{{ subscriber.fields.n | plus: 1 }}"
        + "{{ subscriber.name | escape }}{{ '<i>ok</i>' | raw }}{% include 'footer' %}", lookup);
    assertThat(html.render(model)).isEqualTo("<p>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Ada&quot;</p>"
        + "<a href=\"https://h.example/u?a=1&amp;b=2\">x</a><p>Body & more</p>"
        + "&lt;b&gt; c&amp;d&lt;b&gt;c&amp;d4"
        + "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Ada&quot;<i>ok</i>"
        + "[&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Ada&quot;]");
    // Text (a subject, the text part) is inserted as it is; raw changes nothing there.
    assertThat(engine.compile("{{ subscriber.name }} {{ content | raw }}", lookup).render(model))
        .isEqualTo("<script>alert('x')</script> & \"Ada\" <p>Body & more</p>");
    assertThat(engine.compile("{{ s | escape }}|{{ s | escape_once }}", lookup).render(Map.of("s", "<a href='x'>&amp; & &#39; &#x2F; &x</a>")))
        .isEqualTo("&lt;a href=&#39;x&#39;&gt;&amp;amp; &amp; &amp;#39; &amp;#x2F; &amp;x&lt;/a&gt;|"
            + "&lt;a href=&#39;x&#39;&gt;&amp; &amp; &#39; &#x2F; &amp;x&lt;/a&gt;");
    // {{ content }} is inserted as HTML bare or through filters whose arguments the template wrote ...
    assertThat(engine.compileHtml("{{ content | strip }}", lookup).render(model)).isEqualTo("<p>Body & more</p>");
    assertThat(engine.compileHtml("{{- content | replace: 'Body', 'Text' | append: '<hr>' -}}", lookup).render(model))
        .isEqualTo("<p>Text & more</p><hr>");
    assertThat(engine.compileHtml("{{ content | truncate: 9, '' }}", lookup).render(model)).isEqualTo("<p>Body &");
    // ... never when an argument reads a variable: a subscriber's field would reach the page as HTML
    assertThat(engine.compileHtml("{{ content | append: subscriber.name }}", lookup).render(model))
        .isEqualTo("&lt;p&gt;Body &amp; more&lt;/p&gt;" + "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Ada&quot;");
    assertThat(engine.compileHtml("{{ content | replace: 'Body', subscriber.name | strip }}", lookup).render(model))
        .startsWith("&lt;p&gt;&lt;script&gt;");
    assertThat(engine.compileHtml("{{ content | slice: 0, subscriber.fields.n }}", lookup).render(model)).isEqualTo("&lt;p&gt;");
    // ... and only while it holds the caller's body: a template cannot launder a subscriber's field through the name.
    String escapedName = "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;Ada&quot;";
    assertThat(engine.compileHtml("{% assign content = subscriber.name %}{{ content }}", lookup).render(model)).isEqualTo(escapedName);
    assertThat(engine.compileHtml("{% capture content %}{{ subscriber.name | raw }}{% endcapture %}{{ content }}", lookup).render(model))
        .isEqualTo(escapedName);
    assertThat(engine.compileHtml("{% for content in subscriber.fields.tags %}{{ content }}{% endfor %}", lookup).render(model))
        .isEqualTo("&lt;b&gt;c&amp;d");
    assertThat(engine.compileHtml("{% assign body = content %}{% assign content = body %}{{ content }}", lookup).render(model))
        .isEqualTo("<p>Body & more</p>");
    // filters with literal arguments do not launder a value put under the name either
    assertThat(engine.compileHtml("{% assign content = subscriber.name %}{{ content | strip }}", lookup).render(model)).isEqualTo(escapedName);
    assertThat(engine.compileHtml("{% capture content %}{{ subscriber.name | raw }}{% endcapture %}{{ content | append: '' }}", lookup)
        .render(model)).isEqualTo(escapedName);
  }

  @Test
  void snippets_are_included_by_name() {
    Map<String, String> snippets = Map.of("footer", "-- {{ organization.name }}{% include 'legal' %}", "legal", " (c) 2026");
    SnippetLookup lookup = name -> Optional.ofNullable(snippets.get(name));
    assertThat(engine.compile("Hi{% include 'footer' %}", lookup).render(model())).isEqualTo("Hi-- Acme (c) 2026");
    assertThat(engine.compile("{% include \"legal\" %}", lookup).render(model())).isEqualTo(" (c) 2026");
  }

  @Test
  void an_error_names_its_line_and_column() {
    assertThat(engine.check("Hello\n  {{ subscriber.name }}\n  {% iff x %}", SnippetLookup.none()))
        .contains(new TemplateError(3, 6, "Unknown tag 'iff'."));
    assertThatThrownBy(() -> engine.compile("a\nb {{ x | shout }}", SnippetLookup.none()))
        .isInstanceOf(Refused.class).hasMessage("Line 2, column 8: Unknown filter 'shout'.");
    assertThat(engine.check("{% if a %}\nx", SnippetLookup.none()).orElseThrow().message()).contains("{% endif %}");
    assertThat(engine.check("{{ 'x' | append: 'y' }}", SnippetLookup.none())).isEmpty();
  }

  @Test
  void a_render_error_says_where_and_what() {
    CompiledTemplate template = engine.compile("Hi\n{{ subscriber.name | append }}", SnippetLookup.none());
    assertThatThrownBy(() -> template.render(model())).isInstanceOf(TemplateRenderException.class)
        .hasMessage("Line 2, column 20: The filter 'append' needs an argument, e.g. append: 'text'.");
    assertThatThrownBy(() -> engine.compile("{{ 1 | plus: 1, 2 }}", SnippetLookup.none()).render(model()))
        .isInstanceOf(TemplateRenderException.class).hasMessage("Line 1, column 6: A filter was given 3 values where it takes 2 (the value before | counts).");
  }

  @Test
  void an_unknown_snippet_is_a_compile_error_at_the_include() {
    assertThatThrownBy(() -> engine.compile("ab\n  {% include 'nope' %}", SnippetLookup.none()))
        .isInstanceOf(Refused.class).hasMessage("Line 2, column 3: No snippet named 'nope'.");
  }

  @Test
  void the_model_takes_only_plain_values() {
    Map<String, Object> ok = new LinkedHashMap<>();
    ok.put("list", List.of(1, 2L, 3.5, "x", true));
    assertThat(engine.compile("{{ list | join: ',' }}", SnippetLookup.none()).render(ok)).isEqualTo("1,2,3.5,x,true");
    assertThatThrownBy(() -> engine.compile("{{ x }}", SnippetLookup.none()).render(Map.of("x", new Object())))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.x");
  }
}
