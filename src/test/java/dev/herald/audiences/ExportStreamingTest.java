package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.ObjectMapper;

/**
 * 200,000 subscribers exported over real HTTP in each format, read by the client as a stream: the
 * response is chunked (never buffered whole to learn its length) and complete. Times and the heap
 * growth are printed, not asserted (DESIGN.md: timings belong to bench/).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({AudienceFixtures.class, TestOrganizations.class})
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ExportStreamingTest {
  static final int SUBSCRIBERS = 200_000;
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired CustomFields fields;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;

  TestOrganizations.Created org;
  long listId;
  final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  void two_hundred_thousand_subscribers_with_fields_subscriptions_and_consent() {
    org = fixtures.organization("Streaming Co");
    fields.create(org.id(), "age", "Age", "number", List.of());
    fields.create(org.id(), "city", "City", "text", List.of());
    listId = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Everyone', 'single') returning id")
        .param(org.id()).query(Long.class).single();
    var p = java.util.Map.<String, Object>of("org", org.id(), "list", listId, "n", SUBSCRIBERS);
    jdbc.sql("""
        insert into subscriber (organization_id, email, email_key, name, attributes, tags, source)
        select :org, 'person' || g || '@example.com', 'person' || g || '@example.com', 'Person ' || g,
               jsonb_build_object('age', g % 90, 'city', case when g % 1000 = 0 then '=1+1' else 'City ' || g % 100 end),
               array['tag' || g % 5], 'import'
        from generate_series(1, :n) g""").params(p).update();
    jdbc.sql("""
        insert into subscription (list_id, subscriber_id, status, source, confirmed_at)
        select :list, id, case when id % 10 = 0 then 'unsubscribed' else 'subscribed' end, 'import', now()
        from subscriber where organization_id = :org""").params(p).update();
    jdbc.sql("""
        insert into consent_record (organization_id, subscriber_id, list_id, channel, channel_ref, basis, ip, confirmed_at)
        select :org, id, :list, 'import', 'import:1', 'signed up on our website', '192.0.2.1', now()
        from subscriber where organization_id = :org""").params(p).update();
    jdbc.sql("analyze subscriber, subscription, consent_record").update();
  }

  @Test
  void a_csv_export_of_a_list_is_streamed_and_complete() throws Exception {
    long lines = export("format=csv&list=" + listId, in -> {
      try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
        long n = 0;
        String first = reader.readLine();
        assertThat(first).startsWith("\uFEFFemail,name,");
        for (String line = reader.readLine(); line != null; line = reader.readLine()) n++;
        return n;
      }
    });
    assertThat(lines).isEqualTo(SUBSCRIBERS);
  }

  @Test
  void an_xlsx_export_of_everyone_is_streamed_and_complete() throws Exception {
    long rows = export("format=xlsx", in -> {
      // to a file first: reading a zip from a stream, the reader would hold the whole file in memory
      Path file = Files.createTempFile("export", ".xlsx");
      try {
        Files.copy(in, file, StandardCopyOption.REPLACE_EXISTING);
        try (ReadableWorkbook wb = new ReadableWorkbook(file.toFile()); var stream = wb.getFirstSheet().openStream()) {
          return stream.count() - 1;
        }
      } finally {
        Files.delete(file);
      }
    });
    assertThat(rows).isEqualTo(SUBSCRIBERS);
  }

  @Test
  void a_json_export_of_a_list_is_streamed_and_complete() throws Exception {
    long objects = export("format=json&list=" + listId, in -> {
      try (JsonParser parser = json.createParser(in)) {
        assertThat(parser.nextToken()).isEqualTo(JsonToken.START_ARRAY);
        long n = 0;
        while (parser.nextToken() == JsonToken.START_OBJECT) {
          parser.skipChildren();
          n++;
        }
        return n;
      }
    });
    assertThat(objects).isEqualTo(SUBSCRIBERS);
  }

  @Test
  void a_failure_half_way_cuts_the_download_off_instead_of_ending_it_like_a_complete_file() throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/orgs/" + org.slug()
        + "/exports/subscribers?format=csv")).header("Authorization", "Bearer " + org.apiKey()).build();
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    long lines = 0;
    Exception failure = null;
    try (BufferedReader reader = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
      for (String line = reader.readLine(); line != null; line = reader.readLine()) {
        if (++lines == 1000) {
          // the export is reading through its cursor: end its connection, as a lost database would. Matched by the
          // query's start: pg_stat_activity keeps only its first track_activity_query_size bytes (1 kB by default).
          assertThat(jdbc.sql("""
              select pg_terminate_backend(pid) from pg_stat_activity
              where pid <> pg_backend_pid() and datname = current_database()
                and query like 'select s.email, s.name, s.tags, s.created_at, s.source%'""").query(Boolean.class).list())
              .containsExactly(true);
        }
      }
    } catch (java.io.IOException e) {
      failure = e;
    }
    System.out.println("CUT after " + lines + " lines: " + failure);
    assertThat(lines).isLessThan(SUBSCRIBERS);
    assertThat(failure).as("the client must see the download fail, not end").isNotNull();
  }

  interface Counter {
    long count(InputStream body) throws Exception;
  }

  /**
   * GETs the export, checks it is a chunked 200, counts it as it arrives; prints the time and the
   * most heap that was live (measured after a GC, once a second) above what was live before.
   */
  private long export(String query, Counter counter) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/api/v1/orgs/" + org.slug()
        + "/exports/subscribers?" + query)).header("Authorization", "Bearer " + org.apiKey()).build();
    System.gc();
    long baseline = heapUsed();
    HeapSampler sampler = new HeapSampler();
    sampler.start();
    long began = System.nanoTime();
    long count;
    HttpResponse<InputStream> response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream body = response.body()) {
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(response.headers().firstValue("Content-Length")).as("streamed, not buffered to learn its length").isEmpty();
      assertThat(response.headers().firstValue("Transfer-Encoding")).contains("chunked");
      count = counter.count(body);
    } finally {
      sampler.interrupt();
      sampler.join();
    }
    System.out.printf("EXPORT %s: %,d rows in %,d ms; live heap at most %,d MB above the %,d MB before (server and client in one JVM)%n",
        query, count, (System.nanoTime() - began) / 1_000_000, Math.max(0, sampler.peak.get() - baseline) / (1 << 20), baseline / (1 << 20));
    return count;
  }

  private static long heapUsed() {
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  /** Once a second: a GC, then the heap in use, i.e. what the export (and the client) really hold, not garbage. */
  static final class HeapSampler extends Thread {
    final AtomicLong peak = new AtomicLong();

    HeapSampler() {
      setDaemon(true);
    }

    @Override
    public void run() {
      while (!isInterrupted()) {
        try {
          Thread.sleep(1000);
          System.gc();
          peak.accumulateAndGet(heapUsed(), Math::max);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }
}
