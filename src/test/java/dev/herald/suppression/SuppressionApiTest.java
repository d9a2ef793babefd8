package dev.herald.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.mail.AddressDigest;
import dev.herald.tenancy.TestOrganizations;
import java.util.ArrayList;
import java.util.List;
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

/** The organization's suppression list through the REST API. */
@SpringBootTest
@AutoConfigureMockMvc
@RecordApplicationEvents
@Import(TestOrganizations.class)
class SuppressionApiTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired Suppressions suppressions;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired ApplicationEvents events;

  TestOrganizations.Created acme;
  static int counter;

  @BeforeEach
  void organization() {
    acme = organizations.create("Suppression Api " + (++counter), "suppressions:read", "suppressions:write");
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

  long count() {
    return jdbc.sql("select count(*) from suppression where organization_id = ?").param(acme.id()).query(Long.class).single();
  }

  @Test
  void a_batch_with_bad_entries_names_each_one_and_stores_nothing() throws Exception {
    JsonNode problem = send(post(api("/suppressions")), """
        {"entries": [
          {"address": "fine@example.com"},
          {"address": "no-at-sign.example.com"},
          {"address": "a@example.com", "domain": "example.com"},
          {"domain": "example.com", "reason": "erased"},
          {"domain": "example.net", "reason": "bored"},
          {"address": "b@example.com", "expires_at": "next tuesday"},
          {"address": "c@example.com", "expiresAt": "2001-01-01T00:00:00Z"},
          {"domain": "-bad-.example"},
          {}
        ]}""", 422);
    List<String> fields = new ArrayList<>();
    problem.get("errors").forEach(e -> fields.add(e.get("field").asString()));
    assertThat(fields).containsExactly("entries[1].address", "entries[2].domain", "entries[3].reason", "entries[4].reason",
        "entries[5].expiresAt", "entries[6].expiresAt", "entries[7].domain", "entries[8].address");
    assertThat(problem.get("detail").asString()).isEqualTo("8 entries are invalid; nothing was added.");
    assertThat(problem.get("errors").get(0).get("message").asString()).startsWith("Not a valid email address");
    assertThat(count()).isZero();

    send(post(api("/suppressions")), "{\"entries\": []}", 422);
    StringBuilder tooMany = new StringBuilder("{\"entries\": [");
    for (int i = 0; i <= Suppressions.MAX_ENTRIES; i++) tooMany.append(i == 0 ? "" : ",").append("{\"address\":\"p").append(i).append("@example.com\"}");
    JsonNode many = send(post(api("/suppressions")), tooMany.append("]}").toString(), 422);
    assertThat(many.get("errors").get(0).get("field").asString()).isEqualTo("entries");
    assertThat(count()).isZero();
  }

  @Test
  void a_nul_in_a_note_or_a_search_or_an_expiry_past_postgresqls_range_is_a_422_not_a_database_error() throws Exception {
    JsonNode note = send(post(api("/suppressions")), "{\"entries\":[{\"address\":\"n@example.com\",\"note\":\"said\\u0000so\"}]}", 422);
    assertThat(note.get("errors").get(0).get("field").asString()).isEqualTo("entries[0].note");
    assertThat(count()).isZero();
    send(post(api("/suppressions")), "{\"entries\":[{\"address\":\"n@example.com\",\"note\":\"said so\\non the phone\"}]}", 200);
    JsonNode search = send(get(api("/suppressions")).param("q", "n\u0000"), "", 422);
    assertThat(search.get("errors").get(0).get("field").asString()).isEqualTo("q");
    JsonNode farAway = send(post(api("/suppressions")), "{\"entries\":[{\"address\":\"f@example.com\",\"expiresAt\":\"+999999999-12-31T00:00:00Z\"}]}", 422);
    assertThat(farAway.get("errors").get(0).get("field").asString()).isEqualTo("entries[0].expiresAt");
    JsonNode nullEntry = send(post(api("/suppressions")), "{\"entries\":[null]}", 422);
    assertThat(nullEntry.get("errors").get(0).get("field").asString()).isEqualTo("entries[0].address");
  }

  @Test
  void addresses_and_domains_are_normalized_like_subscribers_and_a_second_add_is_reported_as_already_there() throws Exception {
    JsonNode added = send(post(api("/suppressions")), """
        {"entries": [
          {"address": "Ann@Example.COM", "reason": "complaint", "note": "said so on the phone"},
          {"domain": "@XN--BCHER-KVA.example"},
          {"address": "Jörg@Köln.example", "reason": "hard_bounce", "expires_at": "2099-01-01"}
        ]}""", 200);
    assertThat(added.get("added").asInt()).isEqualTo(3);
    assertThat(added.get("alreadySuppressed").asInt()).isZero();
    JsonNode ann = added.get("results").get(0).get("entry");
    assertThat(ann.get("address").asString()).isEqualTo("ann@example.com");
    assertThat(ann.get("kind").asString()).isEqualTo("address");
    assertThat(ann.get("reason").asString()).isEqualTo("complaint");
    assertThat(ann.get("source").asString()).startsWith("api:api-key:");
    assertThat(ann.get("addressHash").asString()).isEqualTo(AddressDigest.hex("ann@example.com"));
    assertThat(added.get("results").get(1).get("entry").get("domain").asString()).isEqualTo("bücher.example");
    JsonNode jorg = added.get("results").get(2).get("entry");
    assertThat(jorg.get("address").asString()).isEqualTo("jörg@köln.example");
    assertThat(jorg.get("expiresAt").asString()).startsWith("2099-01-01T00:00");
    assertThat(events.stream(SuppressionEvents.SuppressionAdded.class).count()).isEqualTo(3);

    JsonNode again = send(post(api("/suppressions")), """
        {"entries": [{"address": "ann@example.com"}, {"domain": "bücher.example"}, {"address": "new@example.com"}]}""", 200);
    assertThat(again.get("added").asInt()).isEqualTo(1);
    assertThat(again.get("alreadySuppressed").asInt()).isEqualTo(2);
    assertThat(again.get("results").get(0).get("added").asBoolean()).isFalse();
    assertThat(again.get("results").get(0).get("entry").get("id").asLong()).isEqualTo(ann.get("id").asLong());
    assertThat(again.get("results").get(0).get("entry").get("reason").asString()).as("unchanged").isEqualTo("complaint");
    assertThat(again.get("results").get(2).get("added").asBoolean()).isTrue();
    assertThat(count()).isEqualTo(4);
    assertThat(jdbc.sql("select count(*) from audit_event where organization_id = ? and action = 'suppression.added'")
        .param(acme.id()).query(Long.class).single()).isEqualTo(4);
    assertThat(jdbc.sql("select count(*) from audit_event where action like 'suppression%' and detail like '%@%'").query(Long.class).single())
        .as("no address in the audit log").isZero();
  }

  @Test
  void the_list_searches_by_prefix_filters_by_reason_and_pages_newest_first() throws Exception {
    send(post(api("/suppressions")), """
        {"entries": [
          {"address": "ann@example.com", "reason": "complaint"},
          {"address": "anna@example.com", "reason": "hard_bounce"},
          {"address": "bob@example.com", "reason": "complaint"},
          {"domain": "annex.example"},
          {"address": "cy@example.com", "reason": "unsubscribe"}
        ]}""", 200);
    JsonNode all = send(get(api("/suppressions")), "", 200);
    assertThat(all.get("total").asLong()).isEqualTo(5);
    assertThat(all.get("items").get(0).get("address").asString()).as("newest first").isEqualTo("cy@example.com");

    JsonNode ann = send(get(api("/suppressions")).param("q", "ANN"), "", 200);
    List<String> found = new ArrayList<>();
    ann.get("items").forEach(i -> found.add(i.get("kind").asString().equals("domain") ? i.get("domain").asString() : i.get("address").asString()));
    assertThat(found).containsExactlyInAnyOrder("ann@example.com", "anna@example.com", "annex.example");

    JsonNode complaints = send(get(api("/suppressions")).param("reason", "complaint"), "", 200);
    assertThat(complaints.get("total").asLong()).isEqualTo(2);
    JsonNode wildcard = send(get(api("/suppressions")).param("q", "%"), "", 200);
    assertThat(wildcard.get("total").asLong()).as("% is a character, not a wildcard").isZero();

    JsonNode page1 = send(get(api("/suppressions")).param("size", "2").param("page", "2"), "", 200);
    assertThat(page1.get("items").size()).isEqualTo(1);
    assertThat(page1.get("total").asLong()).isEqualTo(5);
    assertThat(page1.get("items").get(0).get("address").asString()).isEqualTo("ann@example.com");

    assertThat(send(get(api("/suppressions")).param("size", "0"), "", 422).get("errors").get(0).get("field").asString()).isEqualTo("size");
    assertThat(send(get(api("/suppressions")).param("reason", "bored"), "", 422).get("errors").get(0).get("field").asString())
        .isEqualTo("reason");
  }

  @Test
  void check_names_every_matching_entry_of_the_organization_and_the_installation() throws Exception {
    send(post(api("/suppressions")), "{\"entries\": [{\"address\": \"ann@example.com\", \"reason\": \"complaint\"}]}", 200);
    suppressions.add(null, new Suppressions.NewEntry(null, "example.com", SuppressionReason.MANUAL, null, null), "test");

    JsonNode ann = send(get(api("/suppressions/check")).param("email", " ANN@example.com "), "", 200);
    assertThat(ann.get("email").asString()).isEqualTo("ann@example.com");
    assertThat(ann.get("suppressed").asBoolean()).isTrue();
    assertThat(ann.get("matches").size()).isEqualTo(2);
    assertThat(ann.get("matches").get(0).get("scope").asString()).isEqualTo("organization");
    assertThat(ann.get("matches").get(0).get("description").asString()).isEqualTo("suppressed in this organization (complaint)");
    assertThat(ann.get("matches").get(1).get("scope").asString()).isEqualTo("installation");
    assertThat(ann.get("matches").get(1).get("kind").asString()).isEqualTo("domain");

    JsonNode clean = send(get(api("/suppressions/check")).param("email", "ann@example.org"), "", 200);
    assertThat(clean.get("suppressed").asBoolean()).isFalse();
    assertThat(clean.get("matches").size()).isZero();
    assertThat(send(get(api("/suppressions/check")).param("email", "nope"), "", 422).get("errors").get(0).get("field").asString())
        .isEqualTo("email");
  }

  @Test
  void get_and_delete_by_id_and_another_organizations_ids_are_not_found() throws Exception {
    long id = send(post(api("/suppressions")), "{\"entries\": [{\"address\": \"ann@example.com\"}]}", 200)
        .get("results").get(0).get("entry").get("id").asLong();
    TestOrganizations.Created other = organizations.create("Suppression Api Other " + counter, "suppressions:read", "suppressions:write");
    long theirs = suppressions.add(other.id(), new Suppressions.NewEntry("them@example.com", null, null, null, null), "test").entry().id();
    long global = suppressions.add(null, new Suppressions.NewEntry("all@example.com", null, null, null, null), "test").entry().id();

    assertThat(send(get(api("/suppressions/" + id)), "", 200).get("address").asString()).isEqualTo("ann@example.com");
    send(get(api("/suppressions/" + theirs)), "", 404);
    send(delete(api("/suppressions/" + theirs)), "", 404);
    send(get(api("/suppressions/" + global)), "", 404);
    send(delete(api("/suppressions/" + global)), "", 404);
    assertThat(suppressions.find(other.id(), theirs)).isPresent();
    assertThat(suppressions.find(null, global)).isPresent();

    send(delete(api("/suppressions/" + id)), "", 204);
    send(get(api("/suppressions/" + id)), "", 404);
    send(delete(api("/suppressions/" + id)), "", 404);
    assertThat(events.stream(SuppressionEvents.SuppressionRemoved.class).toList())
        .usingRecursiveFieldByFieldElementComparatorIgnoringFields("occurredAt")
        .containsExactly(new SuppressionEvents.SuppressionRemoved(acme.id(), id, "ann@example.com", null, SuppressionReason.MANUAL, null));
    assertThat(events.stream(SuppressionEvents.SuppressionRemoved.class).toList().getFirst().occurredAt()).isNotNull();
    assertThat(jdbc.sql("select count(*) from audit_event where organization_id = ? and action = 'suppression.removed' and object_id = ?")
        .params(acme.id(), Long.toString(id)).query(Long.class).single()).isEqualTo(1);
  }

  @Test
  void a_read_only_key_reads_but_cannot_add_or_remove() throws Exception {
    TestOrganizations.Created reader = organizations.create("Suppression Reader " + counter, "suppressions:read");
    String path = "/api/v1/orgs/" + reader.slug() + "/suppressions";
    long id = suppressions.add(reader.id(), new Suppressions.NewEntry("ann@example.com", null, null, null, null), "test").entry().id();
    send(reader.apiKey(), get(path), "", 200);
    send(reader.apiKey(), get(path + "/check").param("email", "ann@example.com"), "", 200);
    send(reader.apiKey(), post(path), "{\"entries\": [{\"address\": \"bob@example.com\"}]}", 403);
    send(reader.apiKey(), delete(path + "/" + id), "", 403);
    assertThat(suppressions.find(reader.id(), id)).isPresent();
    // a key of another organization does not reach this one at all
    send(acme.apiKey(), get(path), "", 403);
  }
}
