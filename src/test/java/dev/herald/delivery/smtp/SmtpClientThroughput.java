package dev.herald.delivery.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.smtp.ConnectResult.Connected;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import dev.herald.testsupport.SmtpSink;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * A measurement, not a test (DESIGN.md: timings are not asserted): messages per second from this
 * client to smtp-sink on loopback, beside smtp-source's rate to the same sink. Run it with {@code
 * mvn test -Dtest=SmtpClientThroughput -Dherald.bench=true}; {@code -Dherald.bench.messages} and
 * {@code -Dherald.bench.connections} change the load.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
class SmtpClientThroughput {
  static final int MESSAGES = Integer.getInteger("herald.bench.messages", 10_000);
  static final int CONNECTIONS = Integer.getInteger("herald.bench.connections", 4);
  static final int BODY = 20_000;
  static final boolean PLATFORM = Boolean.getBoolean("herald.bench.platformThreads");

  @Test
  void messages_per_second_against_smtp_sink() throws Exception {
    byte[] message = message();
    SmtpClient client = new SmtpClient(SmtpClient.Timeouts.all(Duration.ofSeconds(30)));
    try (SmtpSink sink = SmtpSink.start(null)) {
      run(client, sink, message, MESSAGES / 10); // warm-up
      var os = (com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean();
      long cpu = os.getProcessCpuTime();
      long start = System.nanoTime();
      int accepted = run(client, sink, message, MESSAGES);
      double ours = MESSAGES / ((System.nanoTime() - start) / 1e9);
      double cpuPerThousand = (os.getProcessCpuTime() - cpu) / 1e9 / (MESSAGES / 1000.0);
      assertThat(accepted).isEqualTo(MESSAGES);

      start = System.nanoTime();
      Process source = new ProcessBuilder(
              SmtpSink.executable().replace("smtp-sink", "smtp-source"),
              "-d", "-s", String.valueOf(CONNECTIONS), "-m", String.valueOf(MESSAGES), "-l", String.valueOf(BODY),
              "-M", "mta1.herald.test", "127.0.0.1:" + sink.address.getPort())
          .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
      assertThat(source.waitFor(5, TimeUnit.MINUTES)).isTrue();
      double reference = MESSAGES / ((System.nanoTime() - start) / 1e9);
      System.out.printf(
          "SMTP client (%s threads): %d messages of %d bytes, 1 recipient, %d connections (100 messages each, pipelined)"
              + " to smtp-sink on loopback: %.0f msg/s, %.2f CPU s per 1,000 messages (whole JVM);"
              + " smtp-source -d with %d sessions: %.0f msg/s; ratio %.2f; load average %.1f%n",
          PLATFORM ? "platform" : "virtual", MESSAGES, message.length, CONNECTIONS, ours, cpuPerThousand,
          CONNECTIONS, reference, ours / reference, os.getSystemLoadAverage());
    }
  }

  /** Sends {@code total} messages over {@code CONNECTIONS} virtual threads, reconnecting every 100. */
  private static int run(SmtpClient client, SmtpSink sink, byte[] message, int total) throws InterruptedException {
    AtomicInteger next = new AtomicInteger();
    AtomicInteger accepted = new AtomicInteger();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
    List<Thread> threads = new ArrayList<>();
    for (int c = 0; c < CONNECTIONS; c++) {
      threads.add((PLATFORM ? Thread.ofPlatform() : Thread.ofVirtual()).start(() -> {
        while (next.get() < total && System.nanoTime() < deadline) {
          ConnectResult result = client.connect(SmtpPeer.mx("sink.test", sink.address), new Egress(null, "mta1.herald.test"));
          if (!(result instanceof Connected(SmtpConnection connection))) {
            return;
          }
          try (connection) {
            int n;
            while (connection.canSend() && (n = next.getAndIncrement()) < total) {
              Envelope envelope = new Envelope("bounce+" + n + "@b.herald.test", List.of("user" + n + "@example.net"));
              if (connection.send(envelope, message).getFirst() instanceof Accepted) {
                accepted.incrementAndGet();
              }
            }
          }
        }
      }));
    }
    for (Thread t : threads) {
      t.join();
    }
    return accepted.get();
  }

  private static byte[] message() {
    StringBuilder text = new StringBuilder("From: news@herald.test\r\nTo: list@example.net\r\nSubject: bench\r\n\r\n");
    while (text.length() < BODY) {
      text.append("Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor.\r\n");
    }
    return text.toString().getBytes(StandardCharsets.UTF_8);
  }
}
