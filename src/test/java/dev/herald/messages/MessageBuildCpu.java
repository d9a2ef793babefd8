package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.URI;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * CPU µs per message build, the builder's own bytes against Angus writing them (as before session 11), printed, not
 * asserted (DESIGN.md: timings are measured, not tested): {@code mvn test -Dtest=MessageBuildCpu -Dherald.bench=true}.
 * The ways alternate round by round in the same window, so the machine's load falls on both alike; each figure is the
 * thread's own CPU time (not wall time), the median over the rounds after the first (a warm-up), all listed. {@code
 * -Dherald.bench.messages} changes the count per round (default 2,000), {@code -Dherald.bench.rounds} the rounds (7);
 * {@code -Dherald.bench.jfr=path} records a flight recording (settings=profile) of the whole run into path.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class MessageBuildCpu {
  static final int MESSAGES = Integer.getInteger("herald.bench.messages", 2_000);
  static final int ROUNDS = Math.max(2, Integer.getInteger("herald.bench.rounds", 7));
  private static final String PARAGRAPH = "Herald benchmark paragraph %d: the quick brown fox jumps over the lazy dog while the queue "
      + "worker signs and delivers every message on loopback, and nothing here is real mail. ";

  @Test
  void build_cpu_per_message() throws Exception {
    String jfr = System.getProperty("herald.bench.jfr");
    if (jfr == null) {
      measureAll();
      return;
    }
    try (jdk.jfr.Recording recording = new jdk.jfr.Recording(jdk.jfr.Configuration.getConfiguration("profile"))) {
      recording.start();
      measureAll();
      recording.dump(java.nio.file.Path.of(jfr));
    }
  }

  private void measureAll() {
    // bench/mta.sh's message (bench/mta_submit.py): HTML about 12 KB and text about 7 KB of short ASCII lines, untracked.
    StringBuilder html = new StringBuilder("<html><body><h1>Message 1</h1>\n");
    StringBuilder text = new StringBuilder("Message 1\n\n");
    for (int p = 0; p < 60; p++) html.append("<p style=\"margin:0 0 12px\">").append(PARAGRAPH.formatted(p)).append("</p>\n");
    for (int p = 0; p < 38; p++) text.append(PARAGRAPH.formatted(p)).append("\n\n");
    html.append("</body></html>");
    String apiHtml = html.toString();
    String apiText = text.toString();
    Supplier<MessageBuilder> api = () -> new MessageBuilder().from("sender@bench.example", null).to("user1@r1.rcpt.example", null)
        .subject("Herald benchmark message 1").text(apiText).html(apiHtml).date(MessageBuilderTest.DATE);
    // bench/campaign.sh's message: tracked HTML (5 links and an open pixel: placeholders) and its text part.
    StringBuilder campaign = new StringBuilder("<h1>Hello Person Number1</h1>\n<p>News for Berlin on the gold plan.</p>\n");
    for (int p = 0; p < 50; p++) {
      campaign.append("<p style=\"margin:0 0 12px\">Person Number1, this is paragraph ").append(p)
          .append(" of the Herald benchmark newsletter: the quick brown fox jumps over the lazy dog while the queue worker renders,")
          .append(" signs and delivers every message on loopback.</p>\n");
      if (p % 10 == 4) {
        campaign.append("<p><a href=\"https://t.bench.example/t/c/").append(LinkTracking.placeholder(p / 10 + 1)).append("\">Read more (")
            .append(p / 10 + 1).append(")</a></p>\n");
      }
    }
    campaign.append("<img src=\"https://t.bench.example/t/o/").append(LinkTracking.placeholder(0)).append("\" width=\"1\" height=\"1\">");
    String campaignHtml = campaign.toString();
    String campaignText = campaignHtml.replaceAll("<[^>]+>", "");
    Supplier<MessageBuilder> tracked = () -> new MessageBuilder().from("news@bench.example", "Herald Bench").to("person1@example.com", null)
        .subject("News for Person Number1 in Berlin").messageId("c7.123@bench.example").date(MessageBuilderTest.DATE)
        .listUnsubscribe(URI.create("https://herald.example/u/abcdefghijklmnop"), "b+1.2@bench.example", true)
        .feedbackId("7:3:1:herald").html(campaignHtml).text(campaignText);
    measure("send API message (7bit text + HTML, " + api.get().build().bytes().length + " bytes)", api);
    measure("campaign message (tracked, QP HTML + 7bit text, " + tracked.get().build().bytes().length + " bytes)", tracked);
  }

  private static void measure(String what, Supplier<MessageBuilder> builder) {
    assertThat(builder.get().messageId("m@bench.example").build().bytes())
        .isEqualTo(builder.get().messageId("m@bench.example").angusWrites().build().bytes());
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    List<Double> ours = new ArrayList<>();
    List<Double> angus = new ArrayList<>();
    long sink = 0;
    for (int round = 0; round < ROUNDS; round++) {
      long start = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < MESSAGES; i++) sink += builder.get().build().bytes().length;
      long middle = threads.getCurrentThreadCpuTime();
      for (int i = 0; i < MESSAGES; i++) sink += builder.get().angusWrites().build().bytes().length;
      long end = threads.getCurrentThreadCpuTime();
      if (round == 0) continue;
      ours.add((middle - start) / 1_000.0 / MESSAGES);
      angus.add((end - middle) / 1_000.0 / MESSAGES);
    }
    System.out.printf("%s: CPU µs per build, here %.1f (rounds %s), through Angus %.1f (rounds %s); %d%n", what, median(ours), list(ours),
        median(angus), list(angus), sink % 10);
  }

  private static double median(List<Double> values) {
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return sorted[sorted.length / 2];
  }

  private static String list(List<Double> values) {
    return Arrays.toString(values.stream().mapToLong(Math::round).toArray());
  }
}
