package dev.herald.tenancy;

import static dev.herald.tenancy.Fixtures.signedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

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

/** The REST API: keys shown once and stored hashed, scopes, IP allowlist, revocation, problem+json errors. */
@SpringBootTest
@AutoConfigureMockMvc
@Import(Fixtures.class)
class ApiKeyApiTest {
  @Autowired MockMvc mvc;
  @Autowired Fixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;

  HeraldUser admin;
  Organizations.Organization org;
  static int counter;

  @BeforeEach
  void organization() {
    counter++;
    admin = fixtures.person("admin" + counter + "@api.test");
    org = fixtures.organization("Api Co " + counter, admin);
  }

  MockHttpServletResponse call(MockHttpServletRequestBuilder request) throws Exception {
    return mvc.perform(request).andReturn().getResponse();
  }

  JsonNode body(MockHttpServletResponse r) throws Exception {
    return json.readTree(r.getContentAsString());
  }

  String createKey(String body) throws Exception {
    MockHttpServletResponse r = call(post("/api/v1/orgs/" + org.slug() + "/api-keys").with(signedIn(admin)).with(csrf())
        .contentType("application/json").content(body));
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(201);
    return body(r).get("secret").asString();
  }

  @Test
  void a_key_is_shown_once_stored_as_a_hash_and_works_within_its_scopes() throws Exception {
    String secret = createKey("{\"name\":\"CI\",\"scopes\":[\"members:read\"]}");
    assertThat(secret).startsWith("hrld_");
    assertThat(jdbc.sql("select count(*) from api_key where secret_hash = ? or secret_hash like ?")
        .params(secret, "%" + secret.substring(20) + "%").query(Long.class).single()).as("secret never stored").isZero();
    String listed = call(get("/api/v1/orgs/" + org.slug() + "/api-keys").with(signedIn(admin))).getContentAsString();
    assertThat(listed).contains("\"CI\"").doesNotContain(secret.substring(16));

    MockHttpServletResponse members = call(get("/api/v1/orgs/" + org.slug() + "/members").header("Authorization", "Bearer " + secret));
    assertThat(members.getStatus()).isEqualTo(200);
    assertThat(members.getContentAsString()).contains(admin.email());
    assertThat(jdbc.sql("select last_used_at is not null from api_key where name = 'CI' and organization_id = ?").param(org.id())
        .query(Boolean.class).single()).isTrue();

    MockHttpServletResponse audit = call(get("/api/v1/orgs/" + org.slug() + "/audit-events").header("Authorization", "Bearer " + secret));
    assertThat(audit.getStatus()).isEqualTo(403);
    assertThat(audit.getContentType()).startsWith("application/problem+json");
    assertThat(body(audit).get("status").asInt()).isEqualTo(403);

    // A key never manages keys, whatever it was given.
    MockHttpServletResponse mint = call(post("/api/v1/orgs/" + org.slug() + "/api-keys").header("Authorization", "Bearer " + secret)
        .contentType("application/json").content("{\"name\":\"x\",\"scopes\":[\"send\"]}"));
    assertThat(mint.getStatus()).isEqualTo(403);
  }

  @Test
  void a_key_without_the_scope_a_route_needs_is_told_which_scope() throws Exception {
    String secret = createKey("{\"name\":\"narrow\",\"scopes\":[\"members:read\"]}");
    MockHttpServletResponse export = call(post("/api/v1/orgs/" + org.slug() + "/account-exports").header("Authorization", "Bearer " + secret));
    assertThat(export.getStatus()).isEqualTo(403);
    assertThat(export.getContentType()).startsWith("application/problem+json");
    assertThat(body(export).get("detail").asString())
        .isEqualTo("This API key lacks the scope account:export, which POST /api/v1/orgs/{org}/account-exports needs."
            + " Keys are made on the organization's API keys page.");
    assertThat(body(export).get("requiredScopes").toString()).isEqualTo("[\"account:export\"]");

    // Several scopes reach a list: any one is enough, the narrowest is named first.
    MockHttpServletResponse lists = call(get("/api/v1/orgs/" + org.slug() + "/lists").header("Authorization", "Bearer " + secret));
    assertThat(lists.getStatus()).isEqualTo(403);
    assertThat(body(lists).get("detail").asString())
        .contains("GET /api/v1/orgs/{org}/lists needs: any one of lists:read, lists:write or lists:export.");
    assertThat(body(lists).get("requiredScopes").toString()).isEqualTo("[\"lists:read\",\"lists:write\",\"lists:export\"]");

    // No scope manages keys: the problem says so instead of naming one.
    MockHttpServletResponse mint = call(post("/api/v1/orgs/" + org.slug() + "/api-keys").header("Authorization", "Bearer " + secret)
        .contentType("application/json").content("{\"name\":\"x\",\"scopes\":[\"send\"]}"));
    assertThat(mint.getStatus()).isEqualTo(403);
    assertThat(body(mint).get("detail").asString()).startsWith("No API key can be given what POST /api/v1/orgs/{org}/api-keys needs");
    assertThat(body(mint).get("requiredScopes").toString()).isEqualTo("[]");

    // Another organization's key learns nothing about scopes here.
    Organizations.Organization other = fixtures.organization("Api Other " + counter, fixtures.person("other" + counter + "@api.test"));
    MockHttpServletResponse elsewhere = call(get("/api/v1/orgs/" + other.slug() + "/members").header("Authorization", "Bearer " + secret));
    assertThat(elsewhere.getStatus()).isEqualTo(403);
    assertThat(body(elsewhere).get("detail").asString()).isEqualTo("You do not have permission for this action in this organization.");
    assertThat(body(elsewhere).has("requiredScopes")).isFalse();
  }

  @Test
  void bad_keys_get_a_401_problem_that_says_why() throws Exception {
    String revoked = createKey("{\"name\":\"old\",\"scopes\":[\"members:read\"]}");
    long id = jdbc.sql("select id from api_key where name = 'old' and organization_id = ?").param(org.id()).query(Long.class).single();
    assertThat(call(delete("/api/v1/orgs/" + org.slug() + "/api-keys/" + id).with(signedIn(admin)).with(csrf())).getStatus()).isEqualTo(204);
    String fenced = createKey("{\"name\":\"fenced\",\"scopes\":[\"members:read\"],\"ipAllowlist\":[\"203.0.113.0/24\"]}");

    for (String[] c : new String[][] {{revoked, "revoked"}, {fenced, "may not be used from 127.0.0.1"},
        {"hrld_nope_nope", "not valid"}, {"garbage", "malformed"}}) {
      MockHttpServletResponse r = call(get("/api/v1/orgs/" + org.slug() + "/members").header("Authorization", "Bearer " + c[0])
          .with(request -> { request.setRemoteAddr("127.0.0.1"); return request; }));
      assertThat(r.getStatus()).as(c[1]).isEqualTo(401);
      assertThat(r.getContentType()).startsWith("application/problem+json");
      assertThat(body(r).get("detail").asString()).contains(c[1]);
    }
    MockHttpServletResponse anonymous = call(get("/api/v1/orgs/" + org.slug() + "/members"));
    assertThat(anonymous.getStatus()).isEqualTo(401);
    assertThat(anonymous.getContentType()).startsWith("application/problem+json");
  }

  @Test
  void invalid_input_is_refused_with_the_field_named() throws Exception {
    for (String[] c : new String[][] {
        {"{\"name\":\"\",\"scopes\":[\"send\"]}", "name"},
        {"{\"name\":\"k\",\"scopes\":[]}", "scopes"},
        {"{\"name\":\"k\",\"scopes\":[\"api_keys:write\"]}", "scopes"},
        {"{\"name\":\"k\",\"scopes\":[\"send\"],\"ipAllowlist\":[\"example.com\"]}", "ipAllowlist"}}) {
      MockHttpServletResponse r = call(post("/api/v1/orgs/" + org.slug() + "/api-keys").with(signedIn(admin)).with(csrf())
          .contentType("application/json").content(c[0]));
      assertThat(r.getStatus()).as(c[0]).isEqualTo(422);
      assertThat(r.getContentType()).startsWith("application/problem+json");
      assertThat(body(r).get("errors").get(0).get("field").asString()).isEqualTo(c[1]);
    }
    assertThat(jdbc.sql("select count(*) from api_key where organization_id = ?").param(org.id()).query(Long.class).single()).isZero();
    MockHttpServletResponse malformed = call(post("/api/v1/orgs/" + org.slug() + "/api-keys").with(signedIn(admin)).with(csrf())
        .contentType("application/json").content("{not json"));
    assertThat(malformed.getStatus()).isEqualTo(400);
    assertThat(malformed.getContentType()).startsWith("application/problem+json");
  }

  @Test
  void a_session_needs_the_csrf_token_but_a_bearer_key_does_not() throws Exception {
    MockHttpServletResponse noToken = call(post("/api/v1/orgs/" + org.slug() + "/invitations").with(signedIn(admin))
        .contentType("application/json").content("{\"email\":\"x@api.test\",\"role\":\"viewer\"}"));
    assertThat(noToken.getStatus()).isEqualTo(403);
    assertThat(jdbc.sql("select count(*) from invitation where email = 'x@api.test'").query(Long.class).single()).isZero();
  }

  @Test
  void the_openapi_document_describes_the_api() throws Exception {
    MockHttpServletResponse r = call(get("/api/openapi.json"));
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getContentAsString()).contains("/api/v1/orgs/{org}/api-keys").contains("/api/v1/orgs/{org}/audit-events");
  }
}
