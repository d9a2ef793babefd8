package dev.herald.tenancy;

import static dev.herald.tenancy.Fixtures.signedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.testsupport.Browser;
import dev.herald.testsupport.WebClient;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The operator lists people (search, paging) and locks or unlocks an account, in the panel, the API and a browser. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc
@Import(Fixtures.class)
class OperatorUsersTest {
  @LocalServerPort int port;
  @Autowired Fixtures fixtures;
  @Autowired MockMvc mvc;
  @Autowired ObjectMapper json;
  @Autowired JdbcClient jdbc;

  private WebClient signedInOver(String email) {
    WebClient web = new WebClient(port);
    assertThat(web.submit("/login", "/login", Map.of("email", email, "password", Fixtures.PASSWORD)).locationPath())
        .as("sign-in of " + email).isEqualTo("/dashboard");
    return web;
  }

  @Test
  void locking_an_account_ends_its_sessions_at_once_refuses_its_sign_ins_and_is_in_the_operators_log() {
    fixtures.operator("ops@lock.test");
    HeraldUser victim = fixtures.person("victim@lock.test");
    WebClient victimWeb = signedInOver("victim@lock.test");
    assertThat(victimWeb.get("/account").status()).isEqualTo(200);

    WebClient ops = signedInOver("ops@lock.test");
    String page = ops.get("/operator/users?q=victim@lock").body();
    assertThat(page).contains(">victim@lock.test<").doesNotContain(">ops@lock.test<");
    ops.post("/operator/users/" + victim.id() + "/lock", Map.of("q", "victim@lock"));

    assertThat(victimWeb.get("/account").body()).as("the session ended").contains("Sign in");
    WebClient again = new WebClient(port);
    WebClient.Page refused = again.submit("/login", "/login", Map.of("email", "victim@lock.test", "password", Fixtures.PASSWORD));
    assertThat(refused.status()).isEqualTo(401);
    assertThat(refused.body()).contains("locked by the operator");
    assertThat(again.submit("/login", "/login", Map.of("email", "victim@lock.test", "password", "not the password")).body())
        .as("a stranger without the password learns nothing").contains(SignIn.BAD_CREDENTIALS);
    assertThat(ops.get("/operator/users?q=victim@lock").body()).contains("locked").contains("Unlock");
    assertThat(ops.get("/operator/audit?action=user.").body()).contains(">user.locked<").contains("victim@lock.test");

    ops.post("/operator/users/" + victim.id() + "/unlock", Map.of());
    assertThat(new WebClient(port).submit("/login", "/login", Map.of("email", "victim@lock.test", "password", Fixtures.PASSWORD))
        .locationPath()).isEqualTo("/dashboard");
    assertThat(ops.get("/operator/audit?action=user.").body()).contains(">user.unlocked<");
  }

  @Test
  void the_operator_cannot_lock_their_own_account() {
    HeraldUser ops = fixtures.operator("self@lock.test");
    WebClient web = signedInOver("self@lock.test");
    web.get("/operator/users");
    WebClient.Page back = web.post("/operator/users/" + ops.id() + "/lock", Map.of());
    assertThat(web.get(back.locationPath()).body()).contains("You cannot lock your own account.");
    assertThat(jdbc.sql("select operator_locked_at is null from app_user where id = ?").param(ops.id()).query(Boolean.class).single())
        .isTrue();
  }

  @Test
  void the_api_lists_people_with_search_and_paging_and_locks_and_unlocks() throws Exception {
    HeraldUser ops = fixtures.operator("ops@api-users.test");
    for (int i = 0; i < 3; i++) fixtures.person("paged" + i + "@api-users.test");

    MockHttpServletResponse first = mvc.perform(get("/api/v1/operator/users?q=paged&size=2").with(signedIn(ops))).andReturn().getResponse();
    assertThat(first.getStatus()).isEqualTo(200);
    JsonNode page = json.readTree(first.getContentAsString());
    assertThat(page.get("total").asLong()).isEqualTo(3);
    assertThat(page.get("items")).hasSize(2);
    assertThat(page.get("items").get(0).get("email").asString()).isEqualTo("paged2@api-users.test");
    assertThat(first.getContentAsString()).doesNotContain("passwordHash").doesNotContain("totpSecret");
    JsonNode second = json.readTree(mvc.perform(get("/api/v1/operator/users?q=paged&size=2&page=1").with(signedIn(ops)))
        .andReturn().getResponse().getContentAsString());
    assertThat(second.get("items")).hasSize(1);
    assertThat(mvc.perform(get("/api/v1/operator/users?size=5000").with(signedIn(ops))).andReturn().getResponse().getStatus())
        .isEqualTo(422);

    long target = page.get("items").get(0).get("id").asLong();
    MockHttpServletResponse locked = mvc.perform(post("/api/v1/operator/users/" + target + "/lock").with(signedIn(ops)).with(csrf()))
        .andReturn().getResponse();
    assertThat(locked.getStatus()).isEqualTo(200);
    assertThat(json.readTree(locked.getContentAsString()).get("locked").asBoolean()).isTrue();
    MockHttpServletResponse unlocked = mvc.perform(post("/api/v1/operator/users/" + target + "/unlock").with(signedIn(ops)).with(csrf()))
        .andReturn().getResponse();
    assertThat(json.readTree(unlocked.getContentAsString()).get("locked").asBoolean()).isFalse();
    assertThat(mvc.perform(post("/api/v1/operator/users/999999/lock").with(signedIn(ops)).with(csrf())).andReturn().getResponse()
        .getStatus()).isEqualTo(404);

    HeraldUser notOperator = fixtures.person("plain@api-users.test");
    assertThat(mvc.perform(post("/api/v1/operator/users/" + target + "/lock").with(signedIn(notOperator)).with(csrf())).andReturn()
        .getResponse().getStatus()).isEqualTo(403);
  }

  @Test
  @Tag("browser")
  void the_operators_people_page_in_a_browser_searches_locks_and_unlocks() throws Exception {
    fixtures.operator("ops@browser-users.test");
    fixtures.person("someone@browser-users.test");
    try (Browser web = Browser.start(port)) {
      web.signIn("ops@browser-users.test", Fixtures.PASSWORD);
      web.open("/operator");
      web.visible(By.xpath("//nav[contains(@class,'sub-nav')]/a[normalize-space()='People']")).click();
      web.waitForPath("/operator/users");
      assertThat(web.heading()).isEqualTo("People");
      web.fill("q", "someone@browser");
      web.submit("Search");
      web.until(d -> d.findElements(By.cssSelector("td.email")).size() == 1);
      assertThat(web.visible(By.cssSelector("td.email")).getText()).isEqualTo("someone@browser-users.test");
      web.submit("Lock");
      assertThat(web.notice()).contains("someone@browser-users.test is locked");
      assertThat(web.visible(By.cssSelector("td.status")).getText()).contains("locked");
      web.submit("Unlock");
      assertThat(web.notice()).contains("is unlocked");
      assertThat(web.visible(By.cssSelector("td.status")).getText()).contains("active");
    }
  }
}
