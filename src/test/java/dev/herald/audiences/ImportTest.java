package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.platform.Leases;
import dev.herald.tenancy.TestOrganizations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.mockito.ArgumentMatchers;
import org.mockito.Mockito;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Imports through the API, run by the worker: Mailchimp's layout without mapping, the edge cases
 * with their line numbers, encodings, bad files, keep-existing vs overwrite, never re-subscribing
 * complained or unsubscribed people, and a job taken over after its node died.
 */
@SpringBootTest(properties = "herald.imports.poll=PT0.1S")
@AutoConfigureMockMvc
@RecordApplicationEvents
@Import({AudienceFixtures.class, TestOrganizations.class})
class ImportTest {
  static final Path CORPUS = Path.of("../shared/corpora/subscriber-csv");
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;
  @Autowired ImportWorker worker;
  @Autowired ImportStaging staging;
  @Autowired ImportMerge merge;
  @Autowired CustomFields fields;
  @Autowired Subscribers subscribers;
  @Autowired ApplicationEvents events;
  @MockitoSpyBean DoubleOptIn doubleOptIn;

  TestOrganizations.Created org;
  long listId;
  static int counter;

  @BeforeEach
  void organization() throws Exception {
    org = fixtures.organization("Import Co " + (++counter));
    listId = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Imported', 'single') returning id")
        .param(org.id()).query(Long.class).single();
  }

  ImportCalls calls() {
    return new ImportCalls(mvc, json, imports, org, listId);
  }

  JsonNode upload(String fileName, byte[] content, Map<String, String> params, int expectedStatus) throws Exception {
    return calls().upload(fileName, content, params, expectedStatus);
  }

  JsonNode finished(JsonNode created) throws Exception {
    return calls().finished(created);
  }

  Map<Long, String> errors(JsonNode job) {
    return calls().errors(job);
  }

  long count(String sql, Object... params) {
    return jdbc.sql(sql).params(params).query(Long.class).single();
  }

  @Test
  void mailchimps_export_imports_without_manual_mapping_with_names_tags_and_consent_evidence() throws Exception {
    JsonNode job = finished(upload("subscribed_members_export.csv",
        Files.readAllBytes(CORPUS.resolve("subscribed_members_export_synthetic.csv")), Map.of(), 202));
    assertThat(job.get("status").asString()).isEqualTo("finished");
    assertThat(job.get("totalRows").asLong()).isEqualTo(200);
    assertThat(job.get("inserted").asLong() + job.get("skipped").asLong()).isEqualTo(200);
    assertThat(job.get("inserted").asLong()).isEqualTo(count("select count(*) from subscription where list_id = ? and status = 'subscribed'", listId));
    var bradley = jdbc.sql("select name, tags from subscriber where organization_id = ? and email = 'bradley.rodgers0@example.com'")
        .param(org.id()).query((rs, n) -> List.of(rs.getString(1), String.join(",", (String[]) rs.getArray(2).getArray()))).single();
    assertThat(bradley).containsExactly("Bradley Rodgers", "customer");
    var consent = jdbc.sql("""
        select c.ip, c.basis, c.channel, c.given_at from consent_record c join subscriber s on s.id = c.subscriber_id
        where s.email = 'bradley.rodgers0@example.com'""").query((rs, n) -> List.of(rs.getString(1), rs.getString(2), rs.getString(3),
        rs.getTimestamp(4).toInstant().toString())).single();
    assertThat(consent).containsExactly("192.228.49.222", "signed up on our website", "import", "2020-10-28T21:46:10Z");
    assertThat(count("select count(*) from custom_field where organization_id = ?", org.id()))
        .as("Mailchimp's housekeeping columns are not turned into fields").isZero();
  }

  @Test
  void the_edge_cases_are_reported_with_their_line_numbers_and_the_rest_imported() throws Exception {
    JsonNode job = finished(upload("edge-cases.csv", Files.readAllBytes(CORPUS.resolve("edge-cases.csv")), Map.of(), 202));
    assertThat(job.get("status").asString()).isEqualTo("finished");
    Map<Long, String> errors = errors(job);
    // row N of the expectations is line N+1 (the header is line 1); row 12's name holds a line break.
    assertThat(errors.get(3L)).isEqualTo("duplicate of line 2");
    assertThat(errors.get(5L)).startsWith("invalid email");
    assertThat(errors.get(6L)).startsWith("invalid email");
    assertThat(errors.get(7L)).startsWith("invalid email");
    assertThat(errors.get(16L)).isEqualTo("missing email");
    assertThat(errors.get(17L)).startsWith("invalid email");
    assertThat(count("select count(*) from subscriber where organization_id = ? and email = 'spaced@example.com'", org.id())).isEqualTo(1);
    assertThat(count("select count(*) from subscriber where organization_id = ? and email = 'user@bücher.example'", org.id())).isEqualTo(1);
    assertThat(jdbc.sql("select name from subscriber where organization_id = ? and email = 'multiline@example.com'").param(org.id())
        .query(String.class).single()).isEqualTo("Line1\nLine2");
    assertThat(jdbc.sql("select name from subscriber where organization_id = ? and email = 'quote@example.com'").param(org.id())
        .query(String.class).single()).isEqualTo("He said \"hi\"");
  }

  @Test
  void a_windows_1252_file_with_semicolons_keeps_its_umlauts() throws Exception {
    JsonNode job = finished(upload("semicolon.csv", Files.readAllBytes(CORPUS.resolve("semicolon-delimited.csv")), Map.of(), 202));
    assertThat(job.get("inserted").asLong()).isEqualTo(2);
    assertThat(jdbc.sql("select name from subscriber where organization_id = ? and email = 'mueller@example.de'").param(org.id())
        .query(String.class).single()).isEqualTo("Jürgen Müller");
  }

  @Test
  void bad_files_get_a_clear_error() throws Exception {
    JsonNode empty = upload("empty.csv", new byte[0], Map.of(), 422);
    assertThat(empty.get("errors").get(0).get("field").asString()).isEqualTo("file");

    JsonNode noEmail = upload("no-email.csv", "name,city\nAnn,Paris\n".getBytes(StandardCharsets.UTF_8), Map.of(), 422);
    assertThat(noEmail.get("errors").get(0).get("field").asString()).isEqualTo("mapping");

    JsonNode noBasis = json.readTree(mvc.perform(multipart("/api/v1/orgs/" + org.slug() + "/imports")
            .file(new MockMultipartFile("file", "a.csv", null, "email\na@example.com\n".getBytes(StandardCharsets.UTF_8)))
            .param("listId", Long.toString(listId)).header("Authorization", "Bearer " + org.apiKey()))
        .andReturn().getResponse().getContentAsString());
    assertThat(noBasis.get("errors").get(0).get("field").asString()).isEqualTo("consentBasis");

    JsonNode unterminated = finished(upload("broken.csv",
        "email,name\na@example.com,Ann\nb@example.com,\"Bob\nc@example.com,Cy\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(unterminated.get("status").asString()).isEqualTo("failed");
    assertThat(unterminated.get("failure").asString()).containsIgnoringCase("line 3");
    assertThat(count("select count(*) from subscriber where organization_id = ?", org.id())).as("nothing merged from a failed file").isZero();

    byte[] oneLongLine = ("email,name\n" + "x".repeat(10 * 1024 * 1024)).getBytes(StandardCharsets.US_ASCII);
    JsonNode huge = finished(upload("huge.csv", oneLongLine, Map.of(), 202));
    assertThat(huge.get("status").asString()).isEqualTo("failed");
    assertThat(huge.get("failure").asString()).containsIgnoringCase("line 2");
  }

  /**
   * Regression: a 287 KB workbook whose first row held ten million cells took the JVM's whole heap, slowed every
   * other request and left its temporary copy behind.
   */
  @Test
  void a_hostile_xlsx_is_refused_naming_the_file_and_the_limit_and_no_temporary_copy_is_left_by_any_job() throws Exception {
    long before = SubscriberFileXlsxTest.leftoverCopies();
    JsonNode bomb = upload("bomb.xlsx", SubscriberFileXlsxTest.tenMillionCellsInTheFirstRow(), Map.of(), 422);
    assertThat(bomb.get("detail").asString()).startsWith("The file bomb.xlsx cannot be imported. This workbook unpacks to more than 100 times");
    assertThat(bomb.get("errors").get(0).get("field").asString()).isEqualTo("file");
    JsonNode wide = upload("wide.xlsx", SubscriberFileXlsxTest.handMade(sheet -> sheet.write(SubscriberFileXlsxTest.inlineRow(1, 501))),
        Map.of(), 422);
    assertThat(wide.get("detail").asString()).startsWith("The file wide.xlsx cannot be imported. Line 1: the row has more than 500 columns");
    assertThat(SubscriberFileXlsxTest.leftoverCopies()).as("after refused files").isEqualTo(before);

    // The header reads, so the job is queued; a cell of 70,000 characters on row 3 fails it in the worker.
    byte[] failing = SubscriberFileXlsxTest.handMade(sheet -> sheet.write("<row r=\"1\"><c t=\"inlineStr\"><is><t>email</t></is></c></row>"
        + "<row r=\"2\"><c t=\"inlineStr\"><is><t>a@example.com</t></is></c></row>"
        + "<row r=\"3\"><c t=\"inlineStr\"><is><t>" + "x".repeat(70_000) + "</t></is></c></row>"));
    JsonNode failed = finished(upload("long.xlsx", failing, Map.of(), 202));
    assertThat(failed.get("status").asString()).isEqualTo("failed");
    assertThat(failed.get("failure").asString()).contains("Line 3").contains("longer than 65536 characters");
    assertThat(SubscriberFileXlsxTest.leftoverCopies()).as("after a failed job").isEqualTo(before);

    JsonNode done = finished(upload("fine.xlsx", SubscriberFileXlsxTest.handMade(sheet -> sheet.write(
        "<row r=\"1\"><c t=\"inlineStr\"><is><t>email</t></is></c></row><row r=\"2\"><c t=\"inlineStr\"><is><t>fine@example.com</t></is></c></row>")),
        Map.of(), 202));
    assertThat(done.get("status").asString()).isEqualTo("finished");
    assertThat(done.get("inserted").asLong()).isEqualTo(1);
    assertThat(SubscriberFileXlsxTest.leftoverCopies()).as("after a finished job").isEqualTo(before);
  }

  /** Regression: a CSV of 100,000 columns was accepted, and its mapping page was 111 MB. */
  @Test
  void a_csv_of_100000_columns_is_refused_at_upload_naming_the_file_the_line_and_the_limit() throws Exception {
    var header = new StringBuilder("email");
    for (int i = 1; i < 100_000; i++) header.append(",c").append(i);
    JsonNode refused = upload("wide.csv", (header + "\na@example.com\n").getBytes(StandardCharsets.UTF_8), Map.of(), 422);
    assertThat(refused.get("detail").asString())
        .isEqualTo("The file wide.csv cannot be imported. Line 1: the row has more than 500 columns; Herald imports at most 500. "
            + "Remove the columns you do not need and import the file again.");
    assertThat(count("select count(*) from import_job where organization_id = ?", org.id())).isZero();
  }

  /** Regression: a NUL in an upload's file name gave a 500. */
  @Test
  void a_file_name_with_controls_or_a_path_is_shown_as_its_readable_base_name() throws Exception {
    byte[] file = "email\na@example.com\n".getBytes(StandardCharsets.UTF_8);
    Map<String, String> sent = new java.util.LinkedHashMap<>();
    sent.put("list\0 of\u0007 people.csv", "list of people.csv");
    sent.put("../../etc/passwd.csv", "passwd.csv");
    sent.put("C:\\Users\\ann\\Desktop\\people.csv", "people.csv");
    sent.put("invoice\u202Evsc.exe.csv", "invoicevsc.exe.csv");
    sent.put("x".repeat(300) + ".csv", "x".repeat(195) + "….csv");
    for (var name : sent.entrySet()) {
      JsonNode created = upload(name.getKey(), file, Map.of("format", "csv"), 202);
      assertThat(imports.find(org.id(), created.get("id").asLong()).orElseThrow().fileName()).isEqualTo(name.getValue());
    }
    JsonNode nothingLeft = upload("\0\u0001/", file, Map.of("format", "csv"), 202);
    assertThat(imports.find(org.id(), nothingLeft.get("id").asLong()).orElseThrow().fileName()).isEqualTo("upload.csv");
  }

  /** Regression: without a multipart body the API answered Spring's own 415 JSON, and an empty file was "not sent". */
  @Test
  void an_import_without_a_multipart_body_is_a_415_problem_and_an_empty_file_says_so() throws Exception {
    for (var request : List.of(
        post("/api/v1/orgs/" + org.slug() + "/imports").contentType(MediaType.APPLICATION_JSON).content("{\"listId\": 1}"),
        post("/api/v1/orgs/" + org.slug() + "/imports"))) {
      var response = mvc.perform(request.header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
      assertThat(response.getStatus()).isEqualTo(415);
      assertThat(response.getContentType()).isEqualTo("application/problem+json");
      JsonNode problem = json.readTree(response.getContentAsString());
      assertThat(problem.get("detail").asString()).isEqualTo("Send the import as multipart/form-data, with the file in the 'file' part.");
      assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("file");
    }
    JsonNode empty = upload("empty.csv", new byte[0], Map.of(), 422);
    assertThat(empty.get("detail").asString()).isEqualTo("The file is empty.");
  }

  @Test
  void the_organizations_imports_are_listed_newest_first_a_page_at_a_time() throws Exception {
    long first = imports.upload(org.id(), null, listId, "first.csv", "email\na@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    JsonNode done = finished(upload("second.csv", "email\nb@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    long third = imports.upload(org.id(), null, listId, "third.csv", "email\nc@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    fixtures.organization("Someone else's imports"); // and none of theirs
    JsonNode page = apiGet("/imports?page=0&size=2", 200);
    assertThat(page.get("total").asLong()).isEqualTo(3);
    assertThat(page.get("items").valueStream().map(j -> j.get("id").asLong()).toList()).containsExactly(third, done.get("id").asLong());
    JsonNode second = page.get("items").get(1);
    assertThat(second.get("status").asString()).isEqualTo("finished");
    assertThat(second.get("totalRows").asLong()).isEqualTo(1);
    assertThat(second.get("inserted").asLong()).isEqualTo(1);
    assertThat(second.get("createdAt").isNull()).isFalse();
    assertThat(second.get("finishedAt").isNull()).isFalse();
    assertThat(apiGet("/imports?page=1&size=2", 200).get("items").valueStream().map(j -> j.get("id").asLong()).toList())
        .containsExactly(first);
    assertThat(apiGet("/imports", 200).get("size").asInt()).isEqualTo(50);
    assertThat(apiGet("/imports?size=0", 422).get("errors").get(0).get("field").asString()).isEqualTo("size");
    assertThat(apiGet("/imports?page=-1", 422).get("errors").get(0).get("field").asString()).isEqualTo("page");
  }

  JsonNode apiGet(String path, int expectedStatus) throws Exception {
    var response = mvc.perform(get("/api/v1/orgs/" + org.slug() + path).header("Authorization", "Bearer " + org.apiKey()))
        .andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return json.readTree(response.getContentAsString());
  }

  @Test
  void keep_existing_fills_in_and_overwrite_replaces() throws Exception {
    jdbc.sql("insert into custom_field (organization_id, key, label, type) values (?, 'city', 'City', 'text')").param(org.id()).update();
    finished(upload("a.csv", "email,name,city\nann@example.com,Ann,Paris\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    finished(upload("b.csv", "email,name,city\nann@example.com,Anna,Rome\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(jdbc.sql("select name || ' ' || (attributes->>'city') from subscriber where organization_id = ?").param(org.id())
        .query(String.class).single()).isEqualTo("Ann Paris");
    JsonNode job = finished(upload("c.csv", "email,name,city\nann@example.com,Anna,Rome\n".getBytes(StandardCharsets.UTF_8),
        Map.of("overwrite", "true"), 202));
    assertThat(job.get("updated").asLong()).isEqualTo(1);
    assertThat(jdbc.sql("select name || ' ' || (attributes->>'city') from subscriber where organization_id = ?").param(org.id())
        .query(String.class).single()).isEqualTo("Anna Rome");
  }

  /**
   * Regression (issue 9, import speed): an update import wrote a new version of every subscriber it met and
   * locked every subscription, changed or not. A row that changes nothing now leaves its subscriber as it was
   * (same xmin: no new version; ON CONFLICT still locks it) and its subscription untouched (not even locked:
   * same xmin and xmax), counts as no update and writes no consent record; a changed row is still written.
   */
  @Test
  void an_update_import_that_changes_nothing_updates_no_row_and_writes_no_consent() throws Exception {
    jdbc.sql("insert into custom_field (organization_id, key, label, type) values (?, 'city', 'City', 'text')").param(org.id()).update();
    byte[] file = "email,name,city\nann@example.com,Ann,Paris\nbob@example.com,Bob,Rome\n".getBytes(StandardCharsets.UTF_8);
    finished(upload("a.csv", file, Map.of(), 202));
    String versions = """
        select string_agg(s.email || ' ' || s.xmin || ' ' || x.xmin || ' ' || x.xmax, ', ' order by s.email)
        from subscriber s join subscription x on x.subscriber_id = s.id where s.organization_id = ?""";
    String before = jdbc.sql(versions).param(org.id()).query(String.class).single();
    String consents = "select count(*) from consent_record where organization_id = ?";
    long consentBefore = jdbc.sql(consents).param(org.id()).query(Long.class).single();

    for (String overwrite : List.of("true", "false")) {
      JsonNode same = finished(upload("b.csv", file, Map.of("overwrite", overwrite), 202));
      assertThat(same.get("updated").asLong()).as("overwrite=" + overwrite).isZero();
      assertThat(jdbc.sql(versions).param(org.id()).query(String.class).single()).as("overwrite=" + overwrite).isEqualTo(before);
      assertThat(jdbc.sql(consents).param(org.id()).query(Long.class).single()).as("overwrite=" + overwrite).isEqualTo(consentBefore);
    }

    JsonNode changed = finished(upload("c.csv", "email,name,city\nann@example.com,Ann,Lyon\nbob@example.com,Bob,Rome\n"
        .getBytes(StandardCharsets.UTF_8), Map.of("overwrite", "true"), 202));
    assertThat(changed.get("updated").asLong()).isEqualTo(1);
    assertThat(jdbc.sql("select attributes->>'city' from subscriber where organization_id = ? order by email").param(org.id())
        .query(String.class).list()).containsExactly("Lyon", "Rome");
  }

  /**
   * Regression (outside trial): re-importing a list's export into another list added everyone to that list, but the job
   * said 0 new, 0 updated and "unchanged" for all: a subscription the import created or changed was counted nowhere.
   */
  @Test
  void importing_existing_people_into_another_list_reports_them_added_to_the_list_not_unchanged() throws Exception {
    byte[] file = "email,name\nann@example.com,Ann\nbob@example.com,Bob\ncy@example.com,Cy\n".getBytes(StandardCharsets.UTF_8);
    finished(upload("export.csv", file, Map.of(), 202));
    listId = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Other', 'single') returning id")
        .param(org.id()).query(Long.class).single();

    JsonNode other = finished(upload("export.csv", file, Map.of(), 202));
    assertThat(count("select count(*) from subscription where list_id = ?", listId)).isEqualTo(3);
    assertThat(other.get("inserted").asLong()).isZero();
    assertThat(other.get("updated").asLong()).isZero();
    assertThat(other.get("subscriptionChanged").asLong()).isEqualTo(3);
    assertThat(other.get("skipped").asLong()).isZero();
    assertThat(jobRecord(other).unchanged()).isZero();
  }

  @Test
  void re_importing_the_same_file_into_the_same_list_reports_everyone_unchanged() throws Exception {
    byte[] file = "email,name\nann@example.com,Ann\nbob@example.com,Bob\n".getBytes(StandardCharsets.UTF_8);
    JsonNode first = finished(upload("a.csv", file, Map.of(), 202));
    assertThat(first.get("inserted").asLong()).isEqualTo(2);
    assertThat(first.get("subscriptionChanged").asLong()).as("new people are counted as new only").isZero();

    JsonNode again = finished(upload("a.csv", file, Map.of(), 202));
    assertThat(again.get("inserted").asLong()).isZero();
    assertThat(again.get("updated").asLong()).isZero();
    assertThat(again.get("subscriptionChanged").asLong()).isZero();
    assertThat(jobRecord(again).unchanged()).isEqualTo(2);
  }

  /**
   * One file with each kind of row, into a second list: a new person, one whose row changes and who joins the list
   * (counted once, as updated), one who only joins the list, one whose status on the list changes, one already on
   * the list as they are, and one set aside.
   */
  @Test
  void a_mixed_import_counts_new_updated_subscription_changed_unchanged_and_set_aside_each_right() throws Exception {
    long firstList = listId;
    finished(upload("a.csv", "email,name\nupd@example.com,Upd\njoins@example.com,Joins\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    listId = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Second', 'single') returning id")
        .param(org.id()).query(Long.class).single();
    finished(upload("b.csv", "email,name\nsame@example.com,Same\nstatus@example.com,Status\n".getBytes(StandardCharsets.UTF_8),
        Map.of("importAs", "unconfirmed"), 202));
    jdbc.sql("update subscription set status = 'subscribed' where list_id = ? and subscriber_id = "
        + "(select id from subscriber where email = 'same@example.com')").param(listId).update();

    JsonNode mixed = finished(upload("c.csv", """
        email,name,tags
        new@example.com,New,
        upd@example.com,Upd,vip
        joins@example.com,Joins,
        status@example.com,Status,
        same@example.com,Same,
        not-an-address,Nobody,
        """.getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(mixed.get("processedRows").asLong()).isEqualTo(6);
    assertThat(mixed.get("inserted").asLong()).as("new").isEqualTo(1);
    assertThat(mixed.get("updated").asLong()).as("upd: tag added and joined the list, counted once").isEqualTo(1);
    assertThat(mixed.get("subscriptionChanged").asLong()).as("joins (added) and status (unconfirmed to subscribed)").isEqualTo(2);
    assertThat(mixed.get("skipped").asLong()).isEqualTo(1);
    assertThat(jobRecord(mixed).unchanged()).as("same").isEqualTo(1);
    assertThat(count("select count(*) from subscription where list_id = ? and status = 'subscribed'", listId)).isEqualTo(5);
    assertThat(count("select count(*) from subscription where list_id = ?", firstList)).isEqualTo(2);
  }

  Imports.Job jobRecord(JsonNode job) {
    return imports.find(org.id(), job.get("id").asLong()).orElseThrow();
  }

  @Test
  void unsubscribed_and_complained_people_are_never_resubscribed_by_an_import() throws Exception {
    finished(upload("a.csv", "email\nleft@example.com\nangry@example.com\nstays@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    jdbc.sql("update subscription x set status = 'unsubscribed' from subscriber s where s.id = x.subscriber_id and s.email = 'left@example.com'")
        .update();
    jdbc.sql("update subscription x set status = 'complained' from subscriber s where s.id = x.subscriber_id and s.email = 'angry@example.com'")
        .update();
    long firstList = listId;
    long otherList = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'Other') returning id").param(org.id())
        .query(Long.class).single();
    listId = otherList; // a complaint on any list blocks every list
    JsonNode job = finished(upload("b.csv", "email\nleft@example.com\nangry@example.com\nstays@example.com\n".getBytes(StandardCharsets.UTF_8),
        Map.of(), 202));
    Map<Long, String> errors = errors(job);
    assertThat(errors.get(3L)).contains("complained");
    assertThat(errors).doesNotContainKey(2L);  // unsubscribed from the *first* list only: may join another
    assertThat(count("select count(*) from subscription x join subscriber s on s.id = x.subscriber_id "
        + "where s.email = 'angry@example.com' and x.list_id = ?", otherList)).isZero();

    listId = firstList;
    JsonNode again = finished(upload("c.csv", "email\nleft@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(errors(again).get(2L)).contains("already unsubscribed");
    assertThat(count("select count(*) from subscription x join subscriber s on s.id = x.subscriber_id "
        + "where s.email = 'left@example.com' and x.list_id = ? and x.status = 'unsubscribed'", firstList)).isEqualTo(1);
  }

  @Test
  void a_job_left_running_by_a_dead_node_is_taken_over() throws Exception {
    // A draft is never claimed, so the test can set the scene before any worker sees the job.
    long id = imports.upload(org.id(), null, listId, "a.csv", "email\nrestart@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    jdbc.sql("""
        insert into import_row (job_id, line, email, email_key, smtputf8, attributes, tags)
        values (?, 2, 'stale@example.com', 'stale@example.com', false, '{}', '{}')""").param(id).update();
    // As if a node had claimed it and died: running, lease expired, half-staged rows left behind.
    jdbc.sql("update import_job set status = 'running', consent_basis = 'website', lease_until = now() - interval '1 minute' where id = ?")
        .param(id).update();
    JsonNode job = finished(json.readTree("{\"id\":" + id + "}"));
    assertThat(job.get("status").asString()).isEqualTo("finished");
    assertThat(count("select count(*) from subscriber where organization_id = ? and email = 'restart@example.com'", org.id())).isEqualTo(1);
    assertThat(count("select count(*) from subscriber where email = 'stale@example.com'")).isZero();
  }

  @Test
  void a_mapping_target_that_is_not_a_string_is_a_422_naming_mapping_not_a_class_cast() throws Exception {
    byte[] file = "email\na@example.com\n".getBytes(StandardCharsets.UTF_8);
    for (String mapping : List.of("{\"email\":1}", "{\"email\":null}", "{\"email\":[\"email\"]}", "[\"email\"]", "\"email\"", "{")) {
      JsonNode refused = upload("m.csv", file, Map.of("mapping", mapping), 422);
      assertThat(refused.get("errors").get(0).get("field").asString()).as(mapping).isEqualTo("mapping");
    }
    assertThat(count("select count(*) from import_job where organization_id = ?", org.id())).isZero();
    JsonNode job = finished(upload("m.csv", file, Map.of("mapping", "{\"email\":\"email\"}"), 202));
    assertThat(job.get("inserted").asLong()).isEqualTo(1);
  }

  @Test
  void a_row_with_a_nul_character_is_set_aside_with_its_line_and_the_rest_imported() throws Exception {
    // Past the first KiB: a NUL there is taken for a binary file and the whole upload refused, as it should be.
    StringBuilder csv = new StringBuilder("email,name,city,tags\n");
    for (int i = 0; i < 60; i++) csv.append("p").append(i).append("@example.com,Person ").append(i).append(",Paris,\n");
    csv.append("nul-name@example.com,An\0n,Paris,\n");      // line 62
    csv.append("nul-city@example.com,Cy,Pa\0ris,\n");       // line 63
    csv.append("nul-tag@example.com,Tag,Paris,vip\0\n");    // line 64
    csv.append("nul-end@example.com,End\0,Paris,\n");       // line 65: trim() would have dropped it silently
    csv.append("bell@example.com,Ding\u0007,Paris,\n");     // line 66
    csv.append("last@example.com,Last,Rome,\n");            // line 67
    JsonNode job = finished(upload("nul.csv", csv.toString().getBytes(StandardCharsets.UTF_8),
        Map.of("mapping", "{\"email\":\"email\",\"name\":\"name\",\"city\":\"field:city\",\"tags\":\"tags\"}"), 202));
    assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("finished");
    assertThat(job.get("inserted").asLong()).as(errors(job).toString()).isEqualTo(61);
    Map<Long, String> errors = errors(job);
    assertThat(errors.keySet()).containsExactly(62L, 63L, 64L, 65L, 66L);
    assertThat(errors.get(62L)).isEqualTo("name: a control character (U+0000) at character 3 cannot be stored");
    assertThat(errors.get(63L)).startsWith("city: A control character (U+0000)");
    assertThat(errors.get(64L)).contains("tag");
    assertThat(errors.get(66L)).contains("U+0007");
    assertThat(imports.errors(org.id(), job.get("id").asLong(), 10).getFirst().value()).as("stored, with the NUL made visible")
        .isEqualTo("An\uFFFDn");
    assertThat(count("select count(*) from subscriber where organization_id = ? and email = 'last@example.com'", org.id())).isEqualTo(1);

    byte[] jsonFile = "[{\"email\":\"j1@example.com\",\"name\":\"Jo\"},\n{\"email\":\"j2@example.com\",\"name\":\"J\\u0000o\"},\n{\"email\":\"j3@example.com\"}]"
        .getBytes(StandardCharsets.UTF_8);
    JsonNode fromJson = finished(upload("nul.json", jsonFile, Map.of(), 202));
    assertThat(fromJson.get("status").asString()).as(fromJson.toString()).isEqualTo("finished");
    assertThat(fromJson.get("inserted").asLong()).isEqualTo(2);
    assertThat(errors(fromJson)).containsOnlyKeys(2L);
    assertThat(errors(fromJson).get(2L)).startsWith("name: a control character (U+0000)");
  }

  @Test
  void a_number_out_of_range_or_a_date_with_junk_sets_its_row_aside_instead_of_failing_the_import() throws Exception {
    fields.create(org.id(), "score", "Score", "number", List.of());
    fields.create(org.id(), "since", "Since", "date", List.of());
    String csv = """
        email,score,since
        ok@example.com,"12,5",2024-01-01 10:00:00
        huge@example.com,1e999999,2024-01-01
        tiny@example.com,1e-999999,
        junk@example.com,1,2024-01-01junk
        last@example.com,999999999999999,2024-01-02T10:00:00Z
        """;
    JsonNode job = finished(upload("numbers.csv", csv.getBytes(StandardCharsets.UTF_8),
        Map.of("mapping", "{\"email\":\"email\",\"score\":\"field:score\",\"since\":\"field:since\"}"), 202));
    assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("finished");
    assertThat(job.get("inserted").asLong()).isEqualTo(2);
    Map<Long, String> errors = errors(job);
    assertThat(errors.keySet()).containsExactly(3L, 4L, 5L);
    assertThat(errors.get(3L)).startsWith("score: '1e999999' is out of range");
    assertThat(errors.get(4L)).startsWith("score: '1e-999999' is out of range");
    assertThat(errors.get(5L)).startsWith("since: '2024-01-01junk' is not a date");
    assertThat(jdbc.sql("select attributes ->> 'score' || ' ' || (attributes ->> 'since') from subscriber where organization_id = ? order by email")
        .param(org.id()).query(String.class).list()).containsExactly("999999999999999 2024-01-02", "12.5 2024-01-01");
  }

  @Test
  void json_and_xlsx_files_import_through_the_same_path() throws Exception {
    byte[] jsonFile = """
        [{"email":"jo@example.com","name":"Jo","tags":"a,b"},{"email":"not-an-address","name":"Bad"},{"email":"kim@example.com"}]"""
        .getBytes(StandardCharsets.UTF_8);
    JsonNode fromJson = finished(upload("people.json", jsonFile, Map.of(), 202));
    assertThat(fromJson.get("status").asString()).isEqualTo("finished");
    assertThat(fromJson.get("inserted").asLong()).isEqualTo(2);
    assertThat(fromJson.get("skipped").asLong()).isEqualTo(1);

    java.io.ByteArrayOutputStream xlsx = new java.io.ByteArrayOutputStream();
    try (org.dhatim.fastexcel.Workbook wb = new org.dhatim.fastexcel.Workbook(xlsx, "test", "1.0")) {
      org.dhatim.fastexcel.Worksheet ws = wb.newWorksheet("People");
      ws.value(0, 0, "Email Address");
      ws.value(0, 1, "First Name");
      ws.value(1, 0, "xl@example.com");
      ws.value(1, 1, "Excel");
      ws.value(2, 0, "also-xl@example.com");
      ws.value(2, 1, "Sheet");
    }
    JsonNode fromXlsx = finished(upload("people.xlsx", xlsx.toByteArray(), Map.of(), 202));
    assertThat(fromXlsx.get("status").asString()).isEqualTo("finished");
    assertThat(fromXlsx.get("inserted").asLong()).isEqualTo(2);
    assertThat(jdbc.sql("select name from subscriber where organization_id = ? and email = 'xl@example.com'").param(org.id())
        .query(String.class).single()).isEqualTo("Excel");
  }

  String statusOf(String email) {
    return jdbc.sql("select x.status from subscription x join subscriber s on s.id = x.subscriber_id where s.email = ? and x.list_id = ?")
        .params(email, listId).query(String.class).optional().orElse("none");
  }

  /** Regression: with default settings Mailchimp's unsubscribed and cleaned exports made everyone subscribed. */
  @Test
  void mailchimps_unsubscribed_and_cleaned_exports_keep_their_status_without_manual_mapping() throws Exception {
    JsonNode left = finished(upload("unsubscribed_members_export.csv",
        Files.readAllBytes(CORPUS.resolve("unsubscribed_members_export_synthetic.csv")), Map.of(), 202));
    JsonNode cleaned = finished(upload("cleaned_members_export.csv",
        Files.readAllBytes(CORPUS.resolve("cleaned_members_export_synthetic.csv")), Map.of(), 202));
    assertThat(left.get("status").asString()).isEqualTo("finished");
    assertThat(cleaned.get("status").asString()).isEqualTo("finished");
    assertThat(count("select count(*) from subscription where list_id = ? and status = 'subscribed'", listId)).isZero();
    assertThat(count("select count(*) from subscription where list_id = ? and status = 'unsubscribed'", listId)).isEqualTo(20);
    assertThat(count("select count(*) from subscription where list_id = ? and status = 'bounced'", listId)).isEqualTo(10);
    assertThat(statusOf("jennifer.hughes1000@example.org")).isEqualTo("unsubscribed");
    assertThat(jdbc.sql("""
        select x.unsubscribed_at from subscription x join subscriber s on s.id = x.subscriber_id
        where s.email = 'jennifer.hughes1000@example.org'""").query(java.sql.Timestamp.class).single().toInstant())
        .as("UNSUB_TIME is when she left").isEqualTo(Instant.parse("2024-10-26T18:49:07Z"));
    assertThat(statusOf("veronica.lewis2000@example.de")).isEqualTo("bounced");
    assertThat(count("""
        select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id
        where s.email = 'jennifer.hughes1000@example.org' and c.withdrawn_at is not null""")).isEqualTo(1);
  }

  /**
   * Regression: an import recorded that someone unsubscribed only in their subscription's status, so when a later
   * import marked that subscription bounced, nothing showed that they had left, and a single opt-in form subscribed
   * them again without their confirmation.
   */
  @Test
  void an_imported_unsubscribe_is_a_withdrawal_that_outlives_the_subscription_status() throws Exception {
    finished(upload("left.csv", "email,status\nleft@example.com,unsubscribed\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(statusOf("left@example.com")).isEqualTo("unsubscribed");
    assertThat(count("select count(*) from subscriber where email = 'left@example.com' and withdrawn_at is not null")).isEqualTo(1);
    finished(upload("cleaned.csv", "email,status\nleft@example.com,bounced\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(statusOf("left@example.com")).isEqualTo("bounced");
    long open = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Open', 'single') returning id")
        .param(org.id()).query(Long.class).single();
    assertThat(subscribers.subscribeByForm(org.id(), new Subscribers.Input("left@example.com", null, null, null), open,
        new Consent.Evidence(ConsentChannel.FORM, "test", null, null, "127.0.0.1", null)))
        .as("someone who left confirms by mail").isEqualTo(SubscriptionStatus.UNCONFIRMED);
    finished(upload("stayed.csv", "email,status\nstayed@example.com,subscribed\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(count("select count(*) from subscriber where email = 'stayed@example.com' and withdrawn_at is null")).isEqualTo(1);
  }

  /** Regression: an import "as unconfirmed" demoted subscribed people and mailed nobody, so they were stuck. */
  @Test
  void an_import_as_unconfirmed_asks_new_people_to_confirm_and_leaves_confirmed_people_subscribed() throws Exception {
    finished(upload("first.csv", "email\nold@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of(), 202));
    assertThat(statusOf("old@example.com")).isEqualTo("subscribed");
    JsonNode job = finished(upload("second.csv", "email\nold@example.com\nnew@example.com\n".getBytes(StandardCharsets.UTF_8),
        Map.of("importAs", "unconfirmed"), 202));
    assertThat(job.get("status").asString()).isEqualTo("finished");
    assertThat(job.get("importAs").asString()).isEqualTo("unconfirmed");
    for (String refused : List.of("bounced", "confirmed")) {
      JsonNode problem = upload("third.csv", "email\nx@example.com\n".getBytes(StandardCharsets.UTF_8), Map.of("importAs", refused), 422);
      assertThat(problem.get("errors").get(0).get("field").asString()).as(refused).isEqualTo("importAs");
    }
    assertThat(statusOf("old@example.com")).isEqualTo("subscribed");
    assertThat(statusOf("new@example.com")).isEqualTo("unconfirmed");
    // the mails go out right after the merge commits, so they may trail the "finished" status a moment
    Instant deadline = Instant.now().plusSeconds(20);
    while (count("select count(*) from sandbox_message where recipient = 'new@example.com'") == 0 && Instant.now().isBefore(deadline)) {
      Thread.sleep(50);
    }
    assertThat(count("select count(*) from sandbox_message where recipient = 'new@example.com' and purpose = 'double_opt_in'")).isEqualTo(1);
    assertThat(count("select count(*) from sandbox_message where recipient = 'old@example.com'")).isZero();
  }

  /** Regression: a refused API import (no consent basis) left a draft holding the whole file. */
  @Test
  void a_refused_api_import_leaves_no_draft_and_abandoned_drafts_are_deleted_after_a_day() throws Exception {
    long before = count("select count(*) from import_job where organization_id = ?", org.id());
    var request = multipart("/api/v1/orgs/" + org.slug() + "/imports")
        .file(new MockMultipartFile("file", "people.csv", null, "email\na@example.com\n".getBytes(StandardCharsets.UTF_8)))
        .param("listId", Long.toString(listId)).header("Authorization", "Bearer " + org.apiKey());
    assertThat(mvc.perform(request).andReturn().getResponse().getStatus()).isEqualTo(422);
    assertThat(count("select count(*) from import_job where organization_id = ?", org.id())).isEqualTo(before);

    long fresh = imports.upload(org.id(), null, listId, "fresh.csv", "email\nb@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    long old = imports.upload(org.id(), null, listId, "old.csv", "email\nc@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    jdbc.sql("update import_job set created_at = now() - interval '25 hours' where id = ?").param(old).update();
    worker.forgetAbandonedDrafts();
    assertThat(imports.find(org.id(), fresh)).isPresent();
    assertThat(imports.find(org.id(), old)).isEmpty();
  }

  /**
   * As if this node had claimed the job (attempt 1, lease held for another minute): the scheduled worker
   * leaves it alone, and the test plays the node by hand.
   */
  Leases.Lease claimedByHand(long id) {
    jdbc.sql("update import_job set import_as = 'subscribed', consent_basis = 'test', status = 'running', started_at = now(),"
        + " lease_attempt = 1, lease_until = now() + interval '1 minute' where id = ?").param(id).update();
    return new Leases.Lease(id, 1);
  }

  /** Another node claimed the job after this one's lease ran out: attempt 2, its own lease. */
  void takenOver(long id) {
    jdbc.sql("update import_job set lease_attempt = 2, lease_owner = 'other-node', lease_until = now() + interval '2 minutes'"
        + " where id = ?").param(id).update();
  }

  record LeaseColumns(String status, String owner, long attempt, Instant until, String failure) {}

  LeaseColumns leaseColumns(long id) {
    return jdbc.sql("select status, lease_owner, lease_attempt, lease_until, failure from import_job where id = ?").param(id)
        .query((rs, n) -> new LeaseColumns(rs.getString(1), rs.getString(2), rs.getLong(3), rs.getTimestamp(4).toInstant(),
            rs.getString(5))).single();
  }

  /** Regression: a node whose job was taken over during a long merge could merge it a second time. */
  @Test
  void a_node_whose_job_was_taken_over_does_not_merge_it() throws Exception {
    long id = imports.upload(org.id(), null, listId, "p.csv", "email\nlate@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    ImportRun run = worker.load(claimedByHand(id));
    long staged = staging.stage(run);
    takenOver(id);
    LeaseColumns theirs = leaseColumns(id);
    assertThat(merge.merge(run, staged)).isFalse();
    assertThat(count("select count(*) from subscriber where organization_id = ? and email = 'late@example.com'", org.id()))
        .as("the stale attempt merged nothing").isZero();
    assertThat(leaseColumns(id)).as("the new owner's lease, not finished by the stale attempt").isEqualTo(theirs);
    assertThat(imports.find(org.id(), id).orElseThrow().status()).isEqualTo(ImportStatus.RUNNING);
    jdbc.sql("delete from import_row where job_id = ?").param(id).update();
  }

  /**
   * Regression: only the merge checked that the node still owned the job; while staging, a node that had
   * lost its lease renewed the new owner's lease, and its failure marked the new owner's job failed.
   */
  @Test
  void a_node_whose_job_was_taken_over_neither_stages_renews_nor_fails_it() throws Exception {
    long id = imports.upload(org.id(), null, listId, "p.csv", "email\nstale@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    ImportRun run = worker.load(claimedByHand(id));
    takenOver(id);
    LeaseColumns theirs = leaseColumns(id);
    assertThatThrownBy(() -> staging.stage(run)).isInstanceOf(ImportRun.LeaseLost.class);
    assertThat(count("select count(*) from import_row where job_id = ?", id)).as("no chunk written").isZero();
    worker.fail(run.lease(), "the stale attempt's failure");
    assertThat(leaseColumns(id)).as("lease not renewed, job not failed").isEqualTo(theirs);
    assertThat(imports.find(org.id(), id).orElseThrow().status()).isEqualTo(ImportStatus.RUNNING);
  }

  /**
   * Regression: an import published one event with counts only, so a webhook could not tell whom it
   * created or changed. Now each step publishes the ids it touched, at most 1,000 per event, each once.
   */
  @Test
  void an_import_publishes_whom_it_created_and_updated_in_batches_of_a_thousand_each_id_once() throws Exception {
    jdbc.sql("""
        insert into subscriber (organization_id, email, email_key, name, source)
        select ?, 'p' || i || '@example.com', 'p' || i || '@example.com', '', 'api' from generate_series(1, 700) i""")
        .param(org.id()).update();
    List<Long> existing = jdbc.sql("select id from subscriber where organization_id = ?").param(org.id()).query(Long.class).list();
    StringBuilder csv = new StringBuilder("email,name\n");
    for (int i = 1; i <= 2500; i++) csv.append("p").append(i).append("@example.com,Person ").append(i).append('\n');
    long id = imports.upload(org.id(), null, listId, "p.csv", csv.toString().getBytes(StandardCharsets.UTF_8), null);
    worker.run(claimedByHand(id));
    assertThat(imports.find(org.id(), id).orElseThrow().status()).isEqualTo(ImportStatus.FINISHED);
    List<Long> everyone = jdbc.sql("select id from subscriber where organization_id = ?").param(org.id()).query(Long.class).list();
    assertThat(everyone).hasSize(2500);

    List<BulkActions.SubscribersChangedInBulk> batches = events.stream(BulkActions.SubscribersChangedInBulk.class).toList();
    assertThat(batches).allSatisfy(b -> {
      assertThat(b.organizationId()).isEqualTo(org.id());
      assertThat(b.listId()).isEqualTo(listId);
      assertThat(b.subscriberIds()).hasSizeLessThanOrEqualTo(1000).isNotEmpty();
    });
    assertThat(idsOf(batches, "import_updated")).as("updated: the people already there, each once").containsExactlyInAnyOrderElementsOf(existing);
    List<Long> created = new java.util.ArrayList<>(everyone);
    created.removeAll(existing);
    assertThat(idsOf(batches, "import_created")).as("created: the new people, each once").containsExactlyInAnyOrderElementsOf(created);
    assertThat(idsOf(batches, "import_subscription")).as("every subscription the import wrote, each once")
        .containsExactlyInAnyOrderElementsOf(everyone);
    assertThat(batches.stream().filter(b -> b.action().equals("import_created"))).hasSize(2);
  }

  private static List<Long> idsOf(List<BulkActions.SubscribersChangedInBulk> batches, String action) {
    return batches.stream().filter(b -> b.action().equals(action)).flatMap(b -> b.subscriberIds().stream()).toList();
  }

  /**
   * Regression (untested path): begin clears what the last attempt left (staged rows, errors, steps, counts)
   * only after renewing the lease; a stale attempt must be refused before it clears the new owner's work.
   */
  @Test
  void a_stale_attempt_that_begins_after_a_takeover_clears_nothing_of_the_new_owner() throws Exception {
    long id = imports.upload(org.id(), null, listId, "p.csv", "email\ntheirs@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    Leases.Lease stale = claimedByHand(id);
    takenOver(id);
    ImportRun theirRun = worker.begin(new Leases.Lease(id, 2));
    staging.stage(theirRun);
    LeaseColumns theirs = leaseColumns(id);
    long steps = count("select count(*) from import_step where job_id = ?", id);
    assertThatThrownBy(() -> worker.begin(stale)).isInstanceOf(ImportRun.LeaseLost.class);
    assertThat(count("select count(*) from import_row where job_id = ?", id)).as("the new owner's staged row").isEqualTo(1);
    assertThat(count("select count(*) from import_step where job_id = ?", id)).as("the new owner's steps").isEqualTo(steps);
    assertThat(count("select processed_rows from import_job where id = ?", id)).as("the new owner's progress").isEqualTo(1);
    assertThat(leaseColumns(id)).as("the new owner's lease, not renewed by the stale attempt").isEqualTo(theirs);
    jdbc.sql("delete from import_row where job_id = ?").param(id).update();
  }

  /** Regression: staging created the mapped fields in autocommit before renewing, so a node that had lost its lease still created them. */
  @Test
  void a_stale_attempt_creates_no_custom_field() throws Exception {
    long id = imports.upload(org.id(), null, listId, "p.csv", "email,town\nfield@example.com,Oslo\n".getBytes(StandardCharsets.UTF_8), null);
    jdbc.sql("update import_job set mapping = cast(? as json) where id = ?").params("{\"email\": \"email\", \"town\": \"field:town\"}", id)
        .update();
    ImportRun run = worker.load(claimedByHand(id));
    takenOver(id);
    assertThatThrownBy(() -> staging.stage(run)).isInstanceOf(ImportRun.LeaseLost.class);
    assertThat(count("select count(*) from custom_field where organization_id = ?", org.id())).as("no field created").isZero();

    ImportRun theirRun = worker.begin(new Leases.Lease(id, 2));
    staging.stage(theirRun);
    assertThat(count("select count(*) from custom_field where organization_id = ? and key = 'town'", org.id()))
        .as("the owner creates it, and its rows carry the value").isEqualTo(1);
    assertThat(count("select count(*) from import_row where job_id = ? and attributes ->> 'town' = 'Oslo'", id)).isEqualTo(1);
    jdbc.sql("delete from import_row where job_id = ?").param(id).update();
  }

  /**
   * Regression: when mailing the confirmations failed after the merge committed, the worker tried to fail
   * the finished job and logged that another node had taken it over. The import stays finished.
   */
  @Test
  void a_failure_to_mail_confirmations_after_the_merge_leaves_the_import_finished() throws Exception {
    Mockito.doThrow(new IllegalStateException("mail down")).when(doubleOptIn)
        .sendConfirmation(ArgumentMatchers.anyLong(), ArgumentMatchers.anyLong(), ArgumentMatchers.any());
    long id = imports.upload(org.id(), null, listId, "p.csv", "email\nconfirm@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    Leases.Lease lease = claimedByHand(id);
    jdbc.sql("update import_job set import_as = 'unconfirmed' where id = ?").param(id).update();
    ImportRun run = worker.begin(lease);
    assertThat(merge.merge(run, staging.stage(run))).as("merged, the mailing's failure not thrown").isTrue();
    Mockito.verify(doubleOptIn).sendConfirmation(ArgumentMatchers.anyLong(),
        ArgumentMatchers.anyLong(), ArgumentMatchers.any());
    assertThat(jdbc.sql("select status || '/' || coalesce(failure, 'no failure') from import_job where id = ?").param(id)
        .query(String.class).single()).isEqualTo("finished/no failure");
    assertThat(statusOf("confirm@example.com")).isEqualTo("unconfirmed");
  }

  /** Regression: the bar stood at 0 % while the file was read (the row count is known only afterwards), then jumped to 99 %. */
  @Test
  void progress_follows_the_reading_of_the_file_before_the_row_count_is_known() throws Exception {
    long id = imports.upload(org.id(), null, listId, "p.csv", "email\na@example.com\nb@example.com\n".getBytes(StandardCharsets.UTF_8), null);
    Leases.Lease lease = claimedByHand(id);
    worker.begin(lease);
    assertThat(imports.find(org.id(), id).orElseThrow().percent()).isZero();
    assertThat(imports.find(org.id(), id).orElseThrow().step()).isEqualTo(ImportStep.READING);
    jdbc.sql("update import_job set read_fraction = 0.5 where id = ?").param(id).update();
    assertThat(imports.find(org.id(), id).orElseThrow().percent()).as("half the file read: half the reading step's share")
        .isEqualTo(ImportStep.READING.to / 2);
    staging.stage(worker.load(lease));
    Imports.Job staged = imports.find(org.id(), id).orElseThrow();
    assertThat(jdbc.sql("select read_fraction from import_job where id = ?").param(id).query(Double.class).single()).isEqualTo(1.0);
    assertThat(staged.totalRows()).isEqualTo(2);
    assertThat(staged.percent()).as("read, the merge not begun").isEqualTo(ImportStep.READING.to);
    jdbc.sql("delete from import_row where job_id = ?").param(id).update();
  }

  /** Regression: a Windows-1252 byte after the first 64 KB of a UTF-8 file was imported as U+FFFD in the name. */
  @Test
  void a_row_whose_text_cannot_be_decoded_is_set_aside_instead_of_imported_damaged() throws Exception {
    java.io.ByteArrayOutputStream file = new java.io.ByteArrayOutputStream();
    file.writeBytes("email,name\n".getBytes(StandardCharsets.UTF_8));
    int lines = 1;
    while (file.size() < 70 * 1024) {
      file.writeBytes(("p" + lines + "@example.com,Plain " + lines + "\n").getBytes(StandardCharsets.UTF_8));
      lines++;
    }
    file.writeBytes("mueller@example.de,M".getBytes(StandardCharsets.UTF_8));
    file.write(0xFC); // ü in Windows-1252, invalid on its own in UTF-8
    file.writeBytes("ller\nlast@example.com,Last\n".getBytes(StandardCharsets.UTF_8));
    JsonNode job = finished(upload("mixed.csv", file.toByteArray(), Map.of(), 202));
    Map<Long, String> errors = errors(job);
    assertThat(errors).containsOnlyKeys((long) lines + 1);
    assertThat(errors.get((long) lines + 1)).contains("save it as UTF-8");
    assertThat(count("select count(*) from subscriber where organization_id = ? and email = 'mueller@example.de'", org.id())).isZero();
    assertThat(count("select count(*) from subscriber where organization_id = ? and email = 'last@example.com'", org.id())).isEqualTo(1);
  }
}
