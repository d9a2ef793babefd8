package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.platform.Secrets;
import dev.herald.tenancy.TestOrganizations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
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
 * The feedback pages and API as callers use them: mailbox monitors through the API (created, read without their
 * password, changed with and without a new one, polled now, deleted with their secret; bad fields refused by name) and
 * the panel (the same refusals on the form, the password never on a page); recent feedback filtered and paged in both;
 * and the operator's sender alerts: listed with their rates, lifted with an audit entry, the organization's banner
 * shown while paused and gone after. No worker role: nothing polls.
 */
@SpringBootTest(properties = "herald.roles=web")
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class FeedbackWebTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired Secrets secrets;

  static int counter;
  TestOrganizations.Created acme;

  @BeforeEach
  void organization() {
    acme = organizations.create("Feedback Web " + (++counter), "domains:read", "domains:write", "suppressions:read");
  }

  JsonNode send(MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    return send(acme.apiKey(), r, body, expectedStatus);
  }

  JsonNode send(String key, MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    MockHttpServletResponse response = mvc.perform(r.header("Authorization", "Bearer " + key)
        .contentType("application/json").content(body)).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return response.getContentAsString().isEmpty() ? null : json.readTree(response.getContentAsString());
  }

  String api(String path) {
    return "/api/v1/orgs/" + acme.slug() + path;
  }

  static String field(JsonNode problem) {
    return problem.get("errors").get(0).get("field").asString();
  }

  String secretOf(long id) {
    String name = jdbc.sql("select secret_name from feedback_mailbox where id = ?").param(id).query(String.class).single();
    return secrets.get(name).map(b -> new String(b, StandardCharsets.UTF_8)).orElse(null);
  }

  @Test
  void mailbox_monitors_through_the_api_keep_the_password_to_themselves_and_refuse_bad_fields_by_name() throws Exception {
    // Refusals name their field: unknown protocol, bad host, port out of range, POP3 with a folder to move to, no password.
    String good = """
        {"name": "Bounces", "protocol": "imap", "host": "imap.example.net", "tls": "implicit", "username": "bounces",
         "password": "s3cret-pass", "afterProcessing": "move"}""";
    assertThat(field(send(post(api("/feedback-mailboxes")), good.replace("\"imap\"", "\"smtp\""), 422))).isEqualTo("protocol");
    assertThat(field(send(post(api("/feedback-mailboxes")), good.replace("imap.example.net", "imap example.net"), 422))).isEqualTo("host");
    assertThat(field(send(post(api("/feedback-mailboxes")), good.replace("imap.example.net", "-bad-.example"), 422))).isEqualTo("host");
    assertThat(field(send(post(api("/feedback-mailboxes")), good.replace("\"tls\"", "\"port\": 70000, \"tls\""), 422))).isEqualTo("port");
    assertThat(field(send(post(api("/feedback-mailboxes")), good.replace("\"tls\": \"implicit\"", "\"tls\": \"maybe\""), 422)))
        .isEqualTo("tls");
    assertThat(field(send(post(api("/feedback-mailboxes")), good.replace("\"imap\"", "\"pop3\""), 422))).isEqualTo("afterProcessing");
    assertThat(field(send(post(api("/feedback-mailboxes")), good.replace("\"s3cret-pass\"", "\"\""), 422))).isEqualTo("password");
    assertThat(jdbc.sql("select count(*) from feedback_mailbox where organization_id = ?").param(acme.id()).query(Long.class).single()).isZero();

    // Created with the usual port of IMAPS; the password is in Secrets and in no response.
    JsonNode created = send(post(api("/feedback-mailboxes")), good, 201);
    long id = created.get("id").asLong();
    assertThat(created.get("port").asInt()).isEqualTo(993);
    assertThat(created.get("verifyCertificate").asBoolean()).isTrue();
    assertThat(created.toString()).doesNotContain("s3cret-pass").doesNotContain("secret");
    assertThat(secretOf(id)).isEqualTo("s3cret-pass");
    assertThat(field(send(post(api("/feedback-mailboxes")), good, 409))).isEqualTo("name");
    JsonNode listed = send(get(api("/feedback-mailboxes")), "", 200);
    assertThat(listed).hasSize(1);
    assertThat(listed.toString()).doesNotContain("s3cret-pass");
    assertThat(listed.get(0).get("lastPollAt").isNull()).isTrue();
    assertThat(listed.get(0).get("processedTotal").asLong()).isZero();

    // Changed without a password: the stored one stays; with one: replaced. A bad port is refused, nothing changed.
    JsonNode changed = send(put(api("/feedback-mailboxes/" + id)), """
        {"name": "Bounces 2", "protocol": "pop3", "host": "pop.example.net", "port": 1995, "tls": "implicit", "verifyCertificate": false,
         "username": "bounces2"}""", 200);
    assertThat(changed.get("name").asString()).isEqualTo("Bounces 2");
    assertThat(changed.get("afterProcessing").asString()).isEqualTo("delete");
    assertThat(changed.get("verifyCertificate").asBoolean()).isFalse();
    assertThat(secretOf(id)).isEqualTo("s3cret-pass");
    send(put(api("/feedback-mailboxes/" + id)), """
        {"name": "Bounces 2", "protocol": "pop3", "host": "pop.example.net", "tls": "starttls", "username": "bounces2", "password": "n3w"}""", 200);
    assertThat(secretOf(id)).isEqualTo("n3w");
    assertThat(field(send(put(api("/feedback-mailboxes/" + id)), """
        {"name": "Bounces 2", "protocol": "pop3", "host": "pop.example.net", "port": 0, "tls": "starttls", "username": "bounces2"}""",
        422))).isEqualTo("port");
    assertThat(send(get(api("/feedback-mailboxes/" + id)), "", 200).get("port").asInt()).isEqualTo(110);

    // Poll now makes it due at once; delete takes the secret along; another organization's key sees nothing.
    jdbc.sql("update feedback_mailbox set next_poll_at = now() + interval '1 hour' where id = ?").param(id).update();
    send(post(api("/feedback-mailboxes/" + id + "/poll")), "", 202);
    assertThat(jdbc.sql("select next_poll_at <= now() from feedback_mailbox where id = ?").param(id).query(Boolean.class).single()).isTrue();
    TestOrganizations.Created other = organizations.create("Feedback Other " + counter, "domains:read", "domains:write");
    send(other.apiKey(), get("/api/v1/orgs/" + other.slug() + "/feedback-mailboxes/" + id), "", 404);
    send(other.apiKey(), delete("/api/v1/orgs/" + other.slug() + "/feedback-mailboxes/" + id), "", 404);
    String secretName = jdbc.sql("select secret_name from feedback_mailbox where id = ?").param(id).query(String.class).single();
    send(delete(api("/feedback-mailboxes/" + id)), "", 204);
    assertThat(secrets.get(secretName)).isEmpty();
    send(get(api("/feedback-mailboxes/" + id)), "", 404);
  }

  void event(long org, String address, String feedbackClass, String reason, String action, int minutesAgo) {
    jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key,
          status, diagnostic)
        values (?, ?, now() - make_interval(mins => ?), 'smtp', ?, ?, ?, ?, lower(?), '5.1.1', '550 5.1.1 User unknown')""")
        .params(org, "test:" + address + ":" + feedbackClass, minutesAgo, feedbackClass, reason, action, address, address).update();
  }

  List<String> addresses(JsonNode page) {
    List<String> found = new ArrayList<>();
    page.get("items").forEach(e -> found.add(e.get("address").asString()));
    return found;
  }

  @Test
  void recent_feedback_is_filtered_by_class_reason_and_address_and_paged_in_the_api_and_the_panel() throws Exception {
    event(acme.id(), "gone@receiver.example", "hard", "userunknown", "suppressed", 1);
    event(acme.id(), "Angry@Receiver.example", "complaint", "feedback", "suppressed", 2);
    event(acme.id(), "full@other.example", "soft", "mailboxfull", "counted", 3);
    event(acme.id(), "blocked@other.example", "block", "blocked", "recorded", 4);
    TestOrganizations.Created other = organizations.create("Feedback Events Other " + counter, "suppressions:read");
    event(other.id(), "theirs@receiver.example", "hard", "userunknown", "suppressed", 0);

    JsonNode all = send(get(api("/feedback-events")), "", 200);
    assertThat(all.get("total").asLong()).isEqualTo(4);
    assertThat(addresses(all)).containsExactly("gone@receiver.example", "Angry@Receiver.example", "full@other.example",
        "blocked@other.example");
    assertThat(addresses(send(get(api("/feedback-events")).param("class", "complaint"), "", 200))).containsExactly("Angry@Receiver.example");
    assertThat(addresses(send(get(api("/feedback-events")).param("reason", "mailboxfull"), "", 200))).containsExactly("full@other.example");
    assertThat(addresses(send(get(api("/feedback-events")).param("address", "RECEIVER.example"), "", 200)))
        .containsExactly("gone@receiver.example", "Angry@Receiver.example");
    assertThat(addresses(send(get(api("/feedback-events")).param("address", "%"), "", 200))).isEmpty();
    JsonNode second = send(get(api("/feedback-events")).param("size", "3").param("page", "1"), "", 200);
    assertThat(addresses(second)).containsExactly("blocked@other.example");
    assertThat(second.get("total").asLong()).isEqualTo(4);
    assertThat(field(send(get(api("/feedback-events")).param("class", "angry"), "", 422))).isEqualTo("class");
    assertThat(field(send(get(api("/feedback-events")).param("reason", "bored"), "", 422))).isEqualTo("reason");
    assertThat(field(send(get(api("/feedback-events")).param("size", "0"), "", 422))).isEqualTo("size");
    // A key without suppressions:read is refused.
    TestOrganizations.Created narrow = organizations.create("Feedback Narrow " + counter, "domains:read");
    send(narrow.apiKey(), get("/api/v1/orgs/" + narrow.slug() + "/feedback-events"), "", 403);

    RequestPostProcessor owner = organizations.asOwner(acme);
    String page = page(get("/o/" + acme.slug() + "/feedback").param("class", "hard").with(owner));
    assertThat(page).contains("gone@receiver.example").doesNotContain("Angry@Receiver.example").doesNotContain("theirs@receiver.example");
    // Reasons in words, in the table and in the filter's menu; the value a filter sends stays Sisimai's name.
    assertThat(page).contains("<td title=\"userunknown\">Unknown user</td>", "<option value=\"mailboxfull\">Mailbox full</option>");
    String filtered = page(get("/o/" + acme.slug() + "/feedback").param("address", "other.example").param("class", "nonsense").with(owner));
    assertThat(filtered).contains("full@other.example", "blocked@other.example").doesNotContain("gone@receiver.example");
    // The pager keeps the filters.
    for (int i = 0; i < 55; i++) event(acme.id(), "many" + i + "@pager.example", "soft", "mailboxfull", "counted", 10 + i);
    String first = page(get("/o/" + acme.slug() + "/feedback").param("address", "pager.example").with(owner));
    assertThat(first).contains("Page 1 of 2 · 55 reports").contains("address=pager.example");
  }

  String page(MockHttpServletRequestBuilder request) throws Exception {
    MockHttpServletResponse r = mvc.perform(request).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(200);
    return r.getContentAsString();
  }

  @Test
  void the_panel_form_refuses_by_field_and_never_shows_the_password() throws Exception {
    RequestPostProcessor owner = organizations.asOwner(acme);
    String base = "/o/" + acme.slug() + "/feedback/mailboxes";
    MvcResult refused = mvc.perform(post(base).with(owner).with(csrf()).param("name", "Panel box").param("protocol", "imap")
        .param("host", "imap.example.net").param("port", "99999").param("tls", "implicit").param("username", "u")
        .param("password", "panel-pass-123")).andReturn();
    assertThat(refused.getResponse().getRedirectedUrl()).isEqualTo(base + "#new-mailbox");
    @SuppressWarnings("unchecked")
    Map<String, String> errors = (Map<String, String>) refused.getFlashMap().get("errors");
    assertThat(errors).containsKey("port");
    assertThat(String.valueOf(refused.getFlashMap().get("values"))).doesNotContain("panel-pass-123");

    MvcResult refusedProtocol = mvc.perform(post(base).with(owner).with(csrf()).param("name", "Panel box").param("protocol", "nntp")
        .param("host", "imap.example.net").param("tls", "implicit").param("username", "u").param("password", "panel-pass-123")).andReturn();
    assertThat(((Map<?, ?>) refusedProtocol.getFlashMap().get("errors")).containsKey("protocol")).isTrue();

    MvcResult created = mvc.perform(post(base).with(owner).with(csrf()).param("name", "Panel box").param("protocol", "imap")
        .param("host", "imap.example.net").param("tls", "starttls").param("verifyCertificate", "on").param("username", "u")
        .param("password", "panel-pass-123")).andReturn();
    assertThat(created.getResponse().getRedirectedUrl()).startsWith(base + "#mailbox-");
    long id = jdbc.sql("select id from feedback_mailbox where organization_id = ?").param(acme.id()).query(Long.class).single();
    jdbc.sql("update feedback_mailbox set last_poll_at = now(), last_error = 'AuthenticationFailedException: bad login', "
        + "processed_total = 7, last_processed = 2 where id = ?").param(id).update();
    String list = page(get(base).with(owner));
    assertThat(list).contains("Panel box", "IMAP imap.example.net:143", "AuthenticationFailedException: bad login", "7 (last poll 2)")
        .doesNotContain("panel-pass-123");
    String edit = page(get(base + "/" + id).with(owner));
    assertThat(edit).contains("A password is stored").doesNotContain("panel-pass-123");

    mvc.perform(post(base + "/" + id).with(owner).with(csrf()).param("name", "Panel box").param("protocol", "pop3")
        .param("host", "pop.example.net").param("tls", "implicit").param("username", "u").param("password", "")).andReturn();
    assertThat(secretOf(id)).isEqualTo("panel-pass-123");
    assertThat(jdbc.sql("select port from feedback_mailbox where id = ?").param(id).query(Integer.class).single()).isEqualTo(995);
    mvc.perform(post(base + "/" + id + "/delete").with(owner).with(csrf())).andReturn();
    assertThat(jdbc.sql("select count(*) from feedback_mailbox where id = ?").param(id).query(Long.class).single()).isZero();
  }

  @Test
  void the_operator_sees_the_rates_lifts_a_pause_with_an_audit_entry_and_the_organizations_banner_goes() throws Exception {
    long alert = jdbc.sql("""
        insert into sender_alert (organization_id, level, metric, rate, threshold, sent, counted, raised_at)
        values (?, 'pause', 'complaints', 0.0042, 0.003, 5000, 21, now()) returning id""").param(acme.id()).query(Long.class).single();
    RequestPostProcessor owner = organizations.asOwner(acme);
    String banner = page(get("/o/" + acme.slug()).with(owner));
    assertThat(banner).contains("Sending is paused to protect your reputation.")
        .contains("Your complaint rate reached 0.42 % (21 of 5000 messages in the last 7 days), past the pause threshold of 0.30 %");

    RequestPostProcessor operator = organizations.asNewOperator("operator-" + counter + "@feedback-web.test");
    assertThat(page(get("/operator").with(operator))).contains("paused for complaint or bounce rates past the thresholds");
    String alerts = page(get("/operator/sender-alerts").with(operator));
    assertThat(alerts).contains("Feedback Web " + counter, "Complaints 0.42 %", "0.30 %", "21 of 5000 messages", "Lift the pause");
    JsonNode listed = json.readTree(page(get("/api/v1/operator/sender-alerts").with(operator)));
    List<JsonNode> ours = new ArrayList<>();
    listed.forEach(a -> {
      if (a.get("id").asLong() == alert) ours.add(a);
    });
    assertThat(ours).singleElement().satisfies(a -> {
      assertThat(a.get("ratePercent").asString()).isEqualTo("0.42 %");
      assertThat(a.get("level").asString()).isEqualTo("pause");
    });
    // Members of the organization are not the operator.
    assertThat(mvc.perform(post("/operator/sender-alerts/" + alert + "/lift").with(owner).with(csrf())).andReturn().getResponse()
        .getStatus()).isIn(403, 404);

    MvcResult lifted = mvc.perform(post("/operator/sender-alerts/" + alert + "/lift").with(operator).with(csrf())).andReturn();
    assertThat(lifted.getFlashMap().get("notice")).asString().contains("is lifted");
    assertThat(jdbc.sql("select lifted_by from sender_alert where id = ?").param(alert).query(String.class).single())
        .isEqualTo("operator-" + counter + "@feedback-web.test");
    assertThat(jdbc.sql("select actor || ' ' || action || ' ' || detail from audit_event where organization_id = ? and object_type = 'sender_alert'")
        .param(acme.id()).query(String.class).list())
        .singleElement().asString().startsWith("operator-" + counter + "@feedback-web.test sending.pause_lifted complaints 0.42 % of 5000");
    assertThat(page(get("/o/" + acme.slug()).with(owner))).doesNotContain("Sending is paused");
    assertThat(page(get("/operator/sender-alerts").with(operator))).contains("Recently lifted");
    // Lifting again changes nothing: the API says so.
    assertThat(mvc.perform(post("/api/v1/operator/sender-alerts/" + alert + "/lift").with(operator).with(csrf())).andReturn()
        .getResponse().getStatus()).isEqualTo(409);
    assertThat(jdbc.sql("select count(*) from audit_event where organization_id = ? and object_type = 'sender_alert'")
        .param(acme.id()).query(Long.class).single()).isEqualTo(1);
  }
}
