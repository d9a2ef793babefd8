package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Regression (issue 9): a merge statement ran for 15 minutes with no statement timeout, holding the only
 * worker. With a tiny {@code herald.imports.statement-timeout}, a statement that waits past it ends its job
 * with a failure naming the step and the setting, nothing is merged, and the worker goes on with the next.
 */
@SpringBootTest(properties = {"herald.imports.poll=PT0.1S", "herald.imports.statement-timeout=PT1S"})
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class ImportTimeoutTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;

  @Test
  void a_statement_past_the_timeout_fails_its_import_with_a_clear_message_and_the_worker_goes_on() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Timeout Co");
    long listId = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Imported', 'single') returning id")
        .param(org.id()).query(Long.class).single();
    ImportCalls calls = new ImportCalls(mvc, json, imports, org, listId);
    JsonNode failed;
    try (Connection hold = dataSource.getConnection()) {
      hold.setAutoCommit(false);
      try (Statement s = hold.createStatement()) {
        s.execute("lock table subscriber in share mode"); // the merge's upsert waits for it, past the 1 s timeout
      }
      failed = calls.finished(calls.upload("a.csv", "email\nann@example.com\nbob@example.com\n".getBytes(StandardCharsets.UTF_8),
          Map.of(), 202));
      hold.rollback();
    }
    assertThat(failed.get("status").asString()).isEqualTo("failed");
    assertThat(failed.get("failure").asString())
        .isEqualTo("The import stopped while merging subscribers: one of its database statements ran longer than the statement"
            + " timeout (1s, setting herald.imports.statement-timeout). Nothing of it was merged; import the file in smaller parts,"
            + " or ask the operator to raise the timeout.");
    assertThat(failed.get("finishedAt").isNull()).isFalse();
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ?").param(org.id()).query(Long.class).single()).isZero();
    assertThat(jdbc.sql("select count(*) from import_row where job_id = ?").param(failed.get("id").asLong()).query(Long.class).single())
        .isZero();

    JsonNode next = calls.finished(calls.upload("b.csv", "email\ncy@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(next.get("status").asString()).as("the worker is free again").isEqualTo("finished");
    // The pooled connections keep their own setting: the timeout was the job's transactions' alone.
    assertThat(jdbc.sql("show statement_timeout").query(String.class).single()).isEqualTo("0");
  }
}
