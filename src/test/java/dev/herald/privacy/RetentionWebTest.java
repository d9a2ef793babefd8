package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.tenancy.TestOrganizations;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The record of processing activities and the retention schedules as the operator and an organization use them: pages,
 * downloads and API, bad input refused by field. No worker role: nothing runs in the background.
 */
@SpringBootTest(properties = "herald.roles=web")
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class RetentionWebTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;

  static int counter;
  TestOrganizations.Created acme;
  RequestPostProcessor operator;

  @BeforeEach
  void setUp() {
    acme = organizations.create("Retention Web " + (++counter), "privacy");
    operator = organizations.asNewOperator("operator-" + counter + "@retention-web.test");
    jdbc.sql("delete from retention_override").update();
    jdbc.sql("delete from retention_schedule").update();
    jdbc.sql("delete from retention_run").update();
  }

  MockHttpServletResponse ok(MockHttpServletRequestBuilder request) throws Exception {
    MockHttpServletResponse r = mvc.perform(request).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(200);
    return r;
  }

  JsonNode api(MockHttpServletRequestBuilder request, String body, int status) throws Exception {
    MockHttpServletResponse r = mvc.perform(request.header("Authorization", "Bearer " + acme.apiKey()).contentType("application/json")
        .content(body)).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(status);
    return json.readTree(r.getContentAsString());
  }

  @Test
  void the_operator_reads_the_record_of_processing_activities_on_a_page_as_csv_and_as_json() throws Exception {
    String page = ok(get("/operator/processing-record").with(operator)).getContentAsString();
    assertThat(page).contains("Record of processing activities", "retention_run", "the record of retention runs", "Download CSV");

    MockHttpServletResponse csv = ok(get("/operator/processing-record.csv").with(operator));
    assertThat(csv.getHeader("Content-Disposition")).startsWith("attachment").contains(".csv");
    assertThat(csv.getContentAsString()).startsWith("capability,table,data subject,purpose,column,category,retention category,schedule,")
        .contains("privacy,retention_schedule,,the operator's retention schedule per category");

    MockHttpServletResponse download = ok(get("/operator/processing-record.json").with(operator));
    assertThat(download.getHeader("Content-Disposition")).contains(".json");
    JsonNode record = json.readTree(download.getContentAsString());
    assertThat(record.get("tables").valueStream().map(t -> t.get("table").asString())).contains("retention_run", "retention_override");
    JsonNode viaApi = json.readTree(ok(get("/api/v1/operator/processing-record").with(operator)).getContentAsString());
    assertThat(viaApi.get("tables").size()).isEqualTo(record.get("tables").size());

    // Not for a member of an organization, not even its owner.
    assertThat(mvc.perform(get("/operator/processing-record.csv").with(organizations.asOwner(acme))).andReturn().getResponse().getStatus())
        .isIn(403, 404);
  }

  @Test
  void the_operator_sets_a_schedule_sees_runs_and_queues_one() throws Exception {
    assertThat(ok(get("/operator/retention").with(operator)).getContentAsString()).contains("tracking IP addresses", "30 days", "(default)",
        "No retention run yet.");

    MvcResult set = mvc.perform(post("/operator/retention").with(operator).with(csrf()).param("category", "audit log").param("period", "6 months"))
        .andReturn();
    assertThat(set.getResponse().getRedirectedUrl()).isEqualTo("/operator/retention");
    assertThat((Object) set.getFlashMap().get("notice")).isEqualTo("The schedule of audit log is now 6 months.");
    MvcResult refused = mvc.perform(post("/operator/retention").with(operator).with(csrf()).param("category", "audit log").param("period", "soon"))
        .andReturn();
    assertThat(refused.getResponse().getRedirectedUrl()).startsWith("/operator/retention");
    assertThat(((Map<?, ?>) refused.getFlashMap().get("errors")).keySet()).extracting(Object::toString).contains("period");

    mvc.perform(post("/operator/retention/run").with(operator).with(csrf())).andReturn();
    String page = ok(get("/operator/retention").with(operator)).getContentAsString();
    assertThat(page).contains("6 months").contains("queued");

    JsonNode retention = json.readTree(ok(get("/api/v1/operator/retention").with(operator)).getContentAsString());
    assertThat(retention.get("schedules").valueStream().filter(s -> s.get("category").asString().equals("audit log")).findFirst()
        .orElseThrow().get("period").asString()).isEqualTo("P6M");
    assertThat(retention.get("runs").get(0).get("status").asString()).isEqualTo("queued");
    assertThat(mvc.perform(post("/api/v1/operator/retention/runs").with(operator).with(csrf())).andReturn().getResponse().getStatus())
        .as("one is queued already").isEqualTo(409);

    MockHttpServletResponse bad = mvc.perform(put("/api/v1/operator/retention").with(operator).with(csrf()).contentType("application/json")
        .content("{\"category\": \"everything\", \"period\": \"P1D\"}")).andReturn().getResponse();
    assertThat(bad.getStatus()).isEqualTo(422);
    assertThat(bad.getContentAsString()).contains("category");
    MockHttpServletResponse good = mvc.perform(put("/api/v1/operator/retention").with(operator).with(csrf()).contentType("application/json")
        .content("{\"category\": \"sign-in history\", \"period\": \"P90D\"}")).andReturn().getResponse();
    assertThat(good.getStatus()).as(good.getContentAsString()).isEqualTo(200);
    assertThat(json.readTree(good.getContentAsString()).get("periodText").asString()).isEqualTo("90 days");
  }

  @Test
  void an_organization_shortens_a_schedule_for_itself_in_the_panel_and_the_api_but_never_lengthens_one() throws Exception {
    RequestPostProcessor owner = organizations.asOwner(acme);
    String base = "/o/" + acme.slug() + "/privacy/retention";
    assertThat(ok(get(base).with(owner)).getContentAsString()).contains("Data retention", "hosted-page request logs", "Shorten");

    MvcResult set = mvc.perform(post(base).with(owner).with(csrf()).param("category", "tracking IP addresses").param("period", "7 days"))
        .andReturn();
    assertThat((Object) set.getFlashMap().get("notice")).isEqualTo("This organization's schedule of tracking IP addresses is now 7 days.");
    MvcResult longer = mvc.perform(post(base).with(owner).with(csrf()).param("category", "audit log").param("period", "2 years")).andReturn();
    assertThat((String) ((Map<?, ?>) longer.getFlashMap().get("errors")).get("period"))
        .startsWith("period for audit log must be less than the installation's ").contains("; 2 years was given.");

    String api = "/api/v1/orgs/" + acme.slug() + "/privacy/retention";
    JsonNode read = api(get(api), "", 200);
    JsonNode tracking = read.get("schedules").valueStream().filter(s -> s.get("category").asString().equals("tracking IP addresses"))
        .findFirst().orElseThrow();
    assertThat(tracking.get("ownPeriod").asString()).isEqualTo("P7D");
    assertThat(tracking.get("appliesText").asString()).isEqualTo("7 days");

    JsonNode refused = api(put(api), "{\"category\": \"message headers\", \"period\": \"P1Y\"}", 422);
    assertThat(refused.toString()).contains("period").contains("period for message headers must be less than the installation's");
    JsonNode cleared = api(put(api), "{\"category\": \"tracking IP addresses\", \"period\": \"\"}", 200);
    assertThat(cleared.get("schedules").valueStream().filter(s -> s.get("category").asString().equals("tracking IP addresses")).findFirst()
        .orElseThrow().get("ownPeriod").isNull()).isTrue();

    // Another organization's schedules are its own.
    TestOrganizations.Created other = organizations.create("Retention Other " + counter, "privacy");
    api(put(api), "{\"category\": \"audit log\", \"period\": \"P30D\"}", 200);
    assertThat(jdbc.sql("select count(*) from retention_override where organization_id = ?").param(other.id()).query(Long.class).single()).isZero();
  }
}
