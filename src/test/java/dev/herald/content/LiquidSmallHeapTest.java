package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The builders that run liqp out of a 512 MB heap, run in a JVM of 64 MB with the default bounds: each ends in a
 * {@link TemplateRenderException}, none in an OutOfMemoryError.
 */
class LiquidSmallHeapTest {
  static final List<String> BOMBS = List.of(
      LiquidSandboxTest.DOUBLING.replace("STEPS", "26"),
      LiquidSandboxTest.DOUBLING.replace("STEPS", "64"),
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..64) %}{% capture s %}{{ s }}{{ s }}{{ s }}{% endcapture %}{% endfor %}",
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..64) %}{% assign s = s | replace: 'x', 'xxxx' %}{% endfor %}",
      "{% assign s = 'x' | split: ',' %}{% for i in (1..64) %}{% assign s = s | concat: s %}{% endfor %}",
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..64) %}{% assign l = s | split: '' %}{% assign s = l | join: s %}{% endfor %}",
      "{% assign s = 'xxxxxxxxxx' %}{% for i in (1..17) %}{% assign s = s | append: s %}{% endfor %}"
          + "{% for i in (1..10000) %}{% assign t = s | upcase %}{% endfor %}",
      "{% for i in (1..10000) %}{% for j in (1..10000) %}{{ i }}{{ j }}{% endfor %}{% endfor %}");

  /** Run by the test in a JVM with a small heap: prints one line per bomb. */
  public static void main(String[] args) {
    TemplateEngine engine = new TemplateEngine(new LiquidLimits(java.time.Duration.ofSeconds(5), 1 << 20, 5, 512 * 1024, 10_000));
    for (String bomb : BOMBS) {
      try {
        engine.compile(bomb, SnippetLookup.none()).render(Map.of());
        System.out.println("rendered");
      } catch (TemplateRenderException e) {
        System.out.println("refused: " + e.getMessage());
      }
    }
  }

  @Test
  void builders_end_cleanly_in_a_64_mb_heap() throws IOException, InterruptedException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "-Xmx64m", "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path"),
        LiquidSmallHeapTest.class.getName()).redirectErrorStream(true).start();
    boolean ended = p.waitFor(120, TimeUnit.SECONDS);
    if (!ended) p.destroyForcibly();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(ended).as("the JVM ended; it printed: %s", output).isTrue();
    assertThat(p.exitValue()).as(output).isZero();
    List<String> lines = new ArrayList<>(output.lines().filter(l -> l.startsWith("refused: ") || l.equals("rendered")).toList());
    assertThat(lines).as(output).hasSize(BOMBS.size()).allMatch(l -> l.startsWith("refused: "));
  }
}
