package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * What enqueueing a batch of the send API costs, printed, not asserted (DESIGN.md: timings are measured, not tested):
 * {@code mvn test -Dtest=EnqueueThroughput -Dherald.bench=true}. Batches of 1,000 distinct ~20 KB messages (HTML + text,
 * one recipient each, 1,000 recipient domains: bench/mta_submit.py's shape) go through the whole request (JSON in,
 * {@link Composer}, {@link OutboundMessages}, JSON out) on this thread; the queue is paused so no delivery runs. Per
 * message: this thread's CPU, the JVM's (JIT and GC included) and the PostgreSQL server's whole process tree (from
 * /proc), and apart from them JSON parsing and composing alone. Rounds after a warm-up; the last rounds' figures are
 * the steady state.
 */
@EnabledIfSystemProperty(named = "herald.bench", matches = "true")
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class EnqueueThroughput {
  static final int BATCH = 1_000;
  static final int ROUNDS = Integer.getInteger("herald.bench.rounds", 6);

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    registry.add("herald.delivery.worker.poll", () -> "1m");
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired Composer composer;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;

  static final String PARAGRAPH = "Herald benchmark paragraph %d.%d: the quick brown fox jumps over the lazy dog while the queue "
      + "worker signs and delivers every message on loopback, and nothing here is real mail. ";

  static Map<String, Object> message(int i, String from) {
    StringBuilder html = new StringBuilder("<html><body><h1>Message " + i + "</h1>\n");
    for (int p = 0; p < 60; p++) html.append("<p style=\"margin:0 0 12px\">").append(PARAGRAPH.formatted(i, p)).append("</p>\n");
    html.append("</body></html>");
    StringBuilder text = new StringBuilder("Message " + i + "\n\n");
    for (int p = 0; p < 38; p++) text.append(PARAGRAPH.formatted(i, p)).append("\n\n");
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("from", from);
    m.put("fromName", "Herald Bench");
    m.put("to", List.of("user" + i + "@r" + (i % 1000) + ".rcpt.example"));
    m.put("subject", "Benchmark message " + i);
    m.put("html", html.toString());
    m.put("text", text.toString());
    m.put("tags", List.of("bench"));
    return m;
  }

  @Test
  void enqueue_cost_per_message() throws Exception {
    TestOrganizations.Created org = organizations.create("Enqueue Bench", "send");
    long domainId = new TestSendingDomains(sendingDomains, jdbc).verified(org.id(), "bench.example");
    // no DNS serves bench.example: the periodic re-check would unverify it halfway through
    jdbc.sql("update sending_domain set next_check_at = now() + interval '1 day' where id = ?").param(domainId).update();
    jdbc.sql("insert into queue_pause (domain, paused_by) values ('*', 'bench') on conflict do nothing").update();
    // e.g. -Dherald.bench.sql="alter table outbound_message alter column content set compression lz4" to compare storage
    String setup = System.getProperty("herald.bench.sql", "");
    if (!setup.isBlank()) jdbc.sql(setup).update();
    System.out.println("content storage: " + (setup.isBlank() ? "as migrated" : setup));
    long postmaster = postmasterPid();
    var threads = ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    System.out.printf("%d messages per batch, %d rounds; load average %.1f%n", BATCH, ROUNDS, os.getSystemLoadAverage());
    System.out.println("round  wall s  msg/s  thread ms/msg  JVM ms/msg  PostgreSQL ms/msg  parse ms/msg  compose ms/msg");
    for (int round = 0; round < ROUNDS; round++) {
      List<Map<String, Object>> messages = new ArrayList<>();
      for (int i = 0; i < BATCH; i++) messages.add(message(round * BATCH + i, "news@bench.example"));
      byte[] body = json.writeValueAsBytes(Map.of("messages", messages));

      long parseCpu = threads.getCurrentThreadCpuTime();
      MessagesApi.BatchRequest parsed = json.readValue(body, MessagesApi.BatchRequest.class);
      parseCpu = threads.getCurrentThreadCpuTime() - parseCpu;
      long composeCpu = threads.getCurrentThreadCpuTime();
      for (SendRequest r : parsed.messages()) composer.compose(org.id(), r);
      composeCpu = threads.getCurrentThreadCpuTime() - composeCpu;

      long pg = treeCpuNanos(postmaster);
      long jvm = os.getProcessCpuTime();
      long thread = threads.getCurrentThreadCpuTime();
      long start = System.nanoTime();
      MockHttpServletResponse response = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/messages/batch")
          .header("Authorization", "Bearer " + org.apiKey()).contentType("application/json").content(body)).andReturn().getResponse();
      long wall = System.nanoTime() - start;
      thread = threads.getCurrentThreadCpuTime() - thread;
      jvm = os.getProcessCpuTime() - jvm;
      pg = treeCpuNanos(postmaster) - pg;
      assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(202);
      JsonNode answer = json.readTree(response.getContentAsString());
      String refused = "";
      for (JsonNode r : answer.get("results")) if (!r.get("problem").isNull()) refused = r.get("problem").toString();
      assertThat(answer.get("accepted").asInt()).as(refused).isEqualTo(BATCH);
      System.out.printf("%5d  %6.2f  %5.0f  %13.3f  %10.3f  %17.3f  %12.3f  %14.3f%n", round + 1, wall / 1e9, BATCH * 1e9 / wall,
          thread / 1e6 / BATCH, jvm / 1e6 / BATCH, pg / 1e6 / BATCH, parseCpu / 1e6 / BATCH, composeCpu / 1e6 / BATCH);
    }
    System.out.printf("load average %.1f; stored: %s%n", os.getSystemLoadAverage(), jdbc.sql("""
        select pg_size_pretty(pg_total_relation_size('outbound_message')) || ' messages, '
          || pg_size_pretty(pg_total_relation_size('outbound_recipient')) || ' recipients'""").query(String.class).single());
  }

  private long postmasterPid() throws IOException {
    String dir = jdbc.sql("show data_directory").query(String.class).single();
    return Long.parseLong(Files.readAllLines(Path.of(dir, "postmaster.pid")).getFirst().trim());
  }

  /** utime + stime of the process and its children (PostgreSQL's backends and background processes), in nanoseconds. */
  private static long treeCpuNanos(long root) throws IOException {
    long ticks = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().chars().allMatch(Character::isDigit)).toList()) {
        String stat;
        try {
          stat = Files.readString(p.resolve("stat"));
        } catch (IOException gone) {
          continue;
        }
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long pid = Long.parseLong(p.getFileName().toString());
        if (pid == root || Long.parseLong(f[1]) == root) ticks += Long.parseLong(f[11]) + Long.parseLong(f[12]);
      }
    }
    return ticks * 10_000_000L; // USER_HZ is 100 on Linux
  }
}
