package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.platform.Leases;
import dev.herald.tenancy.TestOrganizations;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
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
 * Issue 9, "a second large import hangs every organization's imports": the merge's plans for a second job
 * on a staging table that held an earlier one, the steps an import reports while it merges, one
 * organization's import running while another's is stuck, and a suspended organization's imports held.
 */
@SpringBootTest(properties = "herald.imports.poll=PT0.1S")
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class ImportHangTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired DataSource dataSource;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;
  @Autowired ImportWorker worker;
  @Autowired ImportStaging staging;
  @Autowired ImportMerge merge;
  static int counter;

  record Org(TestOrganizations.Created org, long listId) {
    ImportCalls calls(ImportHangTest t) {
      return new ImportCalls(t.mvc, t.json, t.imports, org, listId);
    }
  }

  Org organization() {
    TestOrganizations.Created org = fixtures.organization("Hang Co " + (++counter));
    long listId = list(org.id(), "Imported");
    return new Org(org, listId);
  }

  long list(long orgId, String name) {
    return jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, ?, 'single') returning id").params(orgId, name)
        .query(Long.class).single();
  }

  static byte[] csv(String prefix, int rows, int duplicateEvery) {
    StringBuilder out = new StringBuilder("email,name\n");
    for (int i = 0; i < rows; i++) {
      int n = duplicateEvery > 0 && i % duplicateEvery == duplicateEvery - 1 ? i - 1 : i;
      out.append(prefix).append(n).append("@example.com,Person ").append(i).append('\n');
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** A job staged by hand as a worker would (claimed, begun, file read), not merged yet. */
  record Staged(ImportRun run, long rows) {}

  Staged staged(Org o, long listId, byte[] file) {
    long id = imports.upload(o.org().id(), null, listId, "f.csv", file, null);
    jdbc.sql("update import_job set import_as = 'subscribed', consent_basis = 'test', status = 'running', started_at = now(),"
        + " lease_attempt = 1, lease_until = now() + interval '5 minutes' where id = ?").param(id).update();
    ImportRun run = worker.begin(new Leases.Lease(id, 1));
    return new Staged(run, staging.stage(run));
  }

  // ---- plans ---------------------------------------------------------------------------------

  /**
   * Regression: a second 300,000-row import, into another list two minutes after the first, sat at 99 % for
   * 15 minutes. The staging table's statistics described the first job, so the planner expected one row of
   * the second and chose a nested loop that grouped the whole job again for every row. The plans of every
   * merge statement are checked for that shape: once with the statistics as they were (the window the
   * duplicates are now found with needs none), and once as the staging leaves them (the job's rows analyzed).
   */
  @Test
  void second_large_import_does_not_hang() throws Exception {
    Org o = organization();
    int rows = 5_000;
    Staged first = staged(o, o.listId(), csv("first", rows, 0));
    jdbc.sql("analyze import_row").update(); // as autovacuum did while the first job's rows were there
    jdbc.sql("delete from import_row where job_id = ?").param(first.run().id()).update(); // merged and gone
    jdbc.sql("update import_job set status = 'finished', lease_until = null where id = ?").param(first.run().id()).update();

    // Statistics of the first job: the second's rows are written as COPY does, with no analysis after.
    long stale = imports.upload(o.org().id(), null, o.listId(), "s.csv", "email\na@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    jdbc.sql("""
        insert into import_row (job_id, line, email, email_key, smtputf8, attributes, tags)
        select ?, i, 'p' || (i / 2) || '@example.com', 'p' || (i / 2) || '@example.com', false, '{}', '{}' from generate_series(2, ?) i""")
        .params(stale, rows + 1).update();
    JsonNode stalePlan = explain(ImportMerge.DUPLICATES, Map.of("job", stale));
    assertThat(scans(stalePlan, n -> true).getFirst().path("Plan Rows").asLong())
        .as("the statistics describe the earlier job: the planner expects a handful of rows").isLessThan(rows / 10);
    assertThat(quadratic(stalePlan)).as("duplicates found without a per-row re-read, whatever the estimate:%n%s", stalePlan.toPrettyString())
        .isEmpty();
    jdbc.sql("delete from import_row where job_id = ?").param(stale).update();

    // The second job as the worker stages it, into another list: every statement planned for its real size.
    Staged second = staged(o, list(o.org().id(), "Second"), csv("second", rows, 10));
    for (ImportMerge.Statement statement : merge.statements(second.run())) {
      JsonNode plan = explain(statement.sql(), statement.params());
      assertThat(quadratic(plan)).as("no import_row re-read per row in%n%s%n%s", statement, plan.toPrettyString()).isEmpty();
      // (Rows set aside are none yet when the staging analyzes: an estimate of one for those is right.)
      for (JsonNode scan : scans(plan, n -> !keyed(n) && !conditions(n).contains("skip IS NOT NULL"))) {
        assertThat(scan.path("Plan Rows").asLong()).as("the planner knows the job's size in%n%s%n%s", statement, plan.toPrettyString())
            .isGreaterThan(second.rows() / 20);
      }
    }
    assertThat(merge.merge(second.run(), second.rows())).isTrue();
    assertThat(jdbc.sql("select count(*) from import_error where job_id = ? and reason like 'duplicate of line %'")
        .param(second.run().id()).query(Long.class).single()).isEqualTo(rows / 10);
    assertThat(jdbc.sql("select skipped from import_job where id = ?").param(second.run().id()).query(Long.class).single())
        .isEqualTo(rows / 10);
  }

  JsonNode explain(String sql, Map<String, ?> parameters) {
    return json.readTree(jdbc.sql("explain (format json) " + sql).params(parameters).query(String.class).single()).get(0).get("Plan");
  }

  /** Nodes reading import_row that match {@code filter}, anywhere in the plan. */
  static List<JsonNode> scans(JsonNode plan, Predicate<JsonNode> filter) {
    List<JsonNode> out = new ArrayList<>();
    collect(plan, n -> "import_row".equals(n.path("Relation Name").asString("")) && !n.path("Node Type").asString("").equals("ModifyTable")
        && filter.test(n), out);
    return out;
  }

  /** A read of one row or one key: a TID lookup, or an index probe by the address key. */
  static boolean keyed(JsonNode scan) {
    return scan.path("Node Type").asString("").equals("Tid Scan")
        || (scan.path("Index Cond").asString("") + scan.path("Recheck Cond").asString("")).contains("email_key");
  }

  static String conditions(JsonNode scan) {
    return scan.path("Index Cond").asString("") + " " + scan.path("Recheck Cond").asString("") + " " + scan.path("Filter").asString("");
  }

  /**
   * The quadratic shape: import_row read in full (not by key) on the inner side of a nested loop, or in a
   * sub-plan, both run again for every outer row.
   */
  static List<JsonNode> quadratic(JsonNode plan) {
    List<JsonNode> out = new ArrayList<>();
    collect(plan, n -> {
      if (n.path("Node Type").asString("").equals("Nested Loop") && n.path("Plans").size() > 1) {
        out.addAll(scans(n.path("Plans").get(1), s -> !keyed(s)));
      }
      if (n.path("Parent Relationship").asString("").equals("SubPlan")) out.addAll(scans(n, s -> !keyed(s)));
      return false;
    }, out);
    return out;
  }

  static void collect(JsonNode node, Predicate<JsonNode> take, List<JsonNode> out) {
    if (take.test(node)) out.add(node);
    for (JsonNode child : node.path("Plans")) collect(child, take, out);
  }

  // ---- steps ---------------------------------------------------------------------------------

  /**
   * Regression: the merge is most of an import's time, and the job sat at 99 % through all of it with its
   * counts still. Held in its merging step, the job says so, its bar shows the step's share, and what the
   * merge found so far (a duplicate) is counted; finishedAt is when it finished, not when the merge began.
   */
  @Test
  void an_import_reports_its_steps_while_it_merges_and_finishes_when_it_finishes() throws Exception {
    Org o = organization();
    ImportCalls calls = o.calls(this);
    JsonNode created;
    Instant released;
    try (Connection hold = dataSource.getConnection()) {
      hold.setAutoCommit(false);
      try (Statement s = hold.createStatement()) {
        s.execute("lock table subscriber in share mode"); // the merge's upsert waits for it
      }
      created = calls.upload("a.csv", "email\nann@example.com\nbob@example.com\nann@example.com\n".getBytes(StandardCharsets.UTF_8),
          Map.of(), 202);
      JsonNode merging = until(o, created, job -> "merging".equals(job.path("step").asString("")));
      assertThat(merging.get("status").asString()).isEqualTo("running");
      assertThat(merging.get("percent").asInt()).isEqualTo(ImportStep.MERGING.from);
      assertThat(merging.get("skipped").asLong()).as("the duplicate the merge found, counted before it ends").isEqualTo(1);
      assertThat(merging.get("finishedAt").isNull()).isTrue();
      String page = mvc.perform(get("/o/" + o.org().slug() + "/imports/" + created.get("id").asLong() + "/progress")
          .with(organizations.asOwner(o.org()))).andReturn().getResponse().getContentAsString();
      assertThat(page).contains("Merging subscribers").contains("value=\"" + ImportStep.MERGING.from + "\"");
      Thread.sleep(300);
      released = Instant.now();
      hold.rollback();
    }
    JsonNode done = calls.finished(created);
    assertThat(done.get("status").asString()).isEqualTo("finished");
    assertThat(done.get("step").isNull()).isTrue();
    assertThat(done.get("inserted").asLong()).isEqualTo(2);
    assertThat(done.get("skipped").asLong()).isEqualTo(1);
    assertThat(Instant.parse(done.get("finishedAt").asString())).as("when it finished, after the lock was released")
        .isAfter(released.minusMillis(50));

    record Step(String step, Instant started, Instant finished) {}
    List<Step> timeline = jdbc.sql("select step, started_at, finished_at from import_step where job_id = ? order by started_at")
        .param(created.get("id").asLong())
        .query((rs, n) -> new Step(rs.getString(1), rs.getTimestamp(2).toInstant(), rs.getTimestamp(3).toInstant())).list();
    assertThat(timeline).extracting(Step::step)
        .containsExactly("reading", "checking_duplicates", "screening", "merging", "writing_consent");
    Step mergingStep = timeline.get(3);
    assertThat(Duration.between(mergingStep.started(), mergingStep.finished())).as("held by the lock").isGreaterThan(Duration.ofMillis(300));
  }

  // ---- sharing -------------------------------------------------------------------------------

  /**
   * Regression: one worker ran one import at a time, so a 3-row import of another organization stayed
   * queued behind a hung one. Organization A's import is held in its merge (a row it updates is locked);
   * B's import finishes meanwhile.
   */
  @Test
  void one_organizations_import_never_holds_back_anothers() throws Exception {
    Org a = organization();
    Org b = organization();
    a.calls(this).finished(a.calls(this).upload("first.csv", "email\nheld@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    JsonNode stuck;
    try (Connection hold = dataSource.getConnection()) {
      hold.setAutoCommit(false);
      try (PreparedStatement s = hold.prepareStatement("select 1 from subscriber where organization_id = ? and email = 'held@example.com' for update")) {
        s.setLong(1, a.org().id());
        s.executeQuery();
      }
      stuck = a.calls(this).upload("a.csv", "email\nheld@example.com\nother@example.com\n".getBytes(StandardCharsets.UTF_8),
          Map.of("overwrite", "true"), 202);
      until(a, stuck, job -> "merging".equals(job.path("step").asString("")));
      JsonNode small = b.calls(this).finished(b.calls(this).upload("b.csv",
          "email\none@example.com\ntwo@example.com\nthree@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
      assertThat(small.get("status").asString()).isEqualTo("finished");
      assertThat(small.get("inserted").asLong()).isEqualTo(3);
      assertThat(job(a, stuck).get("status").asString()).as("A's import is still held").isEqualTo("running");
      hold.rollback();
    }
    assertThat(a.calls(this).finished(stuck).get("status").asString()).isEqualTo("finished");
  }

  /** Carried over to issue 9: imports of a suspended organization ran anyway. They wait until it is resumed. */
  @Test
  void imports_of_a_suspended_organization_wait_until_it_is_resumed() throws Exception {
    Org suspended = organization();
    Org active = organization();
    long id = imports.upload(suspended.org().id(), null, suspended.listId(), "s.csv",
        "email\nwaits@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    jdbc.sql("update organization set suspended_at = now(), suspended_reason = 'unpaid' where id = ?").param(suspended.org().id()).update();
    imports.start(suspended.org().id(), id, null, "subscribed", "test", false, List.of());
    // The worker polls every 0.1 s: another organization's import is done in that time, this one waits.
    JsonNode other = active.calls(this).finished(active.calls(this).upload("o.csv",
        "email\nruns@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(other.get("status").asString()).isEqualTo("finished");
    Thread.sleep(1000);
    assertThat(imports.find(suspended.org().id(), id).orElseThrow().status()).isEqualTo(ImportStatus.QUEUED);

    jdbc.sql("update organization set suspended_at = null, suspended_reason = '' where id = ?").param(suspended.org().id()).update();
    Instant deadline = Instant.now().plusSeconds(30);
    while (imports.find(suspended.org().id(), id).orElseThrow().status() != ImportStatus.FINISHED && Instant.now().isBefore(deadline)) {
      Thread.sleep(100);
    }
    assertThat(imports.find(suspended.org().id(), id).orElseThrow().status()).isEqualTo(ImportStatus.FINISHED);
  }

  // ---- helpers -------------------------------------------------------------------------------

  JsonNode job(Org o, JsonNode created) throws Exception {
    return json.readTree(mvc.perform(get("/api/v1/orgs/" + o.org().slug() + "/imports/" + created.get("id").asLong())
        .header("Authorization", "Bearer " + o.org().apiKey())).andReturn().getResponse().getContentAsString());
  }

  JsonNode until(Org o, JsonNode created, Predicate<JsonNode> condition) throws Exception {
    Instant deadline = Instant.now().plusSeconds(30);
    JsonNode job = job(o, created);
    while (!condition.test(job)) {
      if (Instant.now().isAfter(deadline)) throw new AssertionError("import never got there: " + job);
      Thread.sleep(50);
      job = job(o, created);
    }
    return job;
  }
}
