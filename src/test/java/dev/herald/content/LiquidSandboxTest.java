package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Refused;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The attacks a template author (any member of any organization) can try, and what the sandbox answers: files are
 * out of reach, builders and loops end in a {@link TemplateRenderException} well before the heap or the clock runs
 * out, nothing Java is reachable, and a compiled template renders the same from many threads.
 */
class LiquidSandboxTest {
  final TemplateEngine engine = new TemplateEngine(TemplateEngineTest.LIMITS);

  /** The names the lookup was asked for: the sandbox must not even ask for a path. */
  final List<String> asked = new ArrayList<>();
  final SnippetLookup snippets = name -> {
    asked.add(name);
    return Optional.ofNullable(Map.of("footer", "-- {{ organization.name }}", "a", "A{% include 'b' %}", "b", "B{% include 'a' %}",
        "self", "{% include 'self' %}", "bad", "ok\n {% if %}").get(name));
  };

  CompiledTemplate compile(String source) {
    return engine.compile(source, snippets);
  }

  String render(String source, Map<String, Object> model) {
    return compile(source).render(model);
  }

  // ---- files: includes reach only the organization's snippets

  @Test
  void include_reaches_no_file() throws Exception {
    String hostname = Files.exists(Path.of("/etc/hostname")) ? Files.readString(Path.of("/etc/hostname")).strip() : null;
    for (String name : List.of("/etc/hostname", "../../../../../../etc/hostname", "file:/etc/hostname", "file:///etc/passwd",
        "classpath:application.yml", "C:\\Windows\\win.ini", "snippets/footer", "/work")) {
      assertThatThrownBy(() -> compile("x {% include '" + name + "' %}")).as(name)
          .isInstanceOf(Refused.class).hasMessageStartingWith("Line 1, column 3: ").hasMessageContaining("not a snippet name");
    }
    assertThat(asked).isEmpty();
    // A name that is no snippet of the organization (liqp would read snippets/hostname.liquid, or hostname, from the disk).
    assertThatThrownBy(() -> compile("{% include 'hostname' %}")).hasMessage("Line 1, column 1: No snippet named 'hostname'.");
    assertThatThrownBy(() -> compile("{% include 'application.yml' %}")).hasMessageContaining("No snippet named");
    // The name must be in quotes: a variable could hold a path at render time.
    assertThatThrownBy(() -> compile("{% include path %}")).hasMessageContaining("in quotes");
    assertThatThrownBy(() -> compile("{% include_relative 'etc/hostname' %}")).isInstanceOf(Refused.class)
        .hasMessageContaining("Unknown tag 'include_relative'");
    if (hostname != null) {
      assertThat(render("{% include 'footer' %}", TemplateEngineTest.model())).doesNotContain(hostname).isEqualTo("-- Acme");
    }
  }

  @Test
  void include_cycles_and_depth_are_refused() {
    assertThatThrownBy(() -> compile("{% include 'self' %}")).hasMessageContaining("includes itself (self → self)");
    assertThatThrownBy(() -> compile("\n  {% include 'a' %}"))
        .hasMessage("Line 2, column 3: In the snippet 'b': The snippet 'a' includes itself (a → b → a).");
    Map<String, String> chain = new HashMap<>();
    for (int i = 1; i <= 8; i++) chain.put("s" + i, i + "{% include 's" + (i + 1) + "' %}");
    chain.put("s9", "9");
    SnippetLookup lookup = name -> Optional.ofNullable(chain.get(name));
    assertThatThrownBy(() -> engine.compile("{% include 's1' %}", lookup)).hasMessageContaining("Includes nest deeper than 5 levels");
    assertThat(engine.compile("{% include 's5' %}", lookup).render(Map.of())).isEqualTo("56789");
    assertThatThrownBy(() -> compile("{% include 'bad' %}")).hasMessage("Line 1, column 1: In the snippet 'bad': Line 2, column 8: "
        + "Unexpected '%}' here.");
  }

  // ---- builders: what a filter, capture or block builds is bounded, in each value and in total

  static final String DOUBLING = "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..STEPS) %}{% assign s = s | append: s %}{% endfor %}{{ s | size }}";

  @Test
  void string_doubling_ends_cleanly_and_small() {
    for (int steps : List.of(26, 40, 64)) {
      long before = allocated();
      assertThatThrownBy(() -> render(DOUBLING.replace("STEPS", "" + steps), Map.of()))
          .isInstanceOf(TemplateRenderException.class).hasMessageContaining("The filter 'append' would build");
      // liqp alone allocates hundreds of MB here and runs a 512 MB heap out; the sandbox stops at the output bound.
      assertThat(allocated() - before).as("bytes allocated by %d steps", steps).isLessThan(64L << 20);
    }
    for (String bomb : List.of(
        "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | prepend: s %}{% endfor %}",
        "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}",
        "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign s = s | replace: 'x', 'xx' %}{% endfor %}",
        "{% assign s = 'x' | append: '' %}{% for i in (1..11) %}{% assign s = s | append: s %}{% endfor %}{{ s | replace: '', s }}",
        "{% assign s = 'x' | split: ',' %}{% for i in (1..40) %}{% assign s = s | concat: s %}{% endfor %}",
        "{% assign s = 'x,x,x,x,x,x,x,x,x,x' | split: ',' %}{% for i in (1..40) %}{% assign t = s | join: ',' %}{% assign s = t | split: '' %}{% endfor %}",
        "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..40) %}{% assign l = s | split: '' %}{% assign s = l | join: s %}{% endfor %}",
        "{% assign n = 1.5 %}{% for i in (1..40) %}{% assign n = n | times: n %}{% endfor %}{{ n }}",
        "{{ 1.5 | round: 1000000000 }}",
        "{% assign s = '<<<<<<<<<<' %}{% for i in (1..40) %}{% assign s = s | append: s | escape %}{% endfor %}")) {
      long before = allocated();
      assertThatThrownBy(() -> render(bomb, Map.of())).as(bomb).isInstanceOf(TemplateRenderException.class);
      assertThat(allocated() - before).as("bytes allocated by %s", bomb).isLessThan(96L << 20);
    }
  }

  @Test
  void a_list_is_measured_as_the_text_it_becomes() {
    Map<String, Object> model = Map.of("l", java.util.Collections.nCopies(50_000, "a"), "big", "x".repeat(1000));
    for (String bomb : List.of("{{ l | replace: 'a', big }}", "{{ l | append: big | size }}{{ l | join: big | size }}",
        "{{ l | split: '' | join: big }}", "{{ l | prepend: big | replace: 'a', big }}")) {
      long before = allocated();
      assertThatThrownBy(() -> render(bomb, model)).as(bomb).isInstanceOf(TemplateRenderException.class).hasMessageContaining("would build");
      assertThat(allocated() - before).as("bytes allocated by %s", bomb).isLessThan(64L << 20);
    }
    assertThat(render("{{ l | join: '' | size }} {{ l | replace: 'a', 'b' | size }}", model)).isEqualTo("50000 50000");
  }

  @Test
  void many_values_under_the_bound_still_end_at_the_total() {
    String big = "y".repeat(600_000);
    assertThatThrownBy(() -> render("{% for i in (1..1000) %}{% assign t = big | append: 'z' %}{% endfor %}", Map.of("big", big)))
        .isInstanceOf(TemplateRenderException.class).hasMessageContaining("characters in total");
  }

  @Test
  void huge_output_is_refused() {
    assertThatThrownBy(() -> render("{% for i in (1..5000) %}{{ row }}{% endfor %}", Map.of("row", "z".repeat(1000))))
        .isInstanceOf(TemplateRenderException.class).hasMessageContaining("would build");
    assertThatThrownBy(() -> render("{{ s }}", Map.of("s", "é".repeat(600_000))))
        .isInstanceOf(TemplateRenderException.class).hasMessage("The rendered message is 1200000 bytes; the limit is 1048576 bytes.");
    assertThat(render("{{ s }}", Map.of("s", "é".repeat(500_000)))).hasSize(500_000);
  }

  // ---- loops and time

  @Test
  void huge_loops_stop_at_the_iteration_bound() {
    assertThatThrownBy(() -> render("{% for i in (1..1000000000) %}x{% endfor %}", Map.of()))
        .isInstanceOf(TemplateRenderException.class).hasMessage("Loops ran more than 10000 times in total; that is the limit.");
    assertThatThrownBy(() -> render("{% for i in (1..1000) %}{% for j in (1..1000) %}{% endfor %}{% endfor %}", Map.of()))
        .isInstanceOf(TemplateRenderException.class).hasMessageContaining("Loops ran more than");
    assertThatThrownBy(() -> render("{% tablerow i in items %}x{% endtablerow %}", Map.of("items", java.util.Collections.nCopies(20_000, 1))))
        .isInstanceOf(TemplateRenderException.class).hasMessageContaining("Loops ran more than");
    assertThatThrownBy(() -> render("{% for i in (1..1000000000) reversed %}x{% endfor %}", Map.of()))
        .isInstanceOf(TemplateRenderException.class).hasMessageContaining("Loops ran more than");
  }

  @Test
  void render_time_is_bounded() {
    TemplateEngine strict = new TemplateEngine(new LiquidLimits(Duration.ofMillis(50), 1 << 20, 5, 512 * 1024, 100_000_000));
    CompiledTemplate slow = strict.compile("{% for i in (1..100000000) %}{% assign x = i | plus: 1 %}{% endfor %}", SnippetLookup.none());
    assertThatThrownBy(() -> slow.render(Map.of())).isInstanceOf(TemplateRenderException.class)
        .hasMessage("The template took longer than 50 ms to render.");
  }

  @Test
  void quadratic_regular_expressions_are_not_reached() {
    String spaces = " ".repeat(500_000) + "x";
    assertThat(render("{{ s | rstrip | size }}|{{ s | lstrip | size }}", Map.of("s", spaces))).isEqualTo("500001|1");
    String opens = "<".repeat(500_000) + "<script" + "<!--".repeat(10_000);
    assertThat(render("{{ s | strip_html | size }}", Map.of("s", opens))).isEqualTo(String.valueOf(opens.length()));
    assertThat(render("{{ s | strip_html }}", Map.of("s", "<p>Hi <b>Ada</b></p><script>x()</script><!-- c -->!")))
        .isEqualTo("Hi Ada!");
    assertThat(render("{{ s | date: '%Y' }}", Map.of("s", "2026".repeat(1000)))).hasSize(4000);
  }

  @Test
  void quadratic_substring_searches_are_refused() {
    Map<String, Object> model = Map.of("s", "a".repeat(1_000_000), "t", "a".repeat(255) + "b");
    for (String search : List.of("{% if s contains t %}yes{% endif %}", "{{ s | replace: t, 'x' }}", "{{ s | remove: t }}",
        "{{ s | split: t | size }}", "{{ s | replace_first: t, 'x' }}", "{{ s | remove_first: t }}")) {
      assertThatThrownBy(() -> render(search, model)).as(search).isInstanceOf(TemplateRenderException.class)
          .hasMessageContaining("would search 1000000 characters for a text of 256 characters");
    }
    assertThat(render("{% if s contains 'aab' %}yes{% else %}no{% endif %} {{ s | remove: 'aa' | size }}", model)).isEqualTo("no 0");
    assertThat(render("{% if subscriber.email contains '@example.' %}yes{% endif %}", TemplateEngineTest.model())).isEqualTo("yes");
    assertThat(render("{% if xs contains 'b' %}yes{% endif %}", Map.of("xs", List.of("a", "b")))).isEqualTo("yes");
  }

  // ---- nesting

  @Test
  void deep_nesting_is_refused_at_compile_time() {
    String ifs = "{% if true %}".repeat(10_000) + "x" + "{% endif %}".repeat(10_000);
    assertThatThrownBy(() -> compile(ifs)).isInstanceOf(Refused.class).hasMessageContaining("nest more than 50 levels");
    String fors = "{% for i in (1..1) %}".repeat(5_000) + "{% endfor %}".repeat(5_000);
    assertThatThrownBy(() -> compile(fors)).hasMessageContaining("nest more than 50 levels");
    assertThatThrownBy(() -> compile("{{ a" + "[a".repeat(10_000) + "]".repeat(10_000) + " }}")).hasMessageContaining("nest more than");
    assertThatThrownBy(() -> compile("{% if a" + " and a".repeat(10_000) + " %}x{% endif %}")).hasMessageContaining("'and' or 'or'");
    assertThat(render("{% if true %}".repeat(40) + "deep" + "{% endif %}".repeat(40), Map.of())).isEqualTo("deep");
  }

  // ---- Java: nothing but maps, lists, strings, numbers and booleans reaches a template

  public static final class Spy {
    static final AtomicInteger calls = new AtomicInteger();

    public String getSecret() {
      calls.incrementAndGet();
      return "secret";
    }
  }

  @Test
  void no_java_object_is_reachable() {
    assertThatThrownBy(() -> render("{{ x.secret }}", Map.of("x", new Spy()))).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("model.x holds a dev.herald.content.LiquidSandboxTest$Spy");
    assertThatThrownBy(() -> render("{{ x }}", Map.of("x", List.of(Map.of("y", new Spy())))))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("model.x[0].y");
    assertThatThrownBy(() -> TemplateModel.builder().subscriber("a@example.com", "A", Map.of("f", new Spy()), null).build())
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> render("{{ x }}", Map.of("x", Thread.currentThread()))).isInstanceOf(IllegalArgumentException.class);
    assertThat(Spy.calls).hasValue(0);

    Map<String, Object> model = TemplateEngineTest.model();
    for (String probe : List.of("{{ subscriber.class }}", "{{ subscriber.getClass }}", "{{ subscriber.email.class }}",
        "{{ subscriber.email.class.name }}", "{{ subscriber.email.bytes }}", "{{ subscriber['class'] }}",
        "{{ subscriber.fields.getClass.forName }}", "{% for i in (1..1) %}{{ forloop.class }}{{ forloop.getClass }}{% endfor %}",
        "{{ list.name.getBytes }}", "{{ subscriber.hashCode }}", "{{ subscriber.toString }}", "{{ subscriber.entrySet }}",
        "{{ subscriber.keySet }}", "{{ runtime }}", "{{ System }}", "{{ context }}", "{{ environment }}")) {
      assertThat(render(probe, model)).as(probe).isEmpty();
    }
    assertThatThrownBy(() -> compile("{{ 'x'.class }}")).isInstanceOf(Refused.class);
    assertThatThrownBy(() -> compile("{{ subscriber | json }}")).isInstanceOf(Refused.class).hasMessageContaining("Unknown filter 'json'");
    assertThatThrownBy(() -> compile("{{ 'x' | absolute_url }}")).hasMessageContaining("Unknown filter 'absolute_url'");
    assertThatThrownBy(() -> compile("{{ 'x' | relative_url }}")).hasMessageContaining("Unknown filter");
    assertThatThrownBy(() -> compile("{{ l | where_exp: 'i', 'i.x' }}")).hasMessageContaining("Unknown filter");
  }

  // ---- threads: compile once, render per recipient from many threads

  @Test
  void one_compiled_template_renders_the_same_from_many_threads() throws Exception {
    CompiledTemplate template = compile("{% assign keys = 'a,b,c' | split: ',' %}{% for k in keys %}{{ k }}={{ values[k] }};"
        + "{% capture c %}{{ subscriber.fields[k] | default: '-' | upcase }}{% endcapture %}{{ c }}{% cycle '|', '/' %}{% endfor %}"
        + "{% include 'footer' %} {{ subscriber.name }}");
    List<Map<String, Object>> models = new ArrayList<>();
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      Map<String, Object> model = new HashMap<>(TemplateModel.builder()
          .subscriber("p" + i + "@example.com", "Person " + i, Map.of("a", "a" + i, "c", "c" + i), null).organization("Org " + i).build());
      model.put("values", Map.of("a", i, "b", i * 2, "c", "v" + i));
      models.add(model);
      expected.add(template.render(model));
    }
    assertThat(expected.get(3)).isEqualTo("a=3;A3|b=6;-/c=v3;C3|-- Org 3 Person 3");
    ExecutorService threads = Executors.newFixedThreadPool(8);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int t = 0; t < 8; t++) {
        int offset = t;
        results.add(threads.submit(() -> {
          int mismatches = 0;
          for (int n = 0; n < 500; n++) {
            int i = (n + offset) % models.size();
            if (!template.render(models.get(i)).equals(expected.get(i))) mismatches++;
          }
          return mismatches;
        }));
      }
      for (Future<Integer> r : results) assertThat(r.get(60, TimeUnit.SECONDS)).isZero();
    } finally {
      threads.shutdownNow();
    }
  }

  private static long allocated() {
    return ((com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean()).getCurrentThreadAllocatedBytes();
  }
}
