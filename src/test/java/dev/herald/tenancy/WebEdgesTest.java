package dev.herald.tenancy;

import static dev.herald.tenancy.Fixtures.signedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.request;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/** The web layer's edges: unknown routes, errors outside controllers, sessions, keys on pages, the docs, no default user. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc
@Import({Fixtures.class, TestOrganizations.class})
class WebEdgesTest {
  @LocalServerPort int port;
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired Fixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired ApplicationContext context;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  static int counter;

  MockHttpServletResponse call(MockHttpServletRequestBuilder request) throws Exception {
    return mvc.perform(request).andReturn().getResponse();
  }

  MockHttpServletResponse withKey(HttpMethod method, String path, String key) throws Exception {
    return call(request(method, path).header("Authorization", "Bearer " + key));
  }

  HttpResponse<String> real(String method, String path, String... headers) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + path))
        .method(method, HttpRequest.BodyPublishers.noBody());
    if (headers.length > 0) request.headers(headers);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  TestOrganizations.Created organization(String name) {
    return organizations.create(name, "lists:read", "lists:write", "members:read");
  }

  long sessions() {
    return jdbc.sql("select count(*) from spring_session").query(Long.class).single();
  }

  @Test
  void unknown_api_routes_and_methods_answer_404_or_405_to_members_not_403() throws Exception {
    TestOrganizations.Created org = organization("Unknown Routes " + (++counter));
    String base = "/api/v1/orgs/" + org.slug();
    for (String path : new String[] {"/api/v1/nothing", base + "/listz", base + "/lists/1/nothing"}) {
      MockHttpServletResponse r = withKey(HttpMethod.GET, path, org.apiKey());
      assertThat(r.getStatus()).as(path).isEqualTo(404);
      assertThat(r.getContentType()).as(path).startsWith("application/problem+json");
      assertThat(r.getContentAsString()).as(path).doesNotContain("permission");
    }
    MockHttpServletResponse put = withKey(HttpMethod.PUT, base + "/api-keys", org.apiKey());
    assertThat(put.getStatus()).isEqualTo(405);
    assertThat(put.getHeader("Allow")).contains("GET").contains("POST");
    assertThat(put.getContentType()).startsWith("application/problem+json");
    assertThat(withKey(HttpMethod.PATCH, base + "/lists", org.apiKey()).getStatus()).isEqualTo(405);
    MockHttpServletResponse bySession = call(get(base + "/listz").with(organizations.asOwner(org)));
    assertThat(bySession.getStatus()).isEqualTo(404);
  }

  @Test
  void non_members_learn_nothing_of_another_organizations_routes() throws Exception {
    TestOrganizations.Created alpha = organization("Alpha Routes " + (++counter));
    TestOrganizations.Created beta = organization("Beta Routes " + (++counter));
    String base = "/api/v1/orgs/" + alpha.slug();
    MockHttpServletResponse known = withKey(HttpMethod.GET, base + "/lists", beta.apiKey());
    for (String path : new String[] {base + "/listz", base + "/lists", "/api/v1/orgs/no-such-org/listz"}) {
      MockHttpServletResponse r = withKey(HttpMethod.GET, path, beta.apiKey());
      assertThat(r.getStatus()).as(path).isEqualTo(403);
      assertThat(r.getContentAsString()).as(path).isEqualTo(known.getContentAsString()).doesNotContain(alpha.slug());
    }
    assertThat(withKey(HttpMethod.PUT, base + "/api-keys", beta.apiKey()).getStatus()).isEqualTo(403);
    assertThat(call(get("/o/" + alpha.slug() + "/nothing").with(organizations.asOwner(beta))).getStatus()).isEqualTo(403);
    assertThat(call(get("/api/v1/nothing")).getStatus()).as("anonymous: authenticate first").isEqualTo(401);
  }

  @Test
  void unknown_panel_routes_answer_404_and_405_to_members() throws Exception {
    TestOrganizations.Created org = organization("Panel Routes " + (++counter));
    assertThat(call(get("/o/" + org.slug() + "/nothing").with(organizations.asOwner(org))).getStatus()).isEqualTo(404);
    MockHttpServletResponse delete = call(request(HttpMethod.DELETE, "/o/" + org.slug() + "/lists")
        .with(organizations.asOwner(org)).with(csrf()));
    assertThat(delete.getStatus()).isEqualTo(405);
    assertThat(delete.getHeader("Allow")).contains("GET").contains("POST");
  }

  @Test
  void errors_outside_controllers_are_problem_json_under_api_not_spring_boots_error_json() throws Exception {
    HttpResponse<String> missing = real("GET", "/api/docs/nothing-here");
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    assertThat(missing.body()).contains("\"status\":404").doesNotContain("\"timestamp\"").doesNotContain("\"path\"");
    HttpResponse<String> rejected = real("GET", "/api/v1/orgs/x;y=1/lists");
    assertThat(rejected.statusCode()).as("the firewall's refusal").isEqualTo(400);
    assertThat(rejected.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    HttpResponse<String> anonymous = real("GET", "/api/v1/nothing");
    assertThat(anonymous.statusCode()).isEqualTo(401);
    assertThat(anonymous.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    HttpResponse<String> outsideV1 = real("GET", "/api/nothing");
    assertThat(outsideV1.statusCode()).as("not the sign-in page").isEqualTo(401);
    assertThat(outsideV1.headers().firstValue("Content-Type").orElse("")).startsWith("application/problem+json");
    HttpResponse<String> page = real("GET", "/assets/nothing-here.css");
    assertThat(page.statusCode()).isEqualTo(404);
    assertThat(page.headers().firstValue("Content-Type").orElse("")).startsWith("text/html");
  }

  /** The raw response head to a GET with this Host header (HttpClient will not send a Host of our choosing). */
  String rawHead(String host, String path) throws Exception {
    try (java.net.Socket socket = new java.net.Socket("127.0.0.1", port)) {
      socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n")
          .getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
      return answer.substring(0, answer.indexOf("\r\n\r\n"));
    }
  }

  @Test
  void a_forged_host_header_is_not_reflected_into_redirects() throws Exception {
    for (String path : new String[] {"/o/acme", "/", "/api/docs", "/dashboard"}) {
      String head = rawHead("evil.example", path);
      assertThat(head).as(path).startsWith("HTTP/1.1 302").containsIgnoringCase("\nLocation: /").doesNotContain("evil.example");
    }
    String docs = rawHead("evil.example", "/api/openapi.json");
    assertThat(docs).startsWith("HTTP/1.1 200");
    assertThat(real("GET", "/api/openapi.json").body()).doesNotContain("localhost:" + port);
  }

  @Test
  void api_requests_never_create_sessions() throws Exception {
    TestOrganizations.Created org = organization("Sessionless " + (++counter));
    long before = sessions();
    real("GET", "/api/v1/nothing");
    real("GET", "/api/v1/orgs/" + org.slug() + "/lists");
    real("POST", "/api/v1/orgs/" + org.slug() + "/lists", "Content-Type", "application/json");
    real("DELETE", "/api/v1/orgs/" + org.slug() + "/lists/1");
    real("GET", "/api/v1/orgs/" + org.slug() + "/lists", "Authorization", "Bearer " + org.apiKey());
    real("POST", "/api/v1/orgs/" + org.slug() + "/lists", "Authorization", "Bearer " + org.apiKey(), "Content-Type", "application/json");
    real("GET", "/api/v1/orgs/" + org.slug() + "/lists", "Authorization", "Bearer hrld_wrong");
    real("GET", "/api/openapi.json");
    assertThat(sessions()).isEqualTo(before);
  }

  @Test
  void an_api_key_on_a_panel_route_is_refused_with_401_not_a_500() throws Exception {
    TestOrganizations.Created org = organization("Keys Stay In The Api " + (++counter));
    for (String path : new String[] {"/o/" + org.slug(), "/o/" + org.slug() + "/subscribers", "/o/" + org.slug() + "/api-keys",
        "/dashboard", "/account"}) {
      MockHttpServletResponse r = withKey(HttpMethod.GET, path, org.apiKey());
      assertThat(r.getStatus()).as(path).isEqualTo(401);
      assertThat(r.getContentAsString()).as(path).contains("/api/v1");
    }
    MockHttpServletResponse post = withKey(HttpMethod.POST, "/o/" + org.slug() + "/lists", org.apiKey());
    assertThat(post.getStatus()).isEqualTo(401);
    assertThat(withKey(HttpMethod.GET, "/actuator/health", org.apiKey()).getStatus()).as("health stays public").isEqualTo(200);
  }

  @Test
  void api_docs_open_instead_of_answering_403() throws Exception {
    HttpResponse<String> docs = real("GET", "/api/docs");
    assertThat(docs.statusCode()).isEqualTo(302);
    String location = docs.headers().firstValue("Location").orElseThrow();
    assertThat(location).endsWith("/api/swagger-ui/index.html");
    String path = URI.create(location).getPath();
    assertThat(real("GET", path).statusCode()).isEqualTo(200);
    assertThat(real("GET", "/api/swagger-ui/swagger-initializer.js").statusCode()).isEqualTo(200);
    assertThat(real("GET", "/api/openapi.json/swagger-config").statusCode()).isEqualTo(200);
    assertThat(real("GET", "/api/openapi.json").statusCode()).isEqualTo(200);
  }

  @Test
  void no_default_user_with_a_generated_password_exists() {
    assertThat(context.getBeanNamesForType(UserDetailsService.class)).isEmpty();
    assertThat(context.getBeanNamesForType(org.springframework.security.provisioning.InMemoryUserDetailsManager.class)).isEmpty();
  }
}
