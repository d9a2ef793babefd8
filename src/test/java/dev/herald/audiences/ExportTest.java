package dev.herald.audiences;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.patch;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.tenancy.TestOrganizations;
import java.io.ByteArrayInputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.CellType;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
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

/**
 * Subscriber exports through the API and the panel: what CSV, XLSX and JSON hold for a small
 * organization (typed fields, two lists, consent records, all made through the API), formula
 * neutralization in the spreadsheet formats only, list scope and status filter, refusals, audit.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class ExportTest {
  static final String FORMULA_EMAIL = "=cmd|calc@example.com";
  static final String FORMULA_NAME = "=HYPERLINK(\"http://x\")";
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired Exports exports;

  TestOrganizations.Created org;
  long news, offers;
  static int counter;

  @BeforeEach
  void organization_with_two_lists_typed_fields_and_consent() throws Exception {
    org = fixtures.organization("Export Co " + (++counter));
    send(post(api("/fields")), "{\"key\":\"age\",\"type\":\"number\"}", 201);
    send(post(api("/fields")), "{\"key\":\"birthday\",\"type\":\"date\"}", 201);
    send(post(api("/fields")), "{\"key\":\"city\",\"type\":\"text\"}", 201);
    send(post(api("/fields")), "{\"key\":\"member\",\"type\":\"boolean\"}", 201);
    send(post(api("/fields")), "{\"key\":\"plan\",\"type\":\"choice\",\"choices\":[\"free\",\"pro\"]}", 201);
    news = send(post(api("/lists")), "{\"name\":\"News\",\"optin\":\"single\"}", 201).get("id").asLong();
    offers = send(post(api("/lists")), "{\"name\":\"Offers\",\"optin\":\"single\"}", 201).get("id").asLong();

    send(post(api("/subscribers")), """
        {"email":"ann@example.com","name":"Ann","tags":["vip"],"lists":[%d],
         "fields":{"age":"41.50","birthday":"1984-03-02","city":"Zürich, CH","member":"yes","plan":"pro"},
         "consent":{"text":"Yes, send me news","ip":"203.0.113.7","userAgent":"Shop/1.0"}}""".formatted(news), 201);
    send(put(api("/subscribers/ann@example.com/lists/" + offers)),
        "{\"status\":\"subscribed\",\"consent\":{\"text\":\"Yes, send me offers\",\"ip\":\"203.0.113.8\"}}", 200);
    send(put(api("/subscribers/ann@example.com/lists/" + offers)), "{\"status\":\"unsubscribed\"}", 200);
    send(post(api("/subscribers")), """
        {"email":"bob@example.com","name":"Bob \\"The Builder\\"","lists":[%d],"fields":{"age":"-3","city":"+41 44 000 00 00"}}"""
        .formatted(offers), 201);
    send(post(api("/subscribers")), """
        {"email":"%s","name":%s,"lists":[%d],"fields":{"member":"no"}}""".formatted(FORMULA_EMAIL, json.writeValueAsString(FORMULA_NAME),
        news), 201);
    send(post(api("/subscribers")), "{\"email\":\"nolist@example.com\",\"tags\":[\"-1+1\"]}", 201);
  }

  // ---- CSV ------------------------------------------------------------------------------------

  @Test
  void csv_of_everything_has_fields_lists_and_latest_consent_in_utf8_with_bom_and_crlf() throws Exception {
    MockHttpServletResponse r = call(get(api("/exports/subscribers")).param("format", "csv"));
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getContentType()).isEqualTo("text/csv;charset=UTF-8");
    assertThat(r.getHeader("Content-Disposition"))
        .isEqualTo("attachment; filename=\"" + org.slug() + "-subscribers-" + LocalDate.now(java.time.ZoneOffset.UTC) + ".csv\"");
    assertThat(r.getHeader("Cache-Control")).isEqualTo("no-store");
    byte[] body = r.getContentAsByteArray();
    assertThat(body).startsWith(0xEF, 0xBB, 0xBF);
    String text = new String(body, UTF_8).substring(1);
    assertThat(text).endsWith("\r\n").doesNotContain("\n\n");
    assertThat(text.replace("\r\n", "")).doesNotContain("\n");
    assertThat(text.lines().findFirst().orElseThrow()).isEqualTo("email,name,tags,created_at,source,age,birthday,city,member,plan,lists,"
        + "consent_given_at,consent_channel,consent_basis,consent_ip,consent_confirmed_at,consent_withdrawn_at,consent_text,consent_list");

    Map<String, Map<String, String>> rows = csv(body);
    assertThat(rows).containsOnlyKeys("ann@example.com", "bob@example.com", "'" + FORMULA_EMAIL, "nolist@example.com");
    Map<String, String> ann = rows.get("ann@example.com");
    assertThat(ann).containsEntry("name", "Ann").containsEntry("tags", "vip").containsEntry("source", "api")
        .containsEntry("age", "41.50").containsEntry("birthday", "1984-03-02").containsEntry("city", "Zürich, CH")
        .containsEntry("member", "true").containsEntry("plan", "pro")
        .containsEntry("lists", "News:subscribed; Offers:unsubscribed");
    assertThat(Instant.parse(ann.get("created_at"))).isBeforeOrEqualTo(Instant.now());
    assertThat(ann.get("created_at")).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    // the latest consent is the one for Offers, withdrawn by the unsubscription
    assertThat(ann).containsEntry("consent_channel", "api").containsEntry("consent_ip", "203.0.113.8")
        .containsEntry("consent_text", "Yes, send me offers").containsEntry("consent_list", "Offers");
    assertThat(ann.get("consent_withdrawn_at")).isNotEmpty();
    assertThat(ann.get("consent_confirmed_at")).isNotEmpty();
    assertThat(rows.get("nolist@example.com")).containsEntry("lists", "").containsEntry("consent_given_at", "")
        .containsEntry("tags", "'-1+1");
    // a quote inside a name is doubled inside a quoted cell (RFC 4180)
    assertThat(text).contains("bob@example.com,\"Bob \"\"The Builder\"\"\",");
    assertThat(rows.get("bob@example.com")).containsEntry("name", "Bob \"The Builder\"");
  }

  @Test
  void csv_and_xlsx_neutralize_formulas_but_typed_negative_numbers_stay_numbers() throws Exception {
    byte[] csv = call(get(api("/exports/subscribers")).param("format", "csv")).getContentAsByteArray();
    Map<String, String> formula = csv(csv).get("'" + FORMULA_EMAIL);
    assertThat(formula).containsEntry("name", "'" + FORMULA_NAME);
    assertThat(new String(csv, UTF_8)).contains("\r\n'=cmd|calc@example.com,\"'=HYPERLINK(\"\"http://x\"\")\",");
    Map<String, String> bob = csv(csv).get("bob@example.com");
    assertThat(bob).containsEntry("city", "'+41 44 000 00 00").containsEntry("age", "-3");

    List<List<Cell>> sheet = xlsx(call(get(api("/exports/subscribers")).param("format", "xlsx")).getContentAsByteArray());
    List<Cell> row = rowOf(sheet, "'" + FORMULA_EMAIL);
    int name = column(sheet, "name");
    assertThat(row.get(0).getType()).isEqualTo(CellType.STRING);
    assertThat(row.get(name).getText()).isEqualTo("'" + FORMULA_NAME);
    List<Cell> bobRow = rowOf(sheet, "bob@example.com");
    assertThat(bobRow.get(column(sheet, "city")).getText()).isEqualTo("'+41 44 000 00 00");
    assertThat(bobRow.get(column(sheet, "age")).getType()).isEqualTo(CellType.NUMBER);
    assertThat(bobRow.get(column(sheet, "age")).asNumber()).isEqualByComparingTo("-3");
    for (List<Cell> r : sheet) {
      for (Cell c : r) if (c != null) assertThat(c.getFormula()).as("cell %s", c.getAddress()).isNull();
    }
  }

  // ---- XLSX -----------------------------------------------------------------------------------

  @Test
  void xlsx_has_typed_cells_for_numbers_dates_booleans_and_times() throws Exception {
    MockHttpServletResponse r = call(get(api("/exports/subscribers")).param("format", "XLSX"));
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getContentType()).isEqualTo("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    assertThat(r.getHeader("Content-Disposition")).endsWith(".xlsx\"");
    List<List<Cell>> sheet = xlsx(r.getContentAsByteArray());
    assertThat(sheet).hasSize(5);
    assertThat(sheet.get(0).stream().map(Cell::getText).toList()).startsWith("email", "name", "tags", "created_at", "source", "age",
        "birthday", "city", "member", "plan", "lists");
    List<Cell> ann = rowOf(sheet, "ann@example.com");
    assertThat(ann.get(column(sheet, "age")).getType()).isEqualTo(CellType.NUMBER);
    assertThat(ann.get(column(sheet, "age")).asNumber()).isEqualByComparingTo(new BigDecimal("41.5"));
    assertThat(ann.get(column(sheet, "birthday")).asDate()).isEqualTo(LocalDateTime.of(1984, 3, 2, 0, 0));
    assertThat(ann.get(column(sheet, "birthday")).getDataFormatString()).isEqualTo("yyyy-mm-dd");
    assertThat(ann.get(column(sheet, "member")).getType()).isEqualTo(CellType.BOOLEAN);
    assertThat(ann.get(column(sheet, "member")).asBoolean()).isTrue();
    assertThat(ann.get(column(sheet, "city")).getText()).isEqualTo("Zürich, CH");
    assertThat(ann.get(column(sheet, "lists")).getText()).isEqualTo("News:subscribed; Offers:unsubscribed");
    assertThat(ann.get(column(sheet, "created_at")).asDate()).isBefore(LocalDateTime.now(java.time.ZoneOffset.UTC).plusMinutes(1));
    assertThat(ann.get(column(sheet, "created_at")).getDataFormatString()).isEqualTo("yyyy-mm-dd hh:mm:ss");
    assertThat(ann.get(column(sheet, "consent_text")).getText()).isEqualTo("Yes, send me offers");
    assertThat(rowOf(sheet, "'" + FORMULA_EMAIL).get(column(sheet, "member")).asBoolean()).isFalse();
  }

  // ---- JSON -----------------------------------------------------------------------------------

  @Test
  void json_has_every_subscription_and_consent_record_and_raw_values() throws Exception {
    MockHttpServletResponse r = call(get(api("/exports/subscribers")).param("format", "json"));
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getContentType()).startsWith("application/json");
    assertThat(r.getHeader("Content-Disposition")).endsWith(".json\"");
    String text = r.getContentAsString(UTF_8);
    assertThat(text).as("numbers exactly as stored").contains("\"age\":41.50,");
    JsonNode all = json.readTree(text);
    assertThat(all.size()).isEqualTo(4);
    JsonNode ann = find(all, "ann@example.com");
    assertThat(ann.get("id").asLong()).isPositive();
    assertThat(ann.get("name").asString()).isEqualTo("Ann");
    assertThat(ann.get("tags").get(0).asString()).isEqualTo("vip");
    assertThat(ann.get("fields").get("age").decimalValue()).isEqualByComparingTo("41.50");
    assertThat(ann.get("fields").get("birthday").asString()).isEqualTo("1984-03-02");
    assertThat(ann.get("fields").get("member").asBoolean()).isTrue();
    assertThat(Instant.parse(ann.get("createdAt").asString())).isBeforeOrEqualTo(Instant.now());
    JsonNode lists = ann.get("lists");
    assertThat(lists.size()).isEqualTo(2);
    assertThat(lists.get(0).get("listName").asString()).isEqualTo("News");
    assertThat(lists.get(0).get("status").asString()).isEqualTo("subscribed");
    assertThat(lists.get(1).get("status").asString()).isEqualTo("unsubscribed");
    assertThat(Instant.parse(lists.get(1).get("unsubscribedAt").asString())).isBeforeOrEqualTo(Instant.now());
    JsonNode consent = ann.get("consent");
    assertThat(consent.size()).isEqualTo(2);
    assertThat(consent.get(0).get("consentText").asString()).isEqualTo("Yes, send me offers");
    assertThat(consent.get(0).get("withdrawnAt").isNull()).isFalse();
    assertThat(consent.get(1).get("consentText").asString()).isEqualTo("Yes, send me news");
    assertThat(consent.get(1).get("ip").asString()).isEqualTo("203.0.113.7");
    assertThat(consent.get(1).get("userAgent").asString()).isEqualTo("Shop/1.0");
    assertThat(consent.get(1).get("withdrawnAt").isNull()).isTrue();
    assertThat(consent.get(1).get("channel").asString()).isEqualTo("api");

    JsonNode formula = find(all, FORMULA_EMAIL);
    assertThat(formula.get("name").asString()).as("JSON is not neutralized").isEqualTo(FORMULA_NAME);
    JsonNode nobody = find(all, "nolist@example.com");
    assertThat(nobody.get("lists").size()).isZero();
    assertThat(nobody.get("consent").size()).isZero();
    assertThat(nobody.get("tags").get(0).asString()).isEqualTo("-1+1");
  }

  // ---- a list ---------------------------------------------------------------------------------

  @Test
  void a_list_export_has_only_its_members_with_their_status_and_that_lists_consent() throws Exception {
    MockHttpServletResponse r = call(get(api("/exports/subscribers")).param("list", Long.toString(offers)));
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getHeader("Content-Disposition")).isEqualTo("attachment; filename=\"offers-subscribers-" + LocalDate.now(java.time.ZoneOffset.UTC) + ".csv\"");
    assertThat(new String(r.getContentAsByteArray(), UTF_8).lines().findFirst().orElseThrow())
        .isEqualTo("\uFEFFemail,name,tags,created_at,source,age,birthday,city,member,plan,status,subscribed_at,confirmed_at,unsubscribed_at,"
            + "consent_given_at,consent_channel,consent_basis,consent_ip,consent_confirmed_at,consent_withdrawn_at,consent_text");
    Map<String, Map<String, String>> rows = csv(r.getContentAsByteArray());
    assertThat(rows).containsOnlyKeys("ann@example.com", "bob@example.com");
    assertThat(rows.get("ann@example.com")).containsEntry("status", "unsubscribed").containsEntry("consent_text", "Yes, send me offers");
    assertThat(rows.get("ann@example.com").get("unsubscribed_at")).isNotEmpty();
    assertThat(rows.get("bob@example.com")).containsEntry("status", "subscribed").containsEntry("unsubscribed_at", "");
    assertThat(rows.get("bob@example.com").get("confirmed_at")).isNotEmpty();

    // the news list's consent, not the latest overall
    Map<String, String> annOnNews = csv(call(get(api("/exports/subscribers")).param("list", Long.toString(news)))
        .getContentAsByteArray()).get("ann@example.com");
    assertThat(annOnNews).containsEntry("status", "subscribed").containsEntry("consent_text", "Yes, send me news")
        .containsEntry("consent_withdrawn_at", "");

    MockHttpServletResponse subscribed = call(get(api("/exports/subscribers")).param("list", Long.toString(offers))
        .param("status", "subscribed").param("format", "json"));
    assertThat(subscribed.getHeader("Content-Disposition")).contains("offers-subscribed-subscribers-");
    JsonNode only = json.readTree(subscribed.getContentAsByteArray());
    assertThat(only.size()).isEqualTo(1);
    assertThat(only.get(0).get("email").asString()).isEqualTo("bob@example.com");
    assertThat(only.get(0).get("lists").size()).as("only this list's subscription").isEqualTo(1);

    assertThat(jdbc.sql("select detail from audit_event where organization_id = ? and action = 'subscribers.exported' order by id")
        .param(org.id()).query(String.class).list()).contains("list Offers, CSV", "list Offers, status subscribed, JSON");
  }

  // ---- a segment ------------------------------------------------------------------------------

  @Test
  void a_segment_export_has_the_subscribers_its_conditions_match_now_with_all_their_lists() throws Exception {
    long segment = send(post(api("/segments")), """
        {"name":"Grown-ups on Offers","conditions":{"match":"all","rules":[
          {"type":"field","subject":"age","op":"gte","value":"18"},{"type":"list","subject":"%d","op":"in","value":"any"}]}}"""
        .formatted(offers), 201).get("id").asLong();
    MockHttpServletResponse r = call(get(api("/exports/subscribers")).param("segment", Long.toString(segment)));
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getHeader("Content-Disposition")).contains("grown-ups-on-offers-subscribers-");
    Map<String, Map<String, String>> rows = csv(r.getContentAsByteArray());
    assertThat(rows).containsOnlyKeys("ann@example.com");
    assertThat(rows.get("ann@example.com")).containsEntry("lists", "News:subscribed; Offers:unsubscribed");

    send(patch(api("/subscribers/bob@example.com")), "{\"fields\":{\"age\":\"30\"}}", 200);
    JsonNode now = json.readTree(call(get(api("/exports/subscribers")).param("segment", Long.toString(segment)).param("format", "json"))
        .getContentAsByteArray());
    assertThat(now.size()).as("evaluated when exported").isEqualTo(2);

    assertThat(jdbc.sql("select detail from audit_event where organization_id = ? and action = 'subscribers.exported' order by id")
        .param(org.id()).query(String.class).list()).containsExactly("segment Grown-ups on Offers, CSV", "segment Grown-ups on Offers, JSON");
    assertThat(problemField(get(api("/exports/subscribers")).param("segment", Long.toString(segment)).param("list", Long.toString(news))))
        .isEqualTo("segment");
    assertThat(call(get(api("/exports/subscribers")).param("segment", "999999")).getStatus()).isEqualTo(404);
  }

  // ---- refusals -------------------------------------------------------------------------------

  @Test
  void another_organizations_list_is_not_found_and_bad_parameters_name_their_field() throws Exception {
    TestOrganizations.Created other = fixtures.organization("Other Export " + counter);
    long theirs = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'Theirs') returning id").param(other.id())
        .query(Long.class).single();
    jdbc.sql("insert into subscriber (organization_id, email, email_key) values (?, 'secret@example.com', 'secret@example.com')")
        .param(other.id()).update();
    long theirSegment = jdbc.sql("insert into segment (organization_id, name, conditions) values (?, 'All', '{\"match\":\"all\",\"rules\":[]}')"
        + " returning id").param(other.id()).query(Long.class).single();
    assertThat(call(get(api("/exports/subscribers")).param("segment", Long.toString(theirSegment))).getStatus()).isEqualTo(404);
    MockHttpServletResponse notFound = call(get(api("/exports/subscribers")).param("list", Long.toString(theirs)));
    assertThat(notFound.getStatus()).isEqualTo(404);
    assertThat(notFound.getContentType()).isEqualTo("application/problem+json");
    assertThat(mvc.perform(get("/o/" + org.slug() + "/lists/" + theirs + "/export").with(owner())).andReturn().getResponse().getStatus())
        .isEqualTo(404);
    assertThat(new String(call(get(api("/exports/subscribers"))).getContentAsByteArray(), UTF_8)).doesNotContain("secret@example.com");
    // the other organization's key cannot export this one
    assertThat(mvc.perform(get(api("/exports/subscribers")).header("Authorization", "Bearer " + other.apiKey())).andReturn()
        .getResponse().getStatus()).isEqualTo(403);

    assertThat(problemField(get(api("/exports/subscribers")).param("format", "pdf"))).isEqualTo("format");
    assertThat(problemField(get(api("/exports/subscribers")).param("list", Long.toString(news)).param("status", "happy")))
        .isEqualTo("status");
    assertThat(problemField(get(api("/exports/subscribers")).param("status", "subscribed"))).isEqualTo("status");
    assertThat(jdbc.sql("select count(*) from audit_event where organization_id = ? and action = 'subscribers.exported'")
        .param(org.id()).query(Long.class).single()).as("only the one export that ran").isEqualTo(1);
  }

  // ---- the panel ------------------------------------------------------------------------------

  @Test
  void the_panel_offers_and_serves_exports_of_a_list_and_of_everyone() throws Exception {
    String listPage = mvc.perform(get("/o/" + org.slug() + "/lists/" + news).with(owner())).andReturn().getResponse().getContentAsString();
    assertThat(listPage).contains("action=\"/o/" + org.slug() + "/lists/" + news + "/export\"").contains("value=\"xlsx\"");
    String subscribersPage = mvc.perform(get("/o/" + org.slug() + "/subscribers").with(owner())).andReturn().getResponse()
        .getContentAsString();
    assertThat(subscribersPage).contains("action=\"/o/" + org.slug() + "/subscribers/export\"");
    for (String page : List.of(listPage, subscribersPage)) {
      String form = page.substring(page.indexOf("/export\""), page.indexOf("</form>", page.indexOf("/export\"")));
      assertThat(form).as("a GET form must not put the CSRF token in the URL").doesNotContain("_csrf");
    }

    MockHttpServletResponse list = mvc.perform(get("/o/" + org.slug() + "/lists/" + news + "/export").param("format", "xlsx")
        .param("status", "").with(owner())).andReturn().getResponse();
    assertThat(list.getStatus()).isEqualTo(200);
    assertThat(list.getHeader("Content-Disposition")).contains("news-subscribers-");
    assertThat(xlsx(list.getContentAsByteArray())).hasSize(3);

    MockHttpServletResponse all = mvc.perform(get("/o/" + org.slug() + "/subscribers/export").param("format", "json").with(owner()))
        .andReturn().getResponse();
    assertThat(all.getStatus()).isEqualTo(200);
    assertThat(json.readTree(all.getContentAsByteArray()).size()).isEqualTo(4);
    assertThat(jdbc.sql("select actor from audit_event where organization_id = ? and action = 'subscribers.exported' order by id")
        .param(org.id()).query(String.class).list()).containsOnly(org.ownerEmail());

    assertThat(mvc.perform(get("/o/" + org.slug() + "/subscribers/export").param("format", "doc").with(owner())).andReturn()
        .getResponse().getStatus()).isEqualTo(422);
  }

  // ---- helpers --------------------------------------------------------------------------------

  @Test
  void exporting_needs_its_own_permission_reading_is_not_enough() throws Exception {
    TestOrganizations.Created reader = organizations.create("Reader Co " + counter, "lists:read");
    MockHttpServletResponse refused = mvc.perform(get("/api/v1/orgs/" + reader.slug() + "/exports/subscribers")
        .header("Authorization", "Bearer " + reader.apiKey())).andReturn().getResponse();
    assertThat(refused.getStatus()).isEqualTo(403);
    assertThat(call(get(api("/exports/subscribers")).param("format", "csv")).getStatus()).isEqualTo(200);
  }

  @Test
  void when_every_export_slot_of_the_node_is_taken_the_next_export_is_refused_with_retry_after() throws Exception {
    var release = new java.util.concurrent.CountDownLatch(1);
    var holding = new java.util.concurrent.CountDownLatch(exports.slots());
    List<Thread> slowDownloads = new ArrayList<>();
    // A quarter of the pool (the tests' pool of 5 gives 1 slot); "slow clients" hold every slot.
    for (int i = 0; i < exports.slots(); i++) {
      slowDownloads.add(Thread.ofVirtual().start(() -> {
        try {
          exports.withSlot(() -> {
            holding.countDown();
            return release.await(30, java.util.concurrent.TimeUnit.SECONDS);
          });
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }));
    }
    try {
      assertThat(holding.await(10, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
      MockHttpServletResponse busy = call(get(api("/exports/subscribers")).param("format", "csv"));
      assertThat(busy.getStatus()).isEqualTo(503);
      assertThat(busy.getHeader("Retry-After")).isEqualTo("60");
      assertThat(jdbc.sql("select count(*) from audit_event where organization_id = ? and action = 'subscribers.exported'").param(org.id())
          .query(Long.class).single()).as("a refused export is not audited as done").isZero();
    } finally {
      release.countDown();
      for (Thread t : slowDownloads) t.join(10_000);
    }
    assertThat(call(get(api("/exports/subscribers")).param("format", "csv")).getStatus()).isEqualTo(200);
  }

  String api(String path) {
    return "/api/v1/orgs/" + org.slug() + path;
  }

  MockHttpServletResponse call(MockHttpServletRequestBuilder r) throws Exception {
    return mvc.perform(r.header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
  }

  JsonNode send(MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    MockHttpServletResponse response = call(r.contentType("application/json").content(body));
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return json.readTree(response.getContentAsString());
  }

  String problemField(MockHttpServletRequestBuilder r) throws Exception {
    MockHttpServletResponse response = call(r);
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(422);
    return json.readTree(response.getContentAsString()).get("errors").get(0).get("field").asString();
  }

  org.springframework.test.web.servlet.request.RequestPostProcessor owner() {
    return organizations.asOwner(org);
  }

  /** Rows by their email cell, each as column → value, read back with the import's own CSV reader. */
  static Map<String, Map<String, String>> csv(byte[] body) throws Exception {
    Map<String, Map<String, String>> rows = new LinkedHashMap<>();
    try (SubscriberFileReader reader = SubscriberFileReader.open(new ByteArrayInputStream(body), SubscriberFileFormat.CSV)) {
      List<String> headers = reader.headers();
      while (reader.hasNext()) {
        SubscriberFileRow row = reader.next();
        assertThat(row.cellCountMismatch()).as("line %d", row.line()).isFalse();
        Map<String, String> cells = new LinkedHashMap<>();
        for (int i = 0; i < headers.size(); i++) cells.put(headers.get(i), row.cell(i));
        rows.put(row.cell(0), cells);
      }
    }
    return rows;
  }

  /** The first sheet's rows, each as cells by column index (null for an absent cell). */
  static List<List<Cell>> xlsx(byte[] body) throws Exception {
    try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(body), new ReadingOptions(true, false))) {
      List<List<Cell>> out = new ArrayList<>();
      try (var rows = wb.getFirstSheet().openStream()) {
        for (Row row : (Iterable<Row>) rows::iterator) {
          List<Cell> cells = new ArrayList<>();
          for (int i = 0; i < row.getCellCount(); i++) cells.add(row.getCell(i));
          out.add(cells);
        }
      }
      return out;
    }
  }

  static int column(List<List<Cell>> sheet, String header) {
    List<String> names = sheet.get(0).stream().map(Cell::getText).toList();
    assertThat(names).contains(header);
    return names.indexOf(header);
  }

  static List<Cell> rowOf(List<List<Cell>> sheet, String email) {
    return sheet.stream().filter(r -> email.equals(r.get(0).getText())).findFirst().orElseThrow();
  }

  static JsonNode find(JsonNode all, String email) {
    for (JsonNode s : all) if (email.equals(s.get("email").asString())) return s;
    throw new AssertionError(email + " not in the export");
  }
}
