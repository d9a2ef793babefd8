package dev.herald.audiences;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.suppression.RestrictionKind;
import dev.herald.suppression.Restrictions;
import dev.herald.tenancy.TestOrganizations;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * A person whose processing is restricted (GDPR art. 18) is in no segment (count and members), no export (everyone, a
 * list, a segment) and gets no confirmation mail, their data kept; one who objected to marketing (art. 21) is still in
 * all of these (an objection stops campaigns only). Lifting the restriction restores them. All through the API.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class RestrictedAudienceTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired Restrictions restrictions;
  @Autowired TestOrganizations organizations;

  TestOrganizations.Created org;
  long news, segment;
  static int counter;

  @BeforeEach
  void organization() throws Exception {
    org = fixtures.organization("Restricted Co " + (++counter));
    news = send(post(api("/lists")), "{\"name\":\"News\",\"optin\":\"single\"}", 201).get("id").asLong();
    for (String email : List.of("ann@example.com", "rita@example.com", "otto@example.com")) {
      send(post(api("/subscribers")), "{\"email\":\"%s\",\"tags\":[\"reader\"],\"lists\":[%d]}".formatted(email, news), 201);
    }
    segment = send(post(api("/segments")), """
        {"name":"Readers","conditions":{"match":"all","rules":[{"type":"tag","subject":"reader","op":"has","value":""}]}}""", 201)
        .get("id").asLong();
    restrictions.restrict(org.id(), "Rita@Example.com", RestrictionKind.RESTRICTION, "contests the accuracy of her data");
    restrictions.restrict(org.id(), "otto@example.com", RestrictionKind.OBJECTION, "no marketing please");
  }

  @Test
  void a_restricted_person_is_in_no_segment_and_no_export_until_it_is_lifted_and_an_objecting_one_stays() throws Exception {
    assertThat(send(get(api("/segments/" + segment + "/count")), null, 200).get("count").asLong()).isEqualTo(2);
    assertThat(members()).containsExactlyInAnyOrder("ann@example.com", "otto@example.com");
    for (String[] scope : List.of(new String[] {"format", "csv"}, new String[] {"list", Long.toString(news)},
        new String[] {"segment", Long.toString(segment)})) {
      assertThat(exported(scope)).as(scope[0]).contains("ann@example.com", "otto@example.com").doesNotContain("rita@example.com");
    }
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ? and email_key = 'rita@example.com'").param(org.id())
        .query(Long.class).single()).as("her data is kept").isEqualTo(1);

    assertThat(restrictions.lift(org.id(), "rita@example.com", RestrictionKind.RESTRICTION)).isTrue();
    assertThat(send(get(api("/segments/" + segment + "/count")), null, 200).get("count").asLong()).isEqualTo(3);
    assertThat(members()).hasSize(3);
    assertThat(exported(new String[] {"format", "csv"})).contains("rita@example.com");
  }

  @Test
  void the_subscriber_page_says_why_a_person_gets_no_mail_and_stops_saying_it_once_lifted() throws Exception {
    String rita = page("rita@example.com");
    assertThat(rita).contains("id=\"limit-restriction\"", "Processing restricted", "contests the accuracy of her data",
        "left out of segments and exports").doesNotContain("limit-objection");
    assertThat(page("otto@example.com")).contains("id=\"limit-objection\"", "Objected to marketing", "no marketing please")
        .doesNotContain("limit-restriction");
    assertThat(page("ann@example.com")).doesNotContain("limit-restriction", "limit-objection");

    restrictions.lift(org.id(), "rita@example.com", RestrictionKind.RESTRICTION);
    assertThat(page("rita@example.com")).doesNotContain("limit-restriction", "Processing restricted");
  }

  private String page(String email) throws Exception {
    long id = jdbc.sql("select id from subscriber where organization_id = ? and email_key = ?").params(org.id(), email)
        .query(Long.class).single();
    MockHttpServletResponse response = mvc.perform(get("/o/" + org.slug() + "/subscribers/" + id).with(organizations.asOwner(org)))
        .andReturn().getResponse();
    assertThat(response.getStatus()).isEqualTo(200);
    return response.getContentAsString(UTF_8);
  }

  @Test
  void a_restricted_person_gets_no_confirmation_mail_an_objecting_one_does_and_lifting_restores_it() throws Exception {
    long weekly = send(post(api("/lists")), "{\"name\":\"Weekly\",\"optin\":\"double\"}", 201).get("id").asLong();
    for (String email : List.of("rita@example.com", "otto@example.com")) {
      send(post(api("/subscribers")), "{\"email\":\"%s\",\"lists\":[%d]}".formatted(email, weekly), 200);
    }
    assertThat(ConfirmationMails.count(jdbc, "otto@example.com")).as("an objection does not stop mail they asked for").isEqualTo(1);
    assertThat(ConfirmationMails.count(jdbc, "rita@example.com")).isZero();
    assertThat(jdbc.sql("""
        select x.status from subscription x join subscriber s on s.id = x.subscriber_id where s.email = 'rita@example.com' and x.list_id = ?""")
        .param(weekly).query(String.class).single()).as("her subscription is kept, unconfirmed").isEqualTo("unconfirmed");

    restrictions.lift(org.id(), "rita@example.com", RestrictionKind.RESTRICTION);
    long rita = jdbc.sql("select id from subscriber where organization_id = ? and email = 'rita@example.com'").param(org.id())
        .query(Long.class).single();
    send(post(api("/subscribers/" + rita + "/lists/" + weekly + "/confirmation")), null, 202);
    assertThat(ConfirmationMails.count(jdbc, "rita@example.com")).isEqualTo(1);
  }

  List<String> members() throws Exception {
    JsonNode members = send(get(api("/segments/" + segment + "/subscribers")), null, 200);
    List<String> emails = new java.util.ArrayList<>();
    members.forEach(m -> emails.add(m.has("email") ? m.get("email").asString() : m.toString()));
    return emails;
  }

  String exported(String[] param) throws Exception {
    MockHttpServletResponse r = call(get(api("/exports/subscribers")).param(param[0], param[1]));
    assertThat(r.getStatus()).isEqualTo(200);
    return new String(r.getContentAsByteArray(), UTF_8);
  }

  String api(String path) {
    return "/api/v1/orgs/" + org.slug() + path;
  }

  MockHttpServletResponse call(MockHttpServletRequestBuilder r) throws Exception {
    return mvc.perform(r.header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
  }

  JsonNode send(MockHttpServletRequestBuilder r, String body, int status) throws Exception {
    if (body != null) r = r.contentType("application/json").content(body);
    MockHttpServletResponse response = call(r);
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
    String text = response.getContentAsString();
    return text.isEmpty() ? null : json.readTree(text);
  }
}
