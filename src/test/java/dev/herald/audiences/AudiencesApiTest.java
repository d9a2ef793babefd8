package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.tenancy.TestOrganizations;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Lists, fields, subscribers and subscriptions through the REST API, with consent and double opt-in. */
@SpringBootTest
@AutoConfigureMockMvc
@RecordApplicationEvents
@Import({AudienceFixtures.class, TestOrganizations.class})
class AudiencesApiTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired ApplicationEvents events;

  TestOrganizations.Created org;
  static int counter;

  @BeforeEach
  void organization() {
    org = fixtures.organization("Audience Co " + (++counter));
  }

  MockHttpServletResponse call(MockHttpServletRequestBuilder r) throws Exception {
    return mvc.perform(r.header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
  }

  JsonNode send(MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    MockHttpServletResponse response = call(r.contentType("application/json").content(body));
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return response.getContentAsString().isEmpty() ? null : json.readTree(response.getContentAsString());
  }

  String api(String path) {
    return "/api/v1/orgs/" + org.slug() + path;
  }

  long list(String name, String optin) throws Exception {
    return send(post(api("/lists")), "{\"name\":\"" + name + "\",\"optin\":\"" + optin + "\",\"visibility\":\"public\"}", 201)
        .get("id").asLong();
  }

  @Test
  void a_field_changes_label_choices_and_preference_centre_flag_but_never_key_or_type() throws Exception {
    JsonNode plan = send(post(api("/fields")), "{\"key\":\"plan\",\"type\":\"choice\",\"choices\":[\"free\",\"pro\"]}", 201);
    assertThat(plan.get("subscriberEditable").asBoolean()).isFalse();
    String path = api("/fields/" + plan.get("id").asLong());
    send(post(api("/subscribers")), "{\"email\":\"a@example.com\",\"fields\":{\"plan\":\"pro\"}}", 201);

    JsonNode changed = send(put(path), "{\"label\":\"Plan\",\"choices\":[\"free\",\"pro\",\"team\"],\"subscriberEditable\":true}", 200);
    assertThat(changed.get("label").asString()).isEqualTo("Plan");
    assertThat(changed.get("choices").toString()).isEqualTo("[\"free\",\"pro\",\"team\"]");
    assertThat(changed.get("subscriberEditable").asBoolean()).isTrue();

    JsonNode inUse = send(put(path), "{\"choices\":[\"free\",\"team\"]}", 422);
    assertThat(inUse.get("errors").get(0).get("field").asString()).isEqualTo("choices");
    assertThat(inUse.get("errors").get(0).get("message").asString()).contains("'pro'");
    send(put(path), "{\"choices\":[\"pro\",\"team\"]}", 200);
    assertThat(send(put(path), "{\"type\":\"text\"}", 422).get("errors").get(0).get("field").asString()).isEqualTo("type");
    assertThat(send(put(path), "{\"key\":\"tier\"}", 422).get("errors").get(0).get("field").asString()).isEqualTo("key");
    JsonNode listed = send(get(api("/fields")), "", 200);
    assertThat(listed.get(0).get("choices").toString()).isEqualTo("[\"pro\",\"team\"]");
    assertThat(listed.get(0).get("subscriberEditable").asBoolean()).as("a PUT without the flag keeps it").isTrue();
    send(put(api("/fields/999999")), "{\"label\":\"x\"}", 404);
  }

  @Test
  void a_subscriber_with_typed_fields_is_created_once_per_address_and_updated_by_email() throws Exception {
    send(post(api("/fields")), "{\"key\":\"age\",\"type\":\"number\"}", 201);
    send(post(api("/fields")), "{\"key\":\"plan\",\"type\":\"choice\",\"choices\":[\"free\",\"pro\"]}", 201);
    long news = list("News", "single");
    JsonNode created = send(post(api("/subscribers")), """
        {"email":"Ann@Example.COM","name":"Ann","fields":{"age":"41","plan":"pro"},"tags":["vip"],"lists":[%d],
         "consent":{"text":"Yes, send me news","ip":"203.0.113.7","userAgent":"Shop/1.0"}}""".formatted(news), 201);
    assertThat(created.get("subscriber").get("email").asString()).isEqualTo("Ann@example.com");
    assertThat(created.get("subscriber").get("fields").get("age").asInt()).isEqualTo(41);
    assertThat(created.get("subscriptions").get(0).get("status").asString()).isEqualTo("subscribed");

    // the same person in other letter case: the same record, updated
    send(post(api("/subscribers")), "{\"email\":\"ann@example.com\",\"fields\":{\"plan\":\"free\"}}", 201);
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ?").param(org.id()).query(Long.class).single())
        .isEqualTo(1);
    JsonNode byEmail = send(get(api("/subscribers/ann@example.com")), "", 200);
    assertThat(byEmail.get("fields").get("plan").asString()).isEqualTo("free");
    assertThat(byEmail.get("fields").get("age").asInt()).as("other fields kept").isEqualTo(41);
    assertThat(byEmail.get("name").asString()).isEqualTo("Ann");

    JsonNode consent = send(get(api("/subscribers/ann@example.com/consent")), "", 200);
    assertThat(consent.get(0).get("consentText").asString()).isEqualTo("Yes, send me news");
    assertThat(consent.get(0).get("ip").asString()).isEqualTo("203.0.113.7");
    assertThat(consent.get(0).get("channel").asString()).isEqualTo("api");
    assertThat(consent.get(0).get("confirmedAt").isNull()).isFalse();
    assertThat(events.stream(AudienceEvents.SubscriberSubscribed.class).count()).isEqualTo(1);
  }

  @Test
  void bad_input_names_the_field_and_stores_nothing() throws Exception {
    send(post(api("/fields")), "{\"key\":\"age\",\"type\":\"number\"}", 201);
    JsonNode badEmail = send(post(api("/subscribers")), "{\"email\":\"no-at-sign.example.com\"}", 422);
    assertThat(badEmail.get("errors").get(0).get("field").asString()).isEqualTo("email");
    JsonNode badAge = send(post(api("/subscribers")), "{\"email\":\"a@example.com\",\"fields\":{\"age\":\"old\"}}", 422);
    assertThat(badAge.get("errors").get(0).get("field").asString()).isEqualTo("fields.age");
    JsonNode unknown = send(post(api("/subscribers")), "{\"email\":\"a@example.com\",\"fields\":{\"shoe\":\"42\"}}", 422);
    assertThat(unknown.get("errors").get(0).get("field").asString()).isEqualTo("fields.shoe");
    JsonNode dup = send(post(api("/fields")), "{\"key\":\"age\",\"type\":\"text\"}", 422);
    assertThat(dup.get("errors").get(0).get("field").asString()).isEqualTo("key");

    // bulk: one bad entry refuses the whole call
    JsonNode bulk = send(post(api("/subscribers/bulk")), "[{\"email\":\"ok1@example.com\"},{\"email\":\"bad\"}]", 422);
    assertThat(bulk.get("errors").get(0).get("field").asString()).isEqualTo("[1].email");
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ?").param(org.id()).query(Long.class).single()).isZero();

    StringBuilder tooMany = new StringBuilder("[");
    for (int i = 0; i <= AudiencesApi.MAX_BULK; i++) tooMany.append(i == 0 ? "" : ",").append("{\"email\":\"p").append(i).append("@example.com\"}");
    send(post(api("/subscribers/bulk")), tooMany.append("]").toString(), 422);
  }

  @Test
  void bulk_upserts_up_to_a_thousand() throws Exception {
    long news = list("Bulk", "single");
    StringBuilder body = new StringBuilder("[");
    for (int i = 0; i < AudiencesApi.MAX_BULK; i++) {
      body.append(i == 0 ? "" : ",").append("{\"email\":\"p").append(i).append("@example.com\",\"lists\":[").append(news).append("]}");
    }
    JsonNode result = send(post(api("/subscribers/bulk")), body.append("]").toString(), 200);
    assertThat(result.size()).isEqualTo(1000);
    assertThat(jdbc.sql("select count(*) from subscription where list_id = ? and status = 'subscribed'").param(news)
        .query(Long.class).single()).isEqualTo(1000);
  }

  @Test
  void double_opt_in_mails_a_signed_link_and_the_subscription_waits_for_it() throws Exception {
    long news = list("Double", "double");
    JsonNode created = send(post(api("/subscribers")), "{\"email\":\"dora@example.com\",\"lists\":[" + news + "]}", 201);
    assertThat(created.get("subscriptions").get(0).get("status").asString()).isEqualTo("unconfirmed");
    String mail = jdbc.sql("select body_text from sandbox_message where recipient = 'dora@example.com'").query(String.class).single();
    Matcher link = Pattern.compile("/p/confirm\\?token=([A-Za-z0-9_.-]+)").matcher(mail);
    assertThat(link.find()).isTrue();
    send(post(api("/subscribers/dora@example.com/lists/" + news + "/confirmation")), "", 202);
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = 'dora@example.com'").query(Long.class).single())
        .as("re-sent").isEqualTo(2);

    // a tampered token is refused; GET only shows a button; POST confirms
    assertThat(mvc.perform(post("/p/confirm").param("token", link.group(1) + "x")).andReturn().getResponse().getStatus()).isEqualTo(422);
    assertThat(mvc.perform(get("/p/confirm").param("token", link.group(1))).andReturn().getResponse().getContentAsString())
        .contains("Double");
    assertThat(status("dora@example.com", news)).as("a GET (mail scanner) confirms nothing").isEqualTo("unconfirmed");
    assertThat(mvc.perform(post("/p/confirm").param("token", link.group(1))).andReturn().getResponse().getStatus()).isEqualTo(200);
    assertThat(status("dora@example.com", news)).isEqualTo("subscribed");
    JsonNode noMore = send(post(api("/subscribers/dora@example.com/lists/" + news + "/confirmation")), "", 422);
    assertThat(noMore.get("detail").asString()).contains("subscribed");
    assertThat(jdbc.sql("select confirmed_at is not null from consent_record c join subscriber s on s.id = c.subscriber_id "
        + "where s.email = 'dora@example.com'").query(Boolean.class).single()).isTrue();
  }

  @Test
  void a_complained_address_is_not_subscribed_again_through_the_api() throws Exception {
    long news = list("Complaints", "single");
    send(post(api("/subscribers")), "{\"email\":\"angry@example.com\",\"lists\":[" + news + "]}", 201);
    jdbc.sql("update subscription set status = 'complained' where list_id = ?").param(news).update();
    JsonNode refused = send(put(api("/subscribers/angry@example.com/lists/" + news)), "{\"status\":\"subscribed\"}", 422);
    assertThat(refused.get("detail").asString()).contains("complained");
    assertThat(status("angry@example.com", news)).isEqualTo("complained");
  }

  @Test
  void another_organizations_list_cannot_be_used() throws Exception {
    TestOrganizations.Created other = fixtures.organization("Other Audience " + counter);
    long theirs = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'Theirs') returning id").param(other.id())
        .query(Long.class).single();
    JsonNode r = send(post(api("/subscribers")), "{\"email\":\"x@example.com\",\"lists\":[" + theirs + "]}", 422);
    assertThat(r.get("errors").get(0).get("field").asString()).isEqualTo("lists");
    assertThat(call(get(api("/lists/" + theirs))).getStatus()).isEqualTo(404);
  }

  private String status(String email, long listId) {
    return jdbc.sql("select x.status from subscription x join subscriber s on s.id = x.subscriber_id where s.email = ? and x.list_id = ?")
        .params(email, listId).query(String.class).single();
  }
}
