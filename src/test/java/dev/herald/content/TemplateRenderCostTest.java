package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What one render of a campaign-sized template costs (a ~20 KB HTML body using 10 variables, a loop and a few
 * filters). It prints the figure and asserts only that the renders were right: timings vary with the machine.
 */
class TemplateRenderCostTest {

  static String template() {
    String block = """
        <tr><td style="padding:16px;font-family:Arial,sans-serif;font-size:15px;line-height:1.5;color:#333333">
          <h2 style="margin:0 0 8px 0;font-size:20px">Hello {{ subscriber.name | default: 'friend' }},</h2>
          <p style="margin:0 0 12px 0">Here is what is new at {{ organization.name }} this month, sent to {{ subscriber.email }}
          as a member of {{ list.name }}. {% if subscriber.fields.plan == 'pro' %}As a Pro member you get early access.{% else %}
          Upgrade to Pro for early access.{% endif %}</p>
          <p style="margin:0 0 12px 0">We hope the weather in {{ subscriber.fields.city | default: 'your city' | capitalize }} is kind.
          Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore magna
          aliqua. Ut enim ad minim veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea commodo consequat.</p>
          <ul>{% for item in subscriber.fields.interests %}<li>{{ item | upcase }}</li>{% endfor %}</ul>
          <p style="margin:0"><a href="{{ web_version_url }}" style="color:#0066cc">{{ campaign.subject }}</a></p>
        </td></tr>
        """;
    StringBuilder html = new StringBuilder("<html><body><table role=\"presentation\" width=\"100%\">\n");
    while (html.length() < 19_500) html.append(block);
    html.append("<tr><td><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a> · <a href=\"{{ preferences_url }}\">Preferences</a>"
        + " · {{ 'now' | date: '%Y' }} {{ organization.name }}</td></tr></table></body></html>");
    return html.toString();
  }

  static Map<String, Object> model(int i) {
    return TemplateModel.builder()
        .subscriber("person" + i + "@example.com", "Person " + i,
            Map.of("city", "london", "plan", i % 2 == 0 ? "pro" : "free", "interests", List.of("books", "music", "travel")),
            Instant.parse("2026-01-02T03:04:05Z"))
        .list("Weekly news").campaign("December", "Our December news").organization("Acme")
        .links("https://h.example/u/" + i, "https://h.example/p/" + i, "https://h.example/w/" + i).build();
  }

  @Test
  void per_render_cost_of_a_20_kb_template() {
    TemplateEngine engine = new TemplateEngine(TemplateEngineTest.LIMITS);
    String source = template();
    long compileStart = System.nanoTime();
    CompiledTemplate template = engine.compile(source, SnippetLookup.none());
    long compileNanos = System.nanoTime() - compileStart;
    for (int i = 0; i < 300; i++) template.render(model(i));
    int renders = 0;
    long bytes = 0;
    // CPU time of this thread as well as wall time: on a shared machine the wall time mostly measures the neighbours.
    long cpuStart = cpu();
    long start = System.nanoTime();
    long deadline = start + 3_000_000_000L;
    while (renders < 3000 && System.nanoTime() < deadline) {
      String out = template.render(model(renders));
      bytes += out.length();
      renders++;
    }
    long nanos = System.nanoTime() - start;
    long cpuNanos = cpu() - cpuStart;
    String sample = template.render(model(7));
    assertThat(sample).contains("Hello Person 7,", "person7@example.com", "https://h.example/u/7", "<li>MUSIC</li>", "London")
        .doesNotContain("{{", "{%");
    System.out.printf("TemplateRenderCost: template %d chars, compile %.1f ms, %d renders, %.1f µs CPU (%.1f µs wall) per render,"
        + " output %d chars%n", source.length(), compileNanos / 1e6, renders, cpuNanos / 1e3 / renders, nanos / 1e3 / renders,
        bytes / renders);
  }

  private static long cpu() {
    return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }
}
