package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.tenancy.Role;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
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
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Breach notification (issue 13): the operator records an incident; every member of the affected organizations (and
 * nobody else) is mailed through the system-mail path and shown a banner until they acknowledge it; the 72-hour clock
 * for the supervisory authority runs on the injected clock; the organization drafts a campaign to its subscribers.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class})
class BreachNotificationTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;

  static int counter;
  RequestPostProcessor operator;
  TestOrganizations.Created acme, other;
  RequestPostProcessor acmeOwner, acmeMember, otherOwner;
  String memberEmail;

  @BeforeEach
  void world() {
    counter++;
    operator = organizations.asNewOperator("breach-operator" + counter + "@herald.test");
    acme = organizations.create("Breach Acme " + counter, "campaigns:write", "campaigns:read");
    other = organizations.create("Breach Other " + counter, "lists:read");
    acmeOwner = organizations.asOwner(acme);
    memberEmail = "member" + counter + "@breach-acme.test";
    acmeMember = organizations.asNewMember(acme, memberEmail, Role.member);
    otherOwner = organizations.asOwner(other);
  }

  JsonNode call(MockHttpServletRequestBuilder request, RequestPostProcessor as, String body, int status) throws Exception {
    MockHttpServletRequestBuilder r = request.with(csrf());
    if (as != null) r.with(as);
    if (body != null) r.contentType("application/json").content(body);
    MockHttpServletResponse response = mvc.perform(r).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
    String text = response.getContentAsString();
    return text.isEmpty() ? null : json.readTree(text);
  }

  JsonNode callWithKey(MockHttpServletRequestBuilder request, String key, String body, int status) throws Exception {
    return call(request.header("Authorization", "Bearer " + key), null, body, status);
  }

  String page(String path, RequestPostProcessor as) throws Exception {
    MockHttpServletResponse response = mvc.perform(get(path).with(as)).andReturn().getResponse();
    assertThat(response.getStatus()).as(path).isEqualTo(200);
    return response.getContentAsString();
  }

  JsonNode recordFor(List<Long> orgs, boolean all, Instant detected) throws Exception {
    String body = json.writeValueAsString(java.util.Map.of("title", "Backup copy exposed " + counter, "description",
        "A backup of the database was readable from the internet for two hours.", "detectedAt", detected.toString(),
        "allOrganizations", all, "organizationIds", orgs, "categories", List.of("contact", "IP address")));
    return call(post("/api/v1/operator/breaches"), operator, body, 201);
  }

  List<String> mailedSubjects(String recipient) {
    return jdbc.sql("select subject from sandbox_message where lower(recipient) = lower(?) order by id").param(recipient)
        .query(String.class).list();
  }

  @Test
  void recording_an_incident_mails_every_member_of_the_affected_organizations_and_nobody_else() throws Exception {
    JsonNode incident = recordFor(List.of(acme.id()), false, clock.instant().minus(Duration.ofHours(10)));
    String subject = "Security incident notice: Backup copy exposed " + counter;
    assertThat(mailedSubjects(acme.ownerEmail())).contains(subject);
    assertThat(mailedSubjects(memberEmail)).contains(subject);
    assertThat(mailedSubjects(other.ownerEmail())).doesNotContain(subject);
    String body = jdbc.sql("select body_text from sandbox_message where lower(recipient) = lower(?) order by id desc limit 1")
        .param(memberEmail).query(String.class).single();
    assertThat(body).contains("A backup of the database was readable", "contact, IP address", "/o/" + acme.slug() + "/breach-notices");

    JsonNode full = call(get("/api/v1/operator/breaches/" + incident.get("id").asLong()), operator, null, 200);
    assertThat(full.get("notices")).hasSize(2);
    assertThat(full.get("notices").findValuesAsString("email")).containsExactlyInAnyOrder(acme.ownerEmail(), memberEmail);
    assertThat(full.get("organizations").findValuesAsString("slug")).containsExactly(acme.slug());
  }

  @Test
  void an_incident_for_all_organizations_reaches_every_organization() throws Exception {
    JsonNode incident = recordFor(List.of(), true, clock.instant());
    String subject = "Security incident notice: Backup copy exposed " + counter;
    assertThat(mailedSubjects(other.ownerEmail())).contains(subject);
    assertThat(mailedSubjects(acme.ownerEmail())).contains(subject);
    assertThat(incident.get("allOrganizations").asBoolean()).isTrue();
    assertThat(incident.get("organizations").findValuesAsString("slug")).contains(acme.slug(), other.slug());
  }

  @Test
  void the_72_hour_clock_counts_down_turns_overdue_and_records_the_authority_notification() throws Exception {
    Instant detected = clock.instant().minus(Duration.ofHours(10)).truncatedTo(ChronoUnit.SECONDS);
    long id = recordFor(List.of(acme.id()), false, detected).get("id").asLong();
    JsonNode c = call(get("/api/v1/operator/breaches/" + id), operator, null, 200).get("authorityClock");
    assertThat(Instant.parse(c.get("deadline").asString())).isEqualTo(detected.plus(Duration.ofHours(72)));
    assertThat(c.get("overdue").asBoolean()).isFalse();
    assertThat(c.get("secondsLeft").asLong()).isBetween(Duration.ofHours(62).toSeconds() - 60, Duration.ofHours(62).toSeconds());
    assertThat(page("/operator/breaches", operator)).contains("61 hours 59 minutes left");

    clock.advance(Duration.ofHours(63));
    c = call(get("/api/v1/operator/breaches/" + id), operator, null, 200).get("authorityClock");
    assertThat(c.get("overdue").asBoolean()).isTrue();
    assertThat(c.get("secondsLeft").asLong()).isNegative();
    assertThat(c.get("summary").asString()).startsWith("overdue by 1 hour");
    assertThat(page("/operator/breaches/" + id, operator)).contains("Overdue.");

    Instant told = clock.instant().minus(Duration.ofHours(2)).truncatedTo(ChronoUnit.SECONDS);
    c = call(put("/api/v1/operator/breaches/" + id + "/authority-notification"), operator,
        "{\"notifiedAt\":\"" + told + "\",\"reference\":\"DPA-2026-17\"}", 200).get("authorityClock");
    assertThat(c.get("notified").asBoolean()).isTrue();
    assertThat(c.get("overdue").asBoolean()).isFalse();
    assertThat(c.get("notifiedInTime").asBoolean()).isTrue(); // 71 hours after detection
    assertThat(c.get("summary").asString()).isEqualTo("notified 1 hour before the deadline");

    call(put("/api/v1/operator/breaches/" + id + "/authority-notification"), operator,
        "{\"notifiedAt\":\"" + detected.minus(Duration.ofHours(1)) + "\"}", 422);
  }

  @Test
  void the_panel_form_records_an_incident_and_the_authority_time() throws Exception {
    MockHttpServletResponse r = mvc.perform(post("/operator/breaches").with(operator).with(csrf())
        .param("title", "Panel incident " + counter).param("description", "Seen in the logs.")
        .param("detectedAt", "2026-01-01T10:00").param("organizationIds", String.valueOf(other.id()))
        .param("categories", "contact")).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(302);
    String location = r.getRedirectedUrl();
    assertThat(location).matches("/operator/breaches/\\d+");
    assertThat(mailedSubjects(other.ownerEmail())).contains("Security incident notice: Panel incident " + counter);
    r = mvc.perform(post(location + "/authority").with(operator).with(csrf()).param("notifiedAt", "2026-01-05T10:00"))
        .andReturn().getResponse();
    assertThat(r.getRedirectedUrl()).isEqualTo(location);
    assertThat(page(location, operator)).contains("Notified.", "notified 24 hours after the deadline");
  }

  @Test
  void a_refused_panel_form_comes_back_with_every_choice_kept() throws Exception {
    org.springframework.test.web.servlet.MvcResult refused = mvc.perform(post("/operator/breaches").with(operator).with(csrf())
        .param("title", "Kept choices " + counter).param("description", "Seen in the logs.").param("detectedAt", "yesterday")
        .param("organizationIds", String.valueOf(acme.id()), String.valueOf(other.id()))
        .param("categories", "contact", "IP address")).andReturn();
    assertThat(refused.getResponse().getRedirectedUrl()).isEqualTo("/operator/breaches#record");
    // The flash lives in the JDBC session: the next page is asked for with the session's cookie, as a browser would.
    String form = mvc.perform(get("/operator/breaches").with(operator).cookie(refused.getResponse().getCookies())).andReturn()
        .getResponse().getContentAsString();
    org.jsoup.nodes.Document page = org.jsoup.Jsoup.parse(form);
    assertThat(page.select("#detectedAt-error").text()).contains("Give a date and time");
    assertThat(page.select("#title").attr("value")).isEqualTo("Kept choices " + counter);
    assertThat(page.select("#organizationIds option[selected]").eachAttr("value"))
        .containsExactlyInAnyOrder(String.valueOf(acme.id()), String.valueOf(other.id()));
    assertThat(page.select("input[name=categories][checked]").eachAttr("value")).containsExactlyInAnyOrder("contact", "IP address");
    assertThat(page.select("#allOrganizations[checked]")).isEmpty();
  }

  @Test
  void bad_input_names_the_field() throws Exception {
    String base = "\"title\":\"t\",\"description\":\"d\",\"detectedAt\":\"" + clock.instant() + "\",\"organizationIds\":[" + acme.id() + "]";
    JsonNode p = call(post("/api/v1/operator/breaches"), operator, "{" + base + ",\"categories\":[]}", 422);
    assertThat(p.toString()).contains("categories");
    p = call(post("/api/v1/operator/breaches"), operator, "{" + base + ",\"categories\":[\"shoe size\"]}", 422);
    assertThat(p.toString()).contains("categories", "contact");
    p = call(post("/api/v1/operator/breaches"), operator, "{\"title\":\"t\",\"description\":\"d\",\"detectedAt\":\""
        + clock.instant().plus(Duration.ofDays(1)) + "\",\"organizationIds\":[" + acme.id() + "],\"categories\":[\"contact\"]}", 422);
    assertThat(p.toString()).contains("detectedAt");
    p = call(post("/api/v1/operator/breaches"), operator, "{\"title\":\"t\",\"description\":\"d\",\"detectedAt\":\"" + clock.instant()
        + "\",\"organizationIds\":[999999999],\"categories\":[\"contact\"]}", 422);
    assertThat(p.toString()).contains("organizationIds");
    call(post("/api/v1/operator/breaches"), acmeOwner, "{" + base + ",\"categories\":[\"contact\"]}", 403);
  }

  @Test
  void each_member_sees_the_banner_until_they_acknowledge_and_the_operator_sees_who_did() throws Exception {
    long id = recordFor(List.of(acme.id()), false, clock.instant()).get("id").asLong();
    String title = "Backup copy exposed " + counter;
    assertThat(page("/dashboard", acmeMember)).contains("Security incident", title,
        "/o/" + acme.slug() + "/breach-notices/" + id + "/acknowledge");
    assertThat(page("/o/" + acme.slug(), acmeOwner)).contains(title);
    assertThat(page("/o/" + other.slug(), otherOwner)).doesNotContain(title);

    MockHttpServletResponse r = mvc.perform(post("/o/" + acme.slug() + "/breach-notices/" + id + "/acknowledge").with(acmeMember).with(csrf()))
        .andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(302);
    assertThat(page("/dashboard", acmeMember)).doesNotContain("/breach-notices/" + id + "/acknowledge");
    assertThat(page("/dashboard", acmeOwner)).contains("/breach-notices/" + id + "/acknowledge");

    JsonNode notices = call(get("/api/v1/operator/breaches/" + id), operator, null, 200).get("notices");
    for (JsonNode n : notices) {
      boolean isMember = n.get("email").asString().equalsIgnoreCase(memberEmail);
      assertThat(n.get("acknowledgedAt").isNull()).as(n.toString()).isEqualTo(!isMember);
    }
    // the organization's own view, through the API with a session: who acknowledged
    JsonNode org = call(get("/api/v1/orgs/" + acme.slug() + "/breach-notices"), acmeOwner, null, 200);
    assertThat(org).hasSize(1);
    assertThat(org.get(0).get("acknowledgedAt").isNull()).isTrue();
    JsonNode ack = call(post("/api/v1/orgs/" + acme.slug() + "/breach-notices/" + id + "/acknowledgement"), acmeOwner, "{}", 200);
    assertThat(ack.get("changed").asBoolean()).isTrue();
    assertThat(call(post("/api/v1/orgs/" + acme.slug() + "/breach-notices/" + id + "/acknowledgement"), acmeOwner, "{}", 200)
        .get("changed").asBoolean()).isFalse();
    assertThat(page("/o/" + acme.slug() + "/breach-notices", acmeOwner)).contains("You acknowledged this notice");
    // an API key is no person; another organization does not see the incident
    callWithKey(post("/api/v1/orgs/" + acme.slug() + "/breach-notices/" + id + "/acknowledgement"), acme.apiKey(), "{}", 422);
    call(post("/api/v1/orgs/" + other.slug() + "/breach-notices/" + id + "/acknowledgement"), otherOwner, "{}", 404);
    assertThat(call(get("/api/v1/orgs/" + other.slug() + "/breach-notices"), otherOwner, null, 200)).isEmpty();
  }

  @Test
  void the_organization_drafts_a_campaign_to_its_subscribers_once() throws Exception {
    long id = recordFor(List.of(acme.id()), false, clock.instant()).get("id").asLong();
    JsonNode draft = callWithKey(post("/api/v1/orgs/" + acme.slug() + "/breach-notices/" + id + "/campaign"), acme.apiKey(), "{}", 201);
    assertThat(draft.get("state").asString()).isEqualTo("draft");
    assertThat(draft.get("name").asString()).isEqualTo("Breach notice: Backup copy exposed " + counter);
    assertThat(draft.get("subject").asString()).contains("security incident");
    assertThat(draft.get("body").asString()).contains("A backup of the database was readable", "contact, IP address");
    JsonNode again = callWithKey(post("/api/v1/orgs/" + acme.slug() + "/breach-notices/" + id + "/campaign"), acme.apiKey(), "{}", 201);
    assertThat(again.get("id").asLong()).isEqualTo(draft.get("id").asLong());

    MockHttpServletResponse r = mvc.perform(post("/o/" + acme.slug() + "/breach-notices/" + id + "/campaign").with(acmeOwner).with(csrf()))
        .andReturn().getResponse();
    assertThat(r.getRedirectedUrl()).isEqualTo("/o/" + acme.slug() + "/campaigns/" + draft.get("id").asLong() + "/edit");
    // another organization gets nothing
    call(post("/api/v1/orgs/" + other.slug() + "/breach-notices/" + id + "/campaign"), otherOwner, "{}", 404);
  }
}
