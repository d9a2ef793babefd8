package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.mail.AddressDigest;
import dev.herald.tenancy.TestOrganizations;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Audiences through the suppression port: imports, API subscriptions and bulk "add to list" never add
 * a suppressed address (this organization's entry, the installation's, a whole domain, an erased
 * person's hash), while the person's own sign-up on a hosted form still works; and erasure itself.
 */
@SpringBootTest(properties = "herald.imports.poll=PT0.1S")
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class SuppressionScreeningTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;
  @Autowired ImportMerge merge;
  @Autowired Subscribers subscribers;
  @Autowired SuppressionScreen screen;

  TestOrganizations.Created org;
  long listId;
  static int counter;

  @BeforeEach
  void organization() {
    org = organizations.create("Screen Co " + (++counter), "lists:read", "lists:write", "privacy");
    listId = jdbc.sql("insert into mailing_list (organization_id, name, visibility, optin) values (?, 'News', 'public', 'single') returning id")
        .param(org.id()).query(Long.class).single();
  }

  void suppressAddress(Long orgId, String key, String reason) {
    jdbc.sql("insert into suppression (organization_id, address, address_hash, reason, source) values (?, ?, sha256(convert_to(?, 'UTF8')), ?, 'test')")
        .params(orgId, key, key, reason).update();
  }

  void suppressDomain(Long orgId, String domain) {
    jdbc.sql("insert into suppression (organization_id, domain, reason, source) values (?, ?, 'manual', 'test')").params(orgId, domain).update();
  }

  @Test
  void an_import_sets_aside_suppressed_addresses_domains_and_installation_wide_entries_with_their_lines() throws Exception {
    suppressAddress(org.id(), "complainer@example.com", "complaint");
    suppressDomain(org.id(), "blocked.example");
    suppressAddress(null, "everywhere@example.com", "hard_bounce");
    long other = organizations.create("Other Co " + counter, "lists:read").id();
    suppressAddress(other, "fine@example.com", "manual");
    String csv = """
        email,name
        Complainer@Example.com,One
        someone@BLOCKED.example,Two
        everywhere@example.com,Three
        fine@example.com,Four
        plain@example.com,Five
        """;
    JsonNode job = importCsv(csv, Map.of());
    assertThat(job.get("status").asString()).isEqualTo("finished");
    Map<Long, String> errors = errors(job);
    assertThat(errors).containsOnlyKeys(2L, 3L, 4L);
    assertThat(errors.get(2L)).contains("complaint");
    assertThat(errors.get(3L)).contains("blocked.example");
    assertThat(errors.get(4L)).contains("installation");
    assertThat(emailsOnList()).containsExactly("fine@example.com", "plain@example.com");
  }

  @Test
  void an_import_as_unsubscribed_still_records_suppressed_people_leaving() throws Exception {
    suppressAddress(org.id(), "gone@example.com", "unsubscribe");
    JsonNode job = importCsv("email\ngone@example.com\n", Map.of("importAs", "unsubscribed"));
    assertThat(errors(job)).isEmpty();
    assertThat(jdbc.sql("select x.status from subscription x join subscriber s on s.id = x.subscriber_id where s.email = 'gone@example.com'")
        .query(String.class).single()).isEqualTo("unsubscribed");
  }

  @Test
  void an_expired_suppression_no_longer_screens() throws Exception {
    jdbc.sql("""
        insert into suppression (organization_id, address, address_hash, reason, source, expires_at)
        values (?, 'back@example.com', sha256(convert_to('back@example.com', 'UTF8')), 'manual', 'test', now() - interval '1 day')""")
        .param(org.id()).update();
    assertThat(errors(importCsv("email\nback@example.com\n", Map.of()))).isEmpty();
    assertThat(emailsOnList()).containsExactly("back@example.com");
  }

  @Test
  void the_api_refuses_to_subscribe_a_suppressed_address_but_records_an_unsubscription() throws Exception {
    suppressDomain(org.id(), "blocked.example");
    MockHttpServletResponse refused = api(post("/api/v1/orgs/" + org.slug() + "/subscribers"),
        Map.of("email", "x@blocked.example", "lists", List.of(listId), "consent", Map.of("basis", "contract")));
    assertThat(refused.getStatus()).isEqualTo(422);
    JsonNode problem = json.readTree(refused.getContentAsString());
    assertThat(problem.get("errors").get(0).get("field").asString()).isEqualTo("email");
    assertThat(problem.get("errors").get(0).get("message").asString()).contains("blocked.example");
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ?").param(org.id()).query(Long.class).single())
        .as("the refused call left nothing behind").isZero();

    MockHttpServletResponse bulk = api(post("/api/v1/orgs/" + org.slug() + "/subscribers/bulk"), List.of(
        Map.of("email", "ok@example.com", "lists", List.of(listId)), Map.of("email", "y@blocked.example", "lists", List.of(listId))));
    assertThat(bulk.getStatus()).isEqualTo(422);
    assertThat(json.readTree(bulk.getContentAsString()).get("errors").get(0).get("field").asString()).isEqualTo("[1].email");

    MockHttpServletResponse unsubscribed = api(post("/api/v1/orgs/" + org.slug() + "/subscribers"),
        Map.of("email", "z@blocked.example", "lists", List.of(listId), "status", "unsubscribed"));
    assertThat(unsubscribed.getStatus()).isEqualTo(201);
  }

  @Test
  void bulk_add_to_list_skips_suppressed_subscribers() throws Exception {
    long kept = subscribers.upsert(org.id(), new Subscribers.Input("kept@example.com", null, null, null), "test");
    long blocked = subscribers.upsert(org.id(), new Subscribers.Input("blocked@example.com", null, null, null), "test");
    suppressAddress(org.id(), "blocked@example.com", "manual");
    MockHttpServletResponse r = api(post("/api/v1/orgs/" + org.slug() + "/subscribers/bulk-actions"),
        Map.of("action", "add_to_list", "subscriberIds", List.of(kept, blocked), "listId", listId, "basis", "asked at the counter"));
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(200);
    assertThat(json.readTree(r.getContentAsString()).get("affected").asLong()).isEqualTo(1);
    assertThat(emailsOnList()).containsExactly("kept@example.com");
  }

  @Test
  void erasure_deletes_the_person_keeps_only_a_hash_and_no_import_adds_them_back() throws Exception {
    JsonNode first = importCsv("email,name\nada@example.com,Ada\nada@example.com,Ada again\nbob@example.com,Bob\n", Map.of());
    assertThat(errors(first)).containsKey(3L);
    long ada = jdbc.sql("select id from subscriber where organization_id = ? and email = 'ada@example.com'").param(org.id())
        .query(Long.class).single();

    MockHttpServletResponse erased = api(post("/api/v1/orgs/" + org.slug() + "/subscribers/ada@example.com/erasure"), Map.of());
    assertThat(erased.getStatus()).as(erased.getContentAsString()).isEqualTo(204);

    assertThat(jdbc.sql("select count(*) from subscriber where id = ?").param(ada).query(Long.class).single()).isZero();
    assertThat(jdbc.sql("select count(*) from consent_record where subscriber_id = ?").param(ada).query(Long.class).single()).isZero();
    assertThat(jdbc.sql("select count(*) from import_error where value ilike '%ada@%'").query(Long.class).single())
        .as("the set-aside duplicate row of her address is gone too").isZero();
    var trace = jdbc.sql("select address, encode(address_hash, 'hex'), reason from suppression where organization_id = ?").param(org.id())
        .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3)}).single();
    assertThat(trace[0]).isNull();
    assertThat(trace[1]).as("the keyed hash, not the plain SHA-256 anyone could compute").isNotEqualTo(AddressDigest.hex("ada@example.com"))
        .isEqualTo(screen.rememberErased(org.id(), "ada@example.com"));
    assertThat(trace[2]).isEqualTo("erased");
    assertThat(jdbc.sql("select count(*) from audit_event where action = 'subscriber.erased' and coalesce(detail, '') not like '%ada%'")
        .query(Long.class).single()).isEqualTo(1);

    JsonNode again = importCsv("email\nADA@example.com\ncarl@example.com\n", Map.of());
    assertThat(errors(again).get(2L)).contains("erased");
    assertThat(emailsOnList()).containsExactly("bob@example.com", "carl@example.com");
  }

  @Test
  void an_erased_person_may_come_back_on_the_hosted_form_only_by_confirming_which_lifts_the_erasure() throws Exception {
    long id = subscribers.upsert(org.id(), new Subscribers.Input("eve@example.com", null, null, null), "test");
    assertThat(subscribers.erase(org.id(), id)).isTrue();
    MockHttpServletResponse form = formSignUp("eve@example.com");
    assertThat(form.getStatus()).as(form.getContentAsString()).isEqualTo(200);
    assertThat(status("eve@example.com")).as("a single opt-in list, but an erased address must confirm").isEqualTo("unconfirmed");
    ConfirmationMails.settle(jdbc);
    String mail = jdbc.sql("select body_text from sandbox_message where recipient = 'eve@example.com'").query(String.class).single();
    java.util.regex.Matcher token = java.util.regex.Pattern.compile("/p/confirm\\?token=([A-Za-z0-9_.-]+)").matcher(mail);
    assertThat(token.find()).isTrue();
    assertThat(mvc.perform(post("/p/confirm").param("token", token.group(1))).andReturn().getResponse().getStatus()).isEqualTo(200);
    assertThat(status("eve@example.com")).isEqualTo("subscribed");
    assertThat(jdbc.sql("select count(*) from suppression where organization_id = ?").param(org.id()).query(Long.class).single())
        .as("her confirmed consent lifted her own erasure entry").isZero();
  }

  @Test
  void a_complained_or_bounced_address_signed_up_on_the_hosted_form_is_quietly_not_stored() throws Exception {
    suppressAddress(org.id(), "angry@example.com", "complaint");
    suppressAddress(null, "gone@example.com", "hard_bounce");
    for (String email : List.of("angry@example.com", "gone@example.com")) {
      MockHttpServletResponse form = formSignUp(email);
      assertThat(form.getStatus()).as("the same answer as a sign-up waiting for confirmation").isEqualTo(200);
      assertThat(form.getContentAsString()).doesNotContain("complain").doesNotContain("bounce").doesNotContain("suppress");
      assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ? and email = ?").params(org.id(), email)
          .query(Long.class).single()).as("nothing stored for " + email).isZero();
      ConfirmationMails.settle(jdbc);
      assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = ?").param(email).query(Long.class).single())
          .as("no mail to " + email).isZero();
    }
    assertThat(jdbc.sql("select count(*) from suppression where organization_id = ?").param(org.id()).query(Long.class).single())
        .as("the complaint stays").isEqualTo(1);
  }

  @Test
  void an_import_that_only_records_people_leaving_still_never_brings_back_an_erased_person() throws Exception {
    long id = subscribers.upsert(org.id(), new Subscribers.Input("ida@example.com", "Ida", null, null), "test");
    subscribers.erase(org.id(), id);
    JsonNode job = importCsv("email,name\nida@example.com,Ida\nleft@example.com,Left\n", Map.of("importAs", "unsubscribed"));
    assertThat(errors(job).get(2L)).contains("erased");
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ? and email = 'ida@example.com'").param(org.id())
        .query(Long.class).single()).isZero();
    assertThat(status("left@example.com")).isEqualTo("unsubscribed");
  }

  MockHttpServletResponse formSignUp(String email) throws Exception {
    String publicId = jdbc.sql("select public_id from mailing_list where id = ?").param(listId).query(String.class).single();
    return mvc.perform(post("/p/subscribe/" + publicId).param("email", email).param("consent", "true").accept(MediaType.TEXT_HTML))
        .andReturn().getResponse();
  }

  String status(String email) {
    return jdbc.sql("select x.status from subscription x join subscriber s on s.id = x.subscriber_id where s.email = ? and x.list_id = ?")
        .params(email, listId).query(String.class).optional().orElse("none");
  }

  @Test
  void the_panel_erases_only_with_confirmation_and_only_for_privacy_writers() throws Exception {
    long id = subscribers.upsert(org.id(), new Subscribers.Input("pat@example.com", null, null, null), "test");
    String path = "/o/" + org.slug() + "/subscribers/" + id;
    String page = mvc.perform(get(path).with(organizations.asOwner(org))).andReturn().getResponse().getContentAsString();
    assertThat(page).contains("Erase person");

    MockHttpServletResponse unconfirmed = mvc.perform(post(path + "/erase").with(csrf()).with(organizations.asOwner(org)))
        .andReturn().getResponse();
    assertThat(unconfirmed.getRedirectedUrl()).isEqualTo(path + "#erase-heading");
    assertThat(subscribers.find(org.id(), id)).isPresent();

    MockHttpServletResponse done = mvc.perform(post(path + "/erase").param("confirm", "true").with(csrf())
        .with(organizations.asOwner(org))).andReturn().getResponse();
    assertThat(done.getRedirectedUrl()).isEqualTo("/o/" + org.slug() + "/subscribers");
    assertThat(subscribers.find(org.id(), id)).isEmpty();

    MockHttpServletResponse gone = mvc.perform(post(path + "/erase").param("confirm", "true").with(csrf())
        .with(organizations.asOwner(org))).andReturn().getResponse();
    assertThat(gone.getStatus()).isEqualTo(404);
  }

  @Test
  void a_key_without_the_privacy_scope_cannot_erase() throws Exception {
    TestOrganizations.Created narrow = organizations.create("Narrow Co " + counter, "lists:read", "lists:write");
    subscribers.upsert(narrow.id(), new Subscribers.Input("kim@example.com", null, null, null), "test");
    MockHttpServletResponse r = mvc.perform(post("/api/v1/orgs/" + narrow.slug() + "/subscribers/kim@example.com/erasure")
        .header("Authorization", "Bearer " + narrow.apiKey())).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(403);
    assertThat(subscribers.findByEmail(narrow.id(), "kim@example.com")).isPresent();
  }

  /** Regression: the first screening joined import_row to itself and the planner chose a nested loop over a million rows. */
  @Test
  void the_import_screening_reads_the_unanalyzed_staging_table_once_without_a_nested_loop() {
    long job = 987_654;
    jdbc.sql("""
        insert into import_row (job_id, line, email, email_key, smtputf8, attributes, tags)
        select ?, i, 'p' || i || '@example.com', 'p' || i || '@example.com', false, '{}', '{}' from generate_series(2, 50001) i""")
        .param(job).update();
    try {
      ImportMerge.Statement screening = merge.suppressionScreening(org.id(), Map.of("job", job, "importAs", "subscribed"));
      String plan = String.join("\n", jdbc.sql("explain " + screening.sql()).params(screening.params()).query(String.class).list());
      assertThat(plan).doesNotContain("Nested Loop");
      assertThat(java.util.regex.Pattern.compile("Scan (using \\S+ )?on import_row\\b").matcher(plan).results().count())
          .as("import_row is scanned once:%n%s", plan).isEqualTo(1);
      assertThat(plan).contains("suppression_address_uq").contains("suppression_domain_uq");
    } finally {
      jdbc.sql("delete from import_row where job_id = ?").param(job).update();
    }
  }

  /** Regression: the merge bound the screening fragments' parameters after its own, so a name both used was silently overwritten. */
  @Test
  void the_import_screening_refuses_a_parameter_name_the_merge_and_a_fragment_share() {
    String fragments = merge.suppressionScreening(org.id(), Map.of()).params().keySet().iterator().next();
    assertThatThrownBy(() -> merge.suppressionScreening(org.id(), Map.of("job", 1L, fragments, "the merge's")))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(fragments);
  }

  // ---- helpers -------------------------------------------------------------------------------

  MockHttpServletResponse api(org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request, Object body)
      throws Exception {
    return mvc.perform(request.header("Authorization", "Bearer " + org.apiKey()).contentType(MediaType.APPLICATION_JSON)
        .content(json.writeValueAsString(body))).andReturn().getResponse();
  }

  List<String> emailsOnList() {
    return jdbc.sql("""
        select s.email from subscription x join subscriber s on s.id = x.subscriber_id
        where x.list_id = ? and x.status = 'subscribed' order by s.email""").param(listId).query(String.class).list();
  }

  JsonNode importCsv(String csv, Map<String, String> params) throws Exception {
    ImportCalls calls = new ImportCalls(mvc, json, imports, org, listId);
    return calls.finished(calls.upload("people.csv", csv.getBytes(StandardCharsets.UTF_8), params, 202));
  }

  Map<Long, String> errors(JsonNode job) {
    return new ImportCalls(mvc, json, imports, org, listId).errors(job);
  }
}
