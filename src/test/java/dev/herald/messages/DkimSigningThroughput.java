package dev.herald.messages;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * What building and signing cost on one thread, printed, not asserted (DESIGN.md: timings are measured,
 * not tested): {@code mvn test -Dtest=DkimSigningThroughput -Dherald.bench=true} (or bench/dkim-sign.sh); {@code
 * -Dherald.bench.messages} changes the count per round, {@code -Dherald.bench.rounds} the rounds (default 3). The first
 * round warms the JIT up; each figure is the median of the others, all listed. CPU time is the thread's own.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class DkimSigningThroughput {
  static final int MESSAGES = Integer.getInteger("herald.bench.messages", 2_000);
  static final int ROUNDS = Math.max(2, Integer.getInteger("herald.bench.rounds", 3));

  @Test
  void signing_cost_per_message() {
    byte[] message = MessageBuilderTest.basic().text("Hello,\n" + "a line of a newsletter text. ".repeat(200))
        .html("<p>" + "a paragraph of <b>HTML</b> with a <a href=\"https://example.com/x\">link</a>. ".repeat(200) + "</p>")
        .listUnsubscribe(java.net.URI.create("https://example.com/u/abc"), "u@example.com", true).build().bytes();
    DkimKey rsa = DkimKey.newRsa("example.com", "r");
    DkimKey ed25519 = DkimKey.newEd25519("example.com", "e");
    System.out.printf("message: %,d bytes; %d messages per round, %d rounds (the first a warm-up), one thread%n", message.length,
        MESSAGES, ROUNDS);
    System.out.println("RSA signing: " + DkimSigner.rsaImplementation(true));
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
    DkimSigner jdkSigner = new DkimSigner(List.of(rsa), Clock.systemUTC(), false);
    DkimSigner rsaSigner = new DkimSigner(List.of(rsa), Clock.systemUTC(), true);
    DkimSigner edSigner = new DkimSigner(List.of(ed25519), Clock.systemUTC());
    DkimSigner dualSigner = new DkimSigner(List.of(rsa, ed25519), Clock.systemUTC());
    assertThat(rsaSigner.signatureFields(message)).isEqualTo(jdkSigner.signatureFields(message));
    // Interleaved JDK, OpenSSL, JDK, OpenSSL: a change in the machine's load between them shows as a change of each
    measure("sign RSA-2048, JDK", () -> jdkSigner.signatureFields(message));
    measure("sign RSA-2048, OpenSSL", () -> rsaSigner.signatureFields(message));
    measure("sign RSA-2048, JDK (again)", () -> jdkSigner.signatureFields(message));
    measure("sign RSA-2048, OpenSSL (again)", () -> rsaSigner.signatureFields(message));
    measure("sign Ed25519", () -> edSigner.signatureFields(message));
    measure("sign RSA-2048 (OpenSSL) + Ed25519", () -> dualSigner.signatureFields(message));
    // bench/mta.sh's shape: the 7bit message of short lines, both keys, as the MTA signs it
    byte[] shortLines = MessageBuilderTest.basic().text(shortLinesText).html(shortLinesHtml).build().bytes();
    measure("sign both, short lines (%,d bytes)".formatted(shortLines.length), () -> dualSigner.signatureFields(shortLines));
  }

  private static void measure(String what, Runnable operation) {
    var threads = ManagementFactory.getThreadMXBean();
    List<Double> rates = new java.util.ArrayList<>();
    List<Double> cpuMs = new java.util.ArrayList<>();
    for (int round = 0; round < ROUNDS; round++) {
      long cpu = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      for (int i = 0; i < MESSAGES; i++) operation.run();
      long wall = System.nanoTime() - start;
      if (round == 0) continue;
      rates.add(MESSAGES * 1e9 / wall);
      cpuMs.add((threads.getCurrentThreadCpuTime() - cpu) / 1e6 / MESSAGES);
    }
    System.out.printf("%-36s %,9.0f ops/s  %.3f ms CPU per op (median; rounds: %s)%n", what, median(rates), median(cpuMs),
        cpuMs.stream().map(ms -> "%.3f".formatted(ms)).collect(java.util.stream.Collectors.joining(" ")));
    assertThat(median(rates)).isPositive();
  }

  private static double median(List<Double> values) {
    List<Double> sorted = values.stream().sorted().toList();
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }
}
