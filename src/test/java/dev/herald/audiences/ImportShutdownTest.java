package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.Leases;
import dev.herald.tenancy.TestOrganizations;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.ObjectMapper;

/**
 * A node stopping gracefully gives back the imports it is still running: another node takes them at once
 * instead of waiting for their leases to run out. The worker is driven by hand (the poll is an hour), and
 * stopped as the context would stop it.
 */
@SpringBootTest(properties = {"herald.imports.poll=PT1H", "herald.shutdown-timeout=1s"})
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class ImportShutdownTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;
  @Autowired ImportWorker worker;
  @Autowired Clock clock;

  /** Regression: the lease was left to run out (minutes), so a restarted cluster sat idle on the stopped node's jobs. */
  @Test
  void a_worker_stopping_mid_job_releases_its_lease_and_another_node_claims_the_job_at_once() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Shutdown Co");
    long listId = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Imported', 'single') returning id")
        .param(org.id()).query(Long.class).single();
    long id = new ImportCalls(mvc, json, imports, org, listId)
        .upload("a.csv", "email\nann@example.com\nbob@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202).get("id").asLong();
    long attempt;
    try (Connection hold = dataSource.getConnection()) {
      hold.setAutoCommit(false);
      try (Statement s = hold.createStatement()) {
        s.execute("lock table custom_field in access exclusive mode"); // the staging reads the fields first: the job waits there
      }
      worker.work();
      assertThat(worker.running()).extracting(Leases.Lease::jobId).containsExactly(id);
      Instant until = Instant.now().plus(Duration.ofSeconds(20));
      while (Instant.now().isBefore(until) && jdbc.sql("""
          select count(*) from pg_locks l join pg_class c on c.oid = l.relation where c.relname = 'custom_field' and not l.granted""")
          .query(Long.class).single() == 0) {
        Thread.sleep(50);
      }
      attempt = jdbc.sql("select lease_attempt from import_job where id = ? and status = 'running' and lease_until is not null")
          .param(id).query(Long.class).single();

      worker.stop(); // as the context does: the job does not finish within the shutdown timeout

      assertThat(jdbc.sql("select status || '/' || coalesce(lease_until::text, 'none') from import_job where id = ?").param(id)
          .query(String.class).single()).isEqualTo("queued/none");
      Leases otherNode = new Leases(jdbc, clock, "other-node", "import_job", ImportLeases.TERM, "organization_id");
      Optional<Leases.Lease> taken = otherNode.claim();
      assertThat(taken).as("claimable at once, the clock not moved").contains(new Leases.Lease(id, attempt + 1));
      hold.rollback();
    }
    // The stopped node's attempt, let go, stops at its next fenced write: the other node's lease stands and nothing is staged.
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline) && !worker.running().isEmpty()) Thread.sleep(50);
    assertThat(worker.running()).as("the attempt has ended").isEmpty();
    assertThat(jdbc.sql("select status || '/' || lease_owner || '/' || lease_attempt from import_job where id = ?").param(id)
        .query(String.class).single()).isEqualTo("running/other-node/" + (attempt + 1));
    assertThat(jdbc.sql("select count(*) from import_row where job_id = ?").param(id).query(Long.class).single()).isZero();
  }
}
