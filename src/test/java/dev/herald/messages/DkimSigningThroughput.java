package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What building and signing cost on one thread, printed, not asserted (DESIGN.md: timings are measured,
 * not tested): {@code mvn test -Dtest=DkimSigningThroughput -Dherald.bench=true}; {@code
 * -Dherald.bench.messages} changes the count per round. Each figure is the last of three rounds, so the
 * JIT has warmed up; CPU time is the thread's own.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class DkimSigningThroughput {
  static final int MESSAGES = Integer.getInteger("herald.bench.messages", 2_000);

  @Test
  void signing_cost_per_message() {
    byte[] message = MessageBuilderTest.basic().text("Hello,\n" + "a line of a newsletter text. ".repeat(200))
        .html("<p>" + "a paragraph of <b>HTML</b> with a <a href=\"https://example.com/x\">link</a>. ".repeat(200) + "</p>")
        .listUnsubscribe(java.net.URI.create("https://example.com/u/abc"), "u@example.com", true).build().bytes();
    DkimKey rsa = DkimKey.newRsa("example.com", "r");
    DkimKey ed25519 = DkimKey.newEd25519("example.com", "e");
    System.out.printf("message: %,d bytes; %d messages per round, 3 rounds, one thread%n", message.length, MESSAGES);
    measure("build (MessageBuilder, same size)", () -> MessageBuilderTest.basic().text("Hello,\n" + "a line of a newsletter text. ".repeat(200))
        .html("<p>" + "a paragraph of <b>HTML</b> with a <a href=\"https://example.com/x\">link</a>. ".repeat(200) + "</p>").build());
    // bench/mta.sh's message: ~20 KB of short ASCII lines, which Angus writes as 7bit (the one above is quoted-printable)
    StringBuilder html = new StringBuilder("<html><body><h1>Message</h1>\n");
    StringBuilder text = new StringBuilder("Message\n\n");
    String paragraph = "Herald benchmark paragraph %d: the quick brown fox jumps over the lazy dog while the queue worker signs and "
        + "delivers every message on loopback, and nothing here is real mail. ";
    for (int p = 0; p < 60; p++) html.append("<p style=\"margin:0 0 12px\">").append(paragraph.formatted(p)).append("</p>\n");
    for (int p = 0; p < 38; p++) text.append(paragraph.formatted(p)).append("\n\n");
    String shortLinesHtml = html.append("</body></html>").toString(), shortLinesText = text.toString();
    measure("build (short lines, 7bit, ~20 KB)", () -> MessageBuilderTest.basic().text(shortLinesText).html(shortLinesHtml).build());
    DkimSigner rsaSigner = new DkimSigner(List.of(rsa), Clock.systemUTC());
    DkimSigner edSigner = new DkimSigner(List.of(ed25519), Clock.systemUTC());
    DkimSigner dualSigner = new DkimSigner(List.of(rsa, ed25519), Clock.systemUTC());
    measure("sign RSA-2048", () -> rsaSigner.signatureFields(message));
    measure("sign Ed25519", () -> edSigner.signatureFields(message));
    measure("sign RSA-2048 + Ed25519", () -> dualSigner.signatureFields(message));
  }

  private static void measure(String what, Runnable operation) {
    var threads = ManagementFactory.getThreadMXBean();
    double opsPerSecond = 0;
    double cpuMsPerOp = 0;
    for (int round = 0; round < 3; round++) {
      long cpu = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      for (int i = 0; i < MESSAGES; i++) operation.run();
      long wall = System.nanoTime() - start;
      opsPerSecond = MESSAGES * 1e9 / wall;
      cpuMsPerOp = (threads.getCurrentThreadCpuTime() - cpu) / 1e6 / MESSAGES;
    }
    System.out.printf("%-36s %,9.0f ops/s  %.3f ms CPU per op%n", what, opsPerSecond, cpuMsPerOp);
    assertThat(opsPerSecond).isPositive();
  }
}
