package dev.herald.tenancy;

import static dev.herald.tenancy.Fixtures.signedIn;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.testsupport.WebClient;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.MvcResult;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The operator's organizations: the list with its counts, suspending (members, API keys and hosted
 * pages refused, with the reason), resuming, and deleting with the slug typed to confirm.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc
@Import(Fixtures.class)
class OperatorOrganizationsTest {
  static final String REASON = "Unpaid invoice 2026-07 – please pay or write to billing";
  @LocalServerPort int port;
  @Autowired MockMvc mvc;
  @Autowired Fixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired dev.herald.audiences.DoubleOptIn doubleOptIn;
  @Autowired ObjectMapper json;
  @Autowired SubscriberCounts subscriberCounts;

  static int counter;
  HeraldUser operator;
  HeraldUser owner;
  Organizations.Organization acme;
  /** The public id of its hosted form. */
  String publicList;

  @BeforeEach
  void organization() {
    counter++;
    operator = fixtures.operator("op" + counter + "@operator.test");
    owner = fixtures.person("owner" + counter + "@acme.test");
    acme = fixtures.organization("Acme " + counter, owner);
    publicList = jdbc.sql("""
        insert into mailing_list (organization_id, name, visibility, optin) values (?, 'News', 'public', 'single') returning public_id""")
        .param(acme.id()).query(String.class).single();
  }

  MockHttpServletResponse call(MockHttpServletRequestBuilder request) throws Exception {
    return mvc.perform(request).andReturn().getResponse();
  }

  MvcResult asOperator(String path, Map<String, String> form) throws Exception {
    MockHttpServletRequestBuilder request = post(path).with(signedIn(operator)).with(csrf());
    form.forEach(request::param);
    return mvc.perform(request).andReturn();
  }

  String listPage(String q, int page) throws Exception {
    MockHttpServletResponse r = call(get("/operator/organizations").param("q", q).param("page", Integer.toString(page))
        .with(signedIn(operator)));
    assertThat(r.getStatus()).isEqualTo(200);
    return r.getContentAsString();
  }

  static java.util.List<String> errorKeys(MvcResult r) {
    Object errors = r.getFlashMap().get("errors");
    return errors instanceof Map<?, ?> m ? m.keySet().stream().map(Object::toString).toList() : java.util.List.of();
  }

  boolean suspended(long orgId) {
    return jdbc.sql("select suspended_at is not null from organization where id = ?").param(orgId).query(Boolean.class).single();
  }

  long count(String table, long orgId) {
    return jdbc.sql("select count(*) from " + table + " where organization_id = ?").param(orgId).query(Long.class).single();
  }

  String auditDetail(Long orgId, String action) {
    return jdbc.sql("""
        select coalesce(string_agg(detail, ' | '), '') from audit_event
        where organization_id is not distinct from ? and action = ? and object_id = ?""")
        .params(orgId, action, Long.toString(acme.id())).query(String.class).single();
  }

  /** Subscribers are audiences' table: a page of the list asks audiences' port once for all its rows, never once per row. */
  @Test
  void a_page_of_the_list_asks_for_its_subscriber_counts_once() {
    Organizations.Organization other = fixtures.organization("Other " + counter, owner);
    jdbc.sql("""
        insert into subscriber (organization_id, email, email_key)
        select case when g <= 3 then ? else ? end, 'c' || g || '@example.com', 'c' || g || '@example.com'
        from generate_series(1, 5) g""").params(acme.id(), other.id()).update();
    java.util.List<java.util.List<Long>> asked = new java.util.ArrayList<>();
    Organizations counting = new Organizations(jdbc, ids -> {
      asked.add(java.util.List.copyOf(ids));
      return subscriberCounts.byOrganization(ids);
    });

    Organizations.ListPage page = counting.search("", 0, 50);

    assertThat(asked).containsExactly(page.items().stream().map(Organizations.Listed::id).toList());
    assertThat(page.items()).filteredOn(o -> o.id() == acme.id()).singleElement().extracting(Organizations.Listed::subscribers)
        .isEqualTo(3L);
    assertThat(page.items()).filteredOn(o -> o.id() == other.id()).singleElement().extracting(Organizations.Listed::subscribers)
        .isEqualTo(2L);
    assertThat(page.items()).filteredOn(o -> o.id() != acme.id() && o.id() != other.id())
        .allSatisfy(o -> assertThat(o.subscribers()).isZero());
  }

  @Test
  void the_list_is_newest_first_searchable_paged_and_shows_counts() throws Exception {
    fixtures.member(acme, "member" + counter + "@acme.test", Role.member);
    jdbc.sql("""
        insert into subscriber (organization_id, email, email_key)
        select ?, 's' || g || '@example.com', 's' || g || '@example.com' from generate_series(1, 3) g""").param(acme.id()).update();
    jdbc.sql("""
        insert into organization (slug, name, created_at)
        select 'bulk-' || g, 'Bulk ' || g, now() - interval '1 day' - g * interval '1 minute' from generate_series(1, 55) g""").update();
    long total = jdbc.sql("select count(*) from organization").query(Long.class).single();

    String first = listPage("", 0);
    assertThat(Pattern.compile("id=\"organization-").matcher(first).results().count()).isEqualTo(50);
    assertThat(first).contains("Page 1 of " + ((total + 49) / 50) + " · " + total + " organizations");
    // Acme is the newest; its counts come with the page.
    assertThat(first.indexOf("id=\"organization-" + acme.id() + "\"")).isLessThan(first.indexOf("Bulk 1<"));
    assertThat(first).containsPattern(Pattern.compile("id=\"organization-" + acme.id()
        + "\".*?class=\"members\">2<.*?class=\"subscribers\">3<.*?active", Pattern.DOTALL));
    String second = listPage("", 1);
    assertThat(Pattern.compile("id=\"organization-").matcher(second).results().count()).isEqualTo(total - 50);
    assertThat(second).contains("Bulk 55<");

    String byName = listPage("ACME " + counter, 0);
    assertThat(byName).contains("id=\"organization-" + acme.id() + "\"").doesNotContain("Bulk ");
    String bySlug = listPage("bulk-7", 0);
    assertThat(Pattern.compile("id=\"organization-").matcher(bySlug).results().count()).isEqualTo(1);
    assertThat(listPage("%", 0)).contains("No organizations match.");
    // and the operator's overview links to it
    assertThat(call(get("/operator").with(signedIn(operator))).getContentAsString()).contains("href=\"/operator/organizations\"");
  }

  @Test
  void a_suspension_needs_a_reason_of_one_line() throws Exception {
    for (String bad : new String[] {"", "   ", "late\u0007payment", "two\nlines", "x".repeat(501)}) {
      MvcResult r = asOperator("/operator/organizations/" + acme.id() + "/suspend", Map.of("reason", bad));
      assertThat(r.getResponse().getStatus()).isEqualTo(302);
      assertThat(errorKeys(r)).contains("reason-" + acme.id());
      assertThat(suspended(acme.id())).isFalse();
    }
    assertThat(asOperator("/operator/organizations/999999/suspend", Map.of("reason", "x")).getResponse().getStatus()).isEqualTo(404);

    // The error shows beside the field on the page the operator is sent back to.
    WebClient web = new WebClient(port);
    web.submit("/login", "/login", Map.of("email", operator.email(), "password", Fixtures.PASSWORD));
    web.get("/operator/organizations");
    WebClient.Page back = web.post("/operator/organizations/" + acme.id() + "/suspend", Map.of("reason", " "));
    WebClient.Page page = web.getHtml(back.locationPath());
    assertThat(page.body()).contains("id=\"reason-" + acme.id() + "-error\"").contains("Give a reason of 1 to 500 characters");
    assertThat(suspended(acme.id())).isFalse();
  }

  @Test
  void a_suspended_organization_is_refused_everywhere_with_the_reason_until_resumed() throws Exception {
    String key = fixtures.apiKey(acme, "lists:read").secret();
    WebClient member = new WebClient(port);
    member.submit("/login", "/login", Map.of("email", owner.email(), "password", Fixtures.PASSWORD));
    HeraldUser stranger = fixtures.person("stranger" + counter + "@other.test");
    String panel = "/o/" + acme.slug() + "/lists";
    String api = "/api/v1/orgs/" + acme.slug() + "/lists";

    assertThat(member.getHtml(panel).status()).isEqualTo(200);
    assertThat(call(get(api).header("Authorization", "Bearer " + key)).getStatus()).isEqualTo(200);
    assertThat(call(get("/api/v1/orgs/" + acme.slug()).with(signedIn(owner))).getStatus()).isEqualTo(200);
    assertThat(new WebClient(port).getHtml("/p/subscribe/" + publicList).status()).isEqualTo(200);

    MvcResult suspend = asOperator("/operator/organizations/" + acme.id() + "/suspend", Map.of("reason", "  " + REASON + " "));
    assertThat(suspend.getResponse().getStatus()).isEqualTo(302);
    assertThat(suspended(acme.id())).isTrue();

    // panel pages: a readable 403 with the reason as written and who to contact
    WebClient.Page refused = member.getHtml(panel);
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.body()).contains("Organization suspended").contains(REASON).contains("Contact the operator");
    assertThat(member.getHtml("/o/" + acme.slug()).status()).isEqualTo(403);
    // the switcher and dashboard still list it, marked
    WebClient.Page dashboard = member.getHtml("/dashboard");
    assertThat(dashboard.status()).isEqualTo(200);
    assertThat(dashboard.body()).contains(acme.name()).contains("suspended by the operator");
    // API by key and by session: problem+json saying why
    MockHttpServletResponse byKey = call(get(api).header("Authorization", "Bearer " + key));
    assertThat(byKey.getStatus()).isEqualTo(403);
    assertThat(byKey.getContentType()).startsWith("application/problem+json");
    JsonNode problem = json.readTree(byKey.getContentAsByteArray());
    assertThat(problem.get("detail").asString()).contains("is suspended").contains(REASON);
    MockHttpServletResponse bySession = call(get("/api/v1/orgs/" + acme.slug()).with(signedIn(owner)));
    assertThat(bySession.getStatus()).isEqualTo(403);
    assertThat(bySession.getContentAsString()).contains("is suspended");
    // someone who is not a member learns nothing about it
    MockHttpServletResponse strangers = call(get(api).with(signedIn(stranger)));
    assertThat(strangers.getStatus()).isEqualTo(403);
    assertThat(strangers.getContentAsString()).doesNotContain("suspended");
    // hosted pages are gone
    WebClient visitor = new WebClient(port);
    assertThat(visitor.getHtml("/p/subscribe/" + publicList).status()).isEqualTo(404);
    assertThat(visitor.post("/p/subscribe/" + publicList, Map.of("email", "new@example.com", "consent", "true")).status())
        .isEqualTo(404);
    assertThat(count("subscriber", acme.id())).isZero();
    // but its subscribers can still reach the preference centre (to unsubscribe) from a mail they got earlier
    long reader = jdbc.sql("insert into subscriber (organization_id, email, email_key) values (?, 'reader@example.com',"
        + " 'reader@example.com') returning id").param(acme.id()).query(Long.class).single();
    String preferences = doubleOptIn.preferencesLink(acme.id(), reader).replaceFirst("^https?://[^/]+", "");
    assertThat(visitor.getHtml(preferences).status()).isEqualTo(200);
    jdbc.sql("delete from subscriber where id = ?").param(reader).update();
    // the operator still sees it, with the reason
    assertThat(listPage("", 0)).containsPattern(Pattern.compile("id=\"organization-" + acme.id() + "\".*?suspended.*?"
        + Pattern.quote(REASON), Pattern.DOTALL));
    assertThat(auditDetail(acme.id(), "organization.suspended")).isEqualTo(REASON);
    assertThat(auditDetail(null, "organization.suspended")).contains(acme.slug()).contains(REASON);

    assertThat(asOperator("/operator/organizations/" + acme.id() + "/resume", Map.of()).getResponse().getStatus()).isEqualTo(302);
    assertThat(suspended(acme.id())).isFalse();
    assertThat(member.getHtml(panel).status()).isEqualTo(200);
    assertThat(call(get(api).header("Authorization", "Bearer " + key)).getStatus()).isEqualTo(200);
    assertThat(call(get("/api/v1/orgs/" + acme.slug()).with(signedIn(owner))).getStatus()).isEqualTo(200);
    assertThat(visitor.getHtml("/p/subscribe/" + publicList).status()).isEqualTo(200);
    assertThat(member.getHtml("/dashboard").body()).doesNotContain("suspended by the operator");
    assertThat(auditDetail(acme.id(), "organization.resumed")).contains(REASON);
    assertThat(auditDetail(null, "organization.resumed")).contains(acme.slug());
  }

  @Test
  void deleting_needs_the_slug_and_removes_the_organization_and_all_its_data_but_not_the_people() throws Exception {
    HeraldUser member = fixtures.member(acme, "member" + counter + "@acme.test", Role.admin);
    String key = fixtures.apiKey(acme, "suppressions:write", "lists:write").secret();
    // a sign-up through the hosted form: subscriber, subscription, consent record and consent text
    assertThat(new WebClient(port).post("/p/subscribe/" + publicList,
        Map.of("email", "reader@example.com", "name", "Reader", "consent", "true")).status()).isEqualTo(200);
    assertThat(call(post("/api/v1/orgs/" + acme.slug() + "/suppressions").header("Authorization", "Bearer " + key)
        .contentType("application/json").content("{\"entries\":[{\"address\":\"gone@example.com\"}]}")).getStatus()).isEqualTo(200);
    assertThat(count("subscriber", acme.id())).isEqualTo(1);
    assertThat(count("consent_record", acme.id())).isEqualTo(1);
    assertThat(count("suppression", acme.id())).isEqualTo(1);

    MvcResult wrong = asOperator("/operator/organizations/" + acme.id() + "/delete", Map.of("confirm", acme.slug() + "x"));
    assertThat(wrong.getResponse().getStatus()).isEqualTo(302);
    assertThat(errorKeys(wrong)).contains("confirm-" + acme.id());
    assertThat(count("mailing_list", acme.id())).isEqualTo(1);
    assertThat(jdbc.sql("select count(*) from organization where id = ?").param(acme.id()).query(Long.class).single()).isEqualTo(1);

    MvcResult done = asOperator("/operator/organizations/" + acme.id() + "/delete", Map.of("confirm", acme.slug()));
    assertThat(done.getResponse().getStatus()).isEqualTo(302);
    assertThat(jdbc.sql("select count(*) from organization where id = ?").param(acme.id()).query(Long.class).single()).isZero();
    for (String table : new String[] {"membership", "api_key", "mailing_list", "subscriber", "consent_record", "consent_text",
        "suppression", "audit_event", "user_group", "invitation", "segment", "import_job", "custom_field"}) {
      assertThat(count(table, acme.id())).as(table).isZero();
    }
    assertThat(jdbc.sql("select count(*) from app_user where id in (?, ?)").params(owner.id(), member.id()).query(Long.class).single())
        .isEqualTo(2);
    assertThat(auditDetail(null, "organization.deleted")).contains(acme.name()).contains(acme.slug());
    assertThat(call(get("/api/v1/orgs/" + acme.slug() + "/lists").header("Authorization", "Bearer " + key)).getStatus()).isEqualTo(401);
    assertThat(asOperator("/operator/organizations/" + acme.id() + "/delete", Map.of("confirm", acme.slug())).getResponse().getStatus())
        .isEqualTo(404);
  }

  @Test
  void only_the_operator_may_list_suspend_resume_or_delete() throws Exception {
    String base = "/operator/organizations/" + acme.id();
    assertThat(call(get("/operator/organizations").with(signedIn(owner))).getStatus()).isEqualTo(403);
    assertThat(call(post(base + "/suspend").param("reason", "mine").with(signedIn(owner)).with(csrf())).getStatus()).isEqualTo(403);
    assertThat(suspended(acme.id())).isFalse();
    jdbc.sql("update organization set suspended_at = now(), suspended_reason = 'x' where id = ?").param(acme.id()).update();
    assertThat(call(post(base + "/resume").with(signedIn(owner)).with(csrf())).getStatus()).isEqualTo(403);
    assertThat(suspended(acme.id())).isTrue();
    assertThat(call(post(base + "/delete").param("confirm", acme.slug()).with(signedIn(owner)).with(csrf())).getStatus())
        .isEqualTo(403);
    String key = fixtures.apiKey(acme, "lists:write").secret();
    assertThat(call(post(base + "/delete").param("confirm", acme.slug()).header("Authorization", "Bearer " + key)).getStatus())
        .isEqualTo(401); // API keys are refused on every page outside /api/ (issue 9)
    assertThat(jdbc.sql("select count(*) from organization where id = ?").param(acme.id()).query(Long.class).single()).isEqualTo(1);
  }
}
