package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Data-subject requests through the REST API: the workflow, its dates on a moved clock, and what completing does. */
@SpringBootTest
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class, PrivacyTestHolder.class})
class PrivacyRequestsApiTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired MutableClock clock;
  @Autowired dev.herald.suppression.Restrictions restrictions;
  @Autowired dev.herald.audiences.Subscribers subscribers;
  @Autowired SubProcessors subProcessors;
  @Autowired RetentionSchedules retentionSchedules;

  TestOrganizations.Created acme;
  static int counter;

  @BeforeEach
  void organization() {
    acme = organizations.create("Privacy Api " + (++counter), "privacy");
  }

  JsonNode send(MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    MockHttpServletResponse response = mvc.perform(r.header("Authorization", "Bearer " + acme.apiKey())
        .contentType("application/json").content(body)).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return response.getContentAsString().isEmpty() ? null : json.readTree(response.getContentAsString());
  }

  String api(String path) {
    return "/api/v1/orgs/" + acme.slug() + "/privacy" + path;
  }

  long open(String type, String address) throws Exception {
    return send(post(api("/requests")), "{\"type\":\"" + type + "\",\"address\":\"" + address + "\",\"note\":\"by phone\"}", 201)
        .get("id").asLong();
  }

  static String field(JsonNode problem) {
    return problem.get("errors").get(0).get("field").asString();
  }

  @Test
  void a_request_is_due_one_calendar_month_after_receipt_and_extends_once_by_two_months_with_a_reason() throws Exception {
    JsonNode opened = send(post(api("/requests")), "{\"type\":\"access\",\"address\":\"Ann@Example.com\"}", 201);
    Instant received = Instant.parse(opened.get("receivedAt").asString());
    assertThat(opened.get("status").asString()).isEqualTo("received");
    assertThat(opened.get("channel").asString()).isEqualTo("api");
    assertThat(Instant.parse(opened.get("dueAt").asString())).isEqualTo(DueDates.due(received));
    long id = opened.get("id").asLong();

    assertThat(field(send(post(api("/requests/" + id + "/extension")), "{\"reason\":\"  \"}", 422))).isEqualTo("reason");
    JsonNode extended = send(post(api("/requests/" + id + "/extension")), "{\"reason\":\"many requests this month\"}", 200);
    assertThat(Instant.parse(extended.get("dueAt").asString())).isEqualTo(DueDates.extended(received));
    assertThat(extended.get("extensionReason").asString()).isEqualTo("many requests this month");
    JsonNode again = send(post(api("/requests/" + id + "/extension")), "{\"reason\":\"still busy\"}", 409);
    assertThat(again.toString()).contains("extended once already");

    JsonNode detail = send(get(api("/requests/" + id)), "", 200);
    List<String> actions = new java.util.ArrayList<>();
    detail.get("history").forEach(s -> actions.add(s.get("action").asString()));
    assertThat(actions).containsExactly("received", "extended");
    assertThat(detail.get("history").get(1).get("note").asString()).isEqualTo("many requests this month");
    assertThat(detail.get("history").get(1).get("actor").asString()).startsWith("api-key:");
  }

  @Test
  void bad_input_names_the_field() throws Exception {
    assertThat(field(send(post(api("/requests")), "{\"type\":\"forget me\",\"address\":\"a@example.com\"}", 422))).isEqualTo("type");
    assertThat(field(send(post(api("/requests")), "{\"address\":\"a@example.com\"}", 422))).isEqualTo("type");
    assertThat(field(send(post(api("/requests")), "{\"type\":\"erasure\",\"address\":\"not an address\"}", 422))).isEqualTo("address");
    assertThat(field(send(post(api("/requests")), "{\"type\":\"erasure\",\"address\":\"a@example.com\",\"note\":\"x\\u0000\"}", 422)))
        .isEqualTo("note");
    assertThat(field(send(get(api("/requests")).param("flag", "late"), "", 422))).isEqualTo("flag");
    assertThat(field(send(get(api("/requests")).param("status", "done"), "", 422))).isEqualTo("status");
    send(get(api("/requests/999999999")), "", 404);
  }

  @Test
  void overdue_and_due_soon_flags_follow_the_clock_and_filter_the_list() throws Exception {
    long early = open("access", "early@example.com");
    clock.advance(Duration.ofDays(10));
    long later = open("erasure", "later@example.com");
    long closed = open("objection", "closed@example.com");
    send(post(api("/requests/" + closed + "/rejection")), "{\"reason\":\"not our subscriber\"}", 200);

    // 25 days after the first: it is due within a week, the second not yet.
    clock.advance(Duration.ofDays(15));
    assertThat(ids(send(get(api("/requests")).param("flag", "due_soon"), "", 200))).containsExactly(early);
    assertThat(ids(send(get(api("/requests")).param("flag", "overdue"), "", 200))).isEmpty();

    // 32 days after the first: overdue; the second (22 days old) is not due soon yet; the rejected one never counts.
    clock.advance(Duration.ofDays(7));
    JsonNode overdue = send(get(api("/requests")).param("flag", "overdue"), "", 200);
    assertThat(ids(overdue)).containsExactly(early);
    assertThat(overdue.get("items").get(0).get("overdue").asBoolean()).isTrue();
    assertThat(ids(send(get(api("/requests")).param("flag", "due_soon"), "", 200))).isEmpty();
    assertThat(ids(send(get(api("/requests")).param("flag", "open"), "", 200))).containsExactly(later, early);
    assertThat(ids(send(get(api("/requests")).param("status", "rejected"), "", 200))).containsExactly(closed);
    assertThat(ids(send(get(api("/requests")).param("type", "erasure").param("q", "LATER@"), "", 200))).containsExactly(later);

    // Extending the overdue one moves it out of overdue: three months after receipt.
    send(post(api("/requests/" + early + "/extension")), "{\"reason\":\"complex\"}", 200);
    assertThat(ids(send(get(api("/requests")).param("flag", "overdue"), "", 200))).isEmpty();
  }

  static List<Long> ids(JsonNode page) {
    List<Long> ids = new java.util.ArrayList<>();
    page.get("items").forEach(i -> ids.add(i.get("id").asLong()));
    return ids;
  }

  @Test
  void a_closed_request_takes_no_more_steps_and_a_rejection_needs_a_reason() throws Exception {
    long id = open("restriction", "r@example.com");
    send(post(api("/requests/" + id + "/start")), "", 200);
    assertThat(send(post(api("/requests/" + id + "/start")), "", 409).toString()).contains("in progress already");
    assertThat(field(send(post(api("/requests/" + id + "/rejection")), "{}", 422))).isEqualTo("reason");
    JsonNode rejected = send(post(api("/requests/" + id + "/rejection")), "{\"reason\":\"identity not proven\"}", 200);
    assertThat(rejected.get("status").asString()).isEqualTo("rejected");
    assertThat(rejected.get("closedAt").isNull()).isFalse();
    send(post(api("/requests/" + id + "/extension")), "{\"reason\":\"x\"}", 409);
    send(post(api("/requests/" + id + "/completion")), "{}", 409);
    send(post(api("/requests/" + id + "/notes")), "{\"note\":\"told them by mail\"}", 204);
  }

  @Test
  void access_builds_a_zip_with_an_escaped_summary_json_and_formula_safe_csv_downloadable_for_a_while() throws Exception {
    String address = "zip" + counter + "@example.com";
    PrivacyTestHolder.ROWS.put(PrivacyTestHolder.key(acme.id(), address), List.of(
        PrivacyTestHolder.row("item", "=HYPERLINK(\"http://evil.example\")", "note", "<script>alert(1)</script>", "at",
            Instant.parse("2027-01-02T03:04:05Z"), "extra", Map.of("k", "v"))));
    long id = open("access", address);
    JsonNode done = send(post(api("/requests/" + id + "/completion")), "{\"note\":\"sent the link\"}", 200);
    assertThat(done.get("status").asString()).isEqualTo("completed");
    assertThat(done.get("outcome").get("sections").asInt()).isGreaterThanOrEqualTo(1);

    JsonNode detail = send(get(api("/requests/" + id)), "", 200);
    assertThat(detail.get("archive").get("download").asString()).endsWith("/privacy/requests/" + id + "/archive");
    MockHttpServletResponse zip = mvc.perform(get(api("/requests/" + id + "/archive")).header("Authorization", "Bearer " + acme.apiKey()))
        .andReturn().getResponse();
    assertThat(zip.getStatus()).isEqualTo(200);
    assertThat(zip.getContentType()).isEqualTo("application/zip");
    assertThat(zip.getHeader("Cache-Control")).isEqualTo("no-store");
    Map<String, String> files = unzip(zip.getContentAsByteArray());
    assertThat(files).containsKeys("summary.html", "data.json", "csv/billing-invoices.csv");
    String summary = files.get("summary.html");
    assertThat(summary).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
    assertThat(summary).contains(address).contains("Why this data is kept").contains("How long it is kept")
        .contains(AccessArchive.RECIPIENTS_NONE);
    assertThat(files.get("csv/billing-invoices.csv")).startsWith("\uFEFFitem,note,at,extra\r\n")
        .contains("\"'=HYPERLINK(\"\"http://evil.example\"\")\"").contains("2027-01-02T03:04:05Z");
    JsonNode data = json.readTree(files.get("data.json"));
    JsonNode billing = null;
    for (JsonNode s : data.get("sections")) if (s.get("capability").asString().equals("billing")) billing = s;
    assertThat(billing.get("rows").get(0).get("item").asString()).isEqualTo("=HYPERLINK(\"http://evil.example\")");
    assertThat(billing.get("rows").get(0).get("extra").get("k").asString()).isEqualTo("v");
    assertThat(data.get("retention").toString()).contains("audit log").contains("1 year");

    List<String> actions = new java.util.ArrayList<>();
    send(get(api("/requests/" + id)), "", 200).get("history").forEach(s -> actions.add(s.get("action").asString()));
    assertThat(actions).containsExactly("received", "completed", "archive_downloaded");

    // Kept for a bounded time only.
    clock.advance(Archives.VALIDITY.plusMinutes(1));
    send(get(api("/requests/" + id + "/archive")), "", 404);
    assertThat(send(get(api("/requests/" + id)), "", 200).get("archive").isNull()).isTrue();
    assertThat(jdbc.sql("select count(*) from privacy_archive where request_id = ?").param(id).query(Long.class).single()).isZero();
  }

  /** The archive names the operator's sub-processors and the retention that applies to this organization (its own, shorter). */
  @Test
  void the_archive_names_the_sub_processors_and_the_organizations_own_retention() throws Exception {
    SubProcessors.SubProcessor mailer = subProcessors.add("Backup Vault " + counter, "Encrypted database backups", "Frankfurt, EU", "");
    try {
      retentionSchedules.setForOrganization(acme.id(), "tracking IP addresses", "7 days");
      String address = "recipients" + counter + "@example.com";
      long id = open("access", address);
      send(post(api("/requests/" + id + "/completion")), "{}", 200);
      Map<String, String> files = unzip(mvc.perform(get(api("/requests/" + id + "/archive")).header("Authorization", "Bearer " + acme.apiKey()))
          .andReturn().getResponse().getContentAsByteArray());
      assertThat(files.get("summary.html")).contains("Backup Vault " + counter, "Encrypted database backups", "Frankfurt, EU")
          .doesNotContain(AccessArchive.RECIPIENTS_NONE);
      JsonNode data = json.readTree(files.get("data.json"));
      assertThat(data.get("recipients").get(0).get("name").asString()).isEqualTo("Backup Vault " + counter);
      JsonNode ips = null;
      for (JsonNode r : data.get("retention")) if (r.get("category").asString().equals("tracking IP addresses")) ips = r;
      assertThat(ips).as("tracking IPs are a subscriber category of the map").isNotNull();
      assertThat(ips.get("period").asString()).isEqualTo("7 days");
    } finally {
      subProcessors.remove(mailer.id());
      retentionSchedules.setForOrganization(acme.id(), "tracking IP addresses", "");
    }
  }

  static Map<String, String> unzip(byte[] bytes) throws Exception {
    Map<String, String> files = new LinkedHashMap<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(bytes), StandardCharsets.UTF_8)) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        files.put(e.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    return files;
  }

  @Test
  void erasure_runs_every_holder_once_and_the_request_keeps_counts_but_no_address() throws Exception {
    String address = "Erase.Me" + counter + "@Example.com";
    String key = address.toLowerCase(java.util.Locale.ROOT);
    PrivacyTestHolder.ROWS.put(PrivacyTestHolder.key(acme.id(), key), List.of(PrivacyTestHolder.row("item", "book")));
    long earlier = open("access", address);
    long id = send(post(api("/requests")), "{\"type\":\"erasure\",\"address\":\"" + address + "\",\"note\":\"asked by " + key + "\"}", 201)
        .get("id").asLong();
    send(post(api("/requests/" + id + "/notes")), "{\"note\":\"called " + address.toUpperCase(java.util.Locale.ROOT) + " back\"}", 204);
    int before = PrivacyTestHolder.ERASED.size();
    JsonNode done = send(post(api("/requests/" + id + "/completion")), "{\"note\":\"done for " + address + "\"}", 200);
    assertThat(PrivacyTestHolder.ERASED.size()).isEqualTo(before + 1);
    assertThat(PrivacyTestHolder.ERASED.getLast().addressKey()).isEqualTo(key);
    assertThat(PrivacyTestHolder.ROWS).doesNotContainKey(PrivacyTestHolder.key(acme.id(), key));
    assertThat(done.get("address").asString()).isEqualTo("(erased)");
    assertThat(done.get("outcome").get("rowsDeleted").asLong()).isGreaterThanOrEqualTo(1);
    assertThat(done.get("outcome").get("capabilities").get("billing").get("deleted").get("privacy_test_invoice").asInt()).isEqualTo(1);

    // Nothing of privacy's own tables names the person any more: this request, its history, the earlier request.
    String everything = jdbc.sql("""
        select coalesce(string_agg(r.address || ' ' || r.address_key || ' ' || r.handled_by || ' ' || coalesce(r.outcome::text, '')
          || ' ' || coalesce(s.note, '') || ' ' || coalesce(s.actor, ''), ' '), '')
        from privacy_request r left join privacy_request_step s on s.request_id = r.id where r.organization_id = ?""")
        .param(acme.id()).query(String.class).single();
    assertThat(everything.toLowerCase(java.util.Locale.ROOT)).doesNotContain(key).contains("(erased address)");
    assertThat(send(get(api("/requests/" + earlier)), "", 200).get("request").get("address").asString()).isEqualTo("(erased)");
    assertThat(ids(send(get(api("/requests")).param("q", "erase.me"), "", 200))).isEmpty();
  }

  @Test
  void restriction_and_objection_restrict_the_address_until_lifted_and_say_so_in_the_history() throws Exception {
    String address = "quiet" + counter + "@example.com";
    long id = open("restriction", address);
    send(post(api("/requests/" + id + "/lift")), "{}", 409);
    send(post(api("/requests/" + id + "/completion")), "{\"note\":\"asked by letter\"}", 200);
    assertThat(restrictions.of(acme.id(), address)).contains(dev.herald.suppression.RestrictionKind.RESTRICTION);
    long objection = open("objection", "other" + counter + "@example.com");
    send(post(api("/requests/" + objection + "/completion")), "{}", 200);
    assertThat(restrictions.of(acme.id(), "other" + counter + "@example.com")).contains(dev.herald.suppression.RestrictionKind.OBJECTION);

    send(post(api("/requests/" + id + "/lift")), "{\"note\":\"the dispute is settled\"}", 200);
    assertThat(restrictions.of(acme.id(), address)).isEmpty();
    List<String> actions = new java.util.ArrayList<>();
    send(get(api("/requests/" + id)), "", 200).get("history").forEach(s -> actions.add(s.get("action").asString()));
    assertThat(actions).containsExactly("received", "restricted", "completed", "lifted");
  }

  @Test
  void rectification_corrects_the_subscriber_through_audiences_and_records_what_changed() throws Exception {
    String address = "typo" + counter + "@example.com";
    long subscriber = subscribers.upsert(acme.id(), new dev.herald.audiences.Subscribers.Input(address, "Jon", null, null), "test");
    long id = open("rectification", address);
    assertThat(field(send(post(api("/requests/" + id + "/completion")), "{}", 422))).isEqualTo("email");
    JsonNode done = send(post(api("/requests/" + id + "/completion")),
        "{\"email\":\"fixed" + counter + "@example.com\",\"name\":\"John\"}", 200);
    assertThat(done.get("status").asString()).isEqualTo("completed");
    var s = subscribers.find(acme.id(), subscriber).orElseThrow();
    assertThat(s.email()).isEqualTo("fixed" + counter + "@example.com");
    assertThat(s.name()).isEqualTo("John");
    JsonNode history = send(get(api("/requests/" + id)), "", 200).get("history");
    assertThat(history.get(1).get("action").asString()).isEqualTo("rectified");
    assertThat(history.get(1).get("note").asString()).isEqualTo("corrected: name; address");

    long nobody = open("rectification", "nobody" + counter + "@example.com");
    assertThat(field(send(post(api("/requests/" + nobody + "/completion")), "{\"name\":\"X\"}", 409))).isEqualTo("address");
  }

  @Test
  void settings_say_whether_self_service_requests_complete_themselves() throws Exception {
    assertThat(send(get(api("/settings")), "", 200).get("selfServiceCompletes").asBoolean()).isFalse();
    assertThat(send(put(api("/settings")), "{\"selfServiceCompletes\":true}", 200).get("selfServiceCompletes").asBoolean()).isTrue();
    assertThat(send(get(api("/settings")), "", 200).get("selfServiceCompletes").asBoolean()).isTrue();
  }
}
