package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.content.ContentFormat;
import dev.herald.content.HtmlToText;
import dev.herald.content.Previews;
import dev.herald.content.SnippetLookup;
import dev.herald.content.TestTemplateEngines;
import dev.herald.messages.MessageBuilder;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.IntFunction;
import java.util.function.LongFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What a campaign message costs on one thread before signing, by stage, printed, not asserted (DESIGN.md: timings are
 * measured, not tested): {@code mvn test -Dtest=CampaignRenderThroughput -Dherald.bench=true}; {@code
 * -Dherald.bench.messages} the count per round, {@code -Dherald.bench.rounds} the rounds (default 3, the first a
 * warm-up), {@code -Dherald.bench.jfr=file} a flight recording of the whole stage. The campaign is bench/campaign.sh's: a 12 KB HTML body with the subscriber's name in every paragraph,
 * 5 tracked links, the open pixel and an unsubscribe link; the text part made from the HTML.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class CampaignRenderThroughput {
  static final int MESSAGES = Integer.getInteger("herald.bench.messages", 2_000);
  static final int ROUNDS = Math.max(2, Integer.getInteger("herald.bench.rounds", 3));

  /** bench/campaign.sh's campaign body. */
  static String benchBody() {
    String para = "{{ subscriber.name }}, this is paragraph %d of the Herald benchmark newsletter: the quick brown fox jumps over "
        + "the lazy dog while the queue worker renders, signs and delivers every message on loopback.";
    String[] links = {"https://shop.bench.example/new", "https://shop.bench.example/sale?from=news", "https://blog.bench.example/2026/12/notes",
        "https://events.bench.example/city", "https://help.bench.example/contact"};
    List<String> body = new ArrayList<>(List.of("<h1>Hello {{ subscriber.name | default: 'friend' }}</h1>",
        "<p>News for {{ subscriber.fields.city | default: 'your city' }} on the {{ subscriber.fields.plan }} plan.</p>"));
    for (int p = 0; p < 50; p++) {
      body.add("<p style=\"margin:0 0 12px\">" + para.formatted(p) + "</p>");
      if (p % 10 == 4) body.add("<p><a href=\"%s\">Read more (%d)</a></p>".formatted(links[p / 10], p / 10 + 1));
    }
    body.add("<p style=\"font-size:12px\"><a href=\"{{ unsubscribe_url }}\">Unsubscribe</a></p>");
    return String.join("\n", body);
  }

  static CampaignRenderer.Sources benchSources() {
    return new CampaignRenderer.Sources(1, "Bench", "News for {{ subscriber.name }} in {{ subscriber.fields.city | default: 'town' }}",
        "The benchmark's weekly news", ContentFormat.HTML, benchBody(), null, Map.of());
  }

  static CampaignRenderer.Recipient person(int i) {
    return new CampaignRenderer.Recipient("person" + i + "@example.com", "Person Number" + i, Map.of("city", "City " + (i % 50), "plan",
        "pro"), Instant.parse("2026-01-02T03:04:05Z"), "Readers", "Bench Org", new Previews.Links(
            "https://herald.example/p/unsubscribe?token=" + "u".repeat(60) + i, "https://herald.example/p/preferences?token=" + i,
            "https://herald.example/w/" + i));
  }

  static MessageBuilder builder(CampaignRenderer.Message m, int i) {
    MessageBuilder b = new MessageBuilder().from("news@bench.example", "Herald Bench").to("person" + i + "@example.com", null)
        .subject(m.subject()).messageId("c1." + i + "@bench.example").date(Instant.parse("2026-12-07T05:00:00Z"))
        .listUnsubscribe(URI.create("https://herald.example/p/unsubscribe?token=" + "u".repeat(60) + i),
            "b+1." + i + ".abcdefghijklmnop@bounces.bench.example", true)
        .feedbackId("1:2:3:herald").text(m.text());
    if (m.html() != null) b.html(m.html());
    return b;
  }

  @Test
  void campaign_message_cost_per_stage() {
    LongFunction<SnippetLookup> none = org -> name -> Optional.empty();
    CampaignRenderer renderer = new CampaignRenderer(TestTemplateEngines.engine(), none);
    CampaignRenderer.Compiled compiled = renderer.compile(benchSources(), new CampaignRenderer.Tracking("track.bench.example", true, true));
    CampaignRenderer.Message sample = renderer.render(compiled, person(1));
    String html = sample.html();
    String untracked = compiled.links().untracked(html);
    int bytes = builder(sample, 1).build().bytes().length;
    System.out.printf("message: %,d bytes (HTML %,d chars, text %,d); %d messages per round, %d rounds (the first a warm-up), one thread%n",
        bytes, html.length(), sample.text().length(), MESSAGES, ROUNDS);
    measure("liquid render of the HTML", i -> compiled.html().render(Map.of("subscriber", Map.of("name", "N" + i, "email", "e@x",
        "fields", Map.of()))));
    measure("HtmlToText.convert", i -> HtmlToText.convert(untracked));
    measure("render (subject, HTML, text)", i -> renderer.render(compiled, person(i)));
    measure("MessageBuilder build", i -> builder(sample, i).build());
    String jfr = System.getProperty("herald.bench.jfr");
    try (jdk.jfr.Recording recording = jfr == null ? null : new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
      if (recording != null) recording.start();
      measure("render + build", i -> builder(renderer.render(compiled, person(i)), i).build());
      if (recording != null) recording.dump(java.nio.file.Path.of(jfr));
    } catch (java.io.IOException | java.text.ParseException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void measure(String what, IntFunction<Object> operation) {
    var threads = ManagementFactory.getThreadMXBean();
    List<Double> cpuMs = new ArrayList<>();
    int sink = 0;
    for (int round = 0; round < ROUNDS; round++) {
      long cpu = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < MESSAGES; i++) sink += operation.apply(i).hashCode() & 1;
      if (round == 0) continue;
      cpuMs.add((threads.getCurrentThreadCpuTime() - cpu) / 1e6 / MESSAGES);
    }
    System.out.printf("%-36s %.3f ms CPU per message (median; rounds: %s)%n", what, median(cpuMs),
        cpuMs.stream().map(ms -> "%.3f".formatted(ms)).collect(java.util.stream.Collectors.joining(" ")));
    assertThat(sink).isNotNegative();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
