package dev.herald.delivery;

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
 * The operator's pages and API for pools and delivery servers, and what an organization sees: forms refused with the
 * field's error, a password that never comes back in a page or an answer, assignments visible read-only to the
 * organization and to no other.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class DeliveryServersWebTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired ObjectMapper json;
  @Autowired JdbcClient jdbc;

  static int counter;
  RequestPostProcessor operator;
  TestOrganizations.Created acme;
  TestOrganizations.Created other;

  @BeforeEach
  void setUp() {
    counter++;
    operator = organizations.asNewOperator("op" + counter + "@delivery.test");
    acme = organizations.create("Acme Delivery " + counter, "domains:read");
    other = organizations.create("Other Delivery " + counter, "domains:read");
  }

  MvcResult form(String path, Map<String, String> params) throws Exception {
    MockHttpServletRequestBuilder r = post(path).with(operator).with(csrf());
    params.forEach(r::param);
    return mvc.perform(r).andReturn();
  }

  @SuppressWarnings("unchecked")
  static Map<String, String> flash(MvcResult result, String name) {
    return (Map<String, String>) result.getFlashMap().get(name);
  }

  MockHttpServletResponse api(MockHttpServletRequestBuilder r, Object body) throws Exception {
    r.with(operator).with(csrf());
    if (body != null) r.contentType("application/json").content(json.writeValueAsString(body));
    return mvc.perform(r).andReturn().getResponse();
  }

  @Test
  void pools_through_the_panel_with_errors_beside_their_fields() throws Exception {
    MvcResult created = form("/operator/ip-pools", Map.of("name", "Dedicated " + counter));
    assertThat(created.getResponse().getRedirectedUrl()).startsWith("/operator/ip-pools#pool-");
    long pool = Long.parseLong(created.getResponse().getRedirectedUrl().replaceAll(".*#pool-", ""));

    MvcResult refused = form("/operator/ip-pools/" + pool + "/addresses", Map.of("address", "192.0.2.44", "ehloName", "mta.acme.test"));
    assertThat(refused.getResponse().getRedirectedUrl()).isEqualTo("/operator/ip-pools#pool-" + pool);
    assertThat(flash(refused, "errors")).extractingByKey("pool-" + pool).asString()
        .startsWith("192.0.2.44 is not an address of this machine");
    form("/operator/ip-pools/" + pool + "/addresses", Map.of("address", "127.0.0.7", "ehloName", "mta7.acme.test"));
    MvcResult unknown = form("/operator/ip-pools/assignments", Map.of("organization", "nobody-" + counter, "pool", Long.toString(pool)));
    assertThat(flash(unknown, "errors")).containsKey("organization");
    form("/operator/ip-pools/assignments", Map.of("organization", acme.slug(), "pool", Long.toString(pool)));

    String page = mvc.perform(get("/operator/ip-pools").with(operator)).andReturn().getResponse().getContentAsString();
    assertThat(page).contains("Dedicated " + counter, "127.0.0.7", "mta7.acme.test", acme.slug());
    // A dedicated pool can be deleted from the page; the shared pool (the default of every organization) cannot.
    assertThat(page).contains("/operator/ip-pools/" + pool + "/delete");
    long shared = jdbc.sql("select id from ip_pool where shared").query(Long.class).single();
    assertThat(page).doesNotContain("/operator/ip-pools/" + shared + "/delete");

    String orgPage = mvc.perform(get("/o/" + acme.slug() + "/sending").with(organizations.asOwner(acme))).andReturn()
        .getResponse().getContentAsString();
    assertThat(orgPage).contains("Dedicated " + counter, "127.0.0.7", "mta7.acme.test");
    String otherPage = mvc.perform(get("/o/" + other.slug() + "/sending").with(organizations.asOwner(other))).andReturn()
        .getResponse().getContentAsString();
    assertThat(otherPage).contains("Shared").doesNotContain("127.0.0.7").doesNotContain(acme.slug());
  }

  @Test
  void servers_through_the_api_never_give_the_password_back_and_the_organization_sees_its_server() throws Exception {
    MockHttpServletResponse created = api(post("/api/v1/operator/delivery-servers"), Map.of("name", "Relay " + counter,
        "host", "smtp.relay.test", "tls", "implicit", "authUser", "herald", "password", "hunter2-secret", "hourlyLimit", 500));
    assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
    JsonNode server = json.readTree(created.getContentAsString());
    assertThat(server.get("port").asInt()).isEqualTo(465);
    assertThat(server.get("hasPassword").asBoolean()).isTrue();
    assertThat(created.getContentAsString()).doesNotContain("hunter2");
    long id = server.get("id").asLong();

    MockHttpServletResponse bad = api(put("/api/v1/operator/delivery-servers/" + id), Map.of("name", "Relay " + counter,
        "host", "smtp.relay.test", "tls", "carrier-pigeon"));
    assertThat(bad.getStatus()).isEqualTo(422);
    assertThat(bad.getContentAsString()).contains("\"field\":\"tls\"");

    MockHttpServletResponse assigned = api(post("/api/v1/operator/delivery-servers/" + id + "/assignments"),
        Map.of("organization", acme.slug()));
    assertThat(assigned.getStatus()).as(assigned.getContentAsString()).isEqualTo(201);

    String all = api(get("/api/v1/operator/delivery-servers"), null).getContentAsString();
    assertThat(all).contains("Relay " + counter, acme.slug()).doesNotContain("hunter2");
    String panel = mvc.perform(get("/operator/delivery-servers/" + id).with(operator)).andReturn().getResponse().getContentAsString();
    assertThat(panel).contains("Relay " + counter, "A password is stored").doesNotContain("hunter2");

    MockHttpServletResponse mine = mvc.perform(get("/api/v1/orgs/" + acme.slug() + "/sending")
        .header("Authorization", "Bearer " + acme.apiKey())).andReturn().getResponse();
    JsonNode sending = json.readTree(mine.getContentAsString());
    assertThat(sending.get("ipPool").asString()).isEqualTo("Shared");
    assertThat(sending.get("deliveryServers").get(0).get("host").asString()).isEqualTo("smtp.relay.test");
    assertThat(mine.getContentAsString()).doesNotContain("herald\"").doesNotContain("hunter2");
    JsonNode theirs = json.readTree(mvc.perform(get("/api/v1/orgs/" + other.slug() + "/sending")
        .header("Authorization", "Bearer " + other.apiKey())).andReturn().getResponse().getContentAsString());
    assertThat(theirs.get("deliveryServers")).isEmpty();

    assertThat(jdbc.sql("select count(*) from audit_event where action like 'delivery-server.%' and detail like '%hunter2%'")
        .query(Long.class).single()).isZero();
  }

  @Test
  void a_server_form_refused_keeps_what_was_typed_but_the_password() throws Exception {
    MvcResult refused = form("/operator/delivery-servers", Map.of("name", "Form " + counter, "host", "relay.example.net",
        "tls", "none", "authUser", "u", "password", "typed-secret", "port", "25"));
    assertThat(refused.getResponse().getRedirectedUrl()).isEqualTo("/operator/delivery-servers#new-server");
    assertThat(flash(refused, "errors")).containsKey("tls");
    assertThat(flash(refused, "values")).containsEntry("host", "relay.example.net")
        .doesNotContainKey("password");
    MvcResult badNumber = form("/operator/delivery-servers", Map.of("name", "Form " + counter, "host", "relay.example.net",
        "tls", "starttls", "hourlyLimit", "lots"));
    assertThat(flash(badNumber, "errors")).containsKey("hourlyLimit");
  }
}
