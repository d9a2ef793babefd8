package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

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
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * Other tools' exports (src/test/resources/imports, sources in its README) and Herald's own, imported as they are
 * through the API: the layout is recognized and named, statuses mapped (nobody not subscribed in the source becomes
 * subscribed), tags split, and nothing dropped without a word.
 */
@SpringBootTest(properties = "herald.imports.poll=PT0.1S")
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class ImportLayoutsTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;

  TestOrganizations.Created org;
  long listId;
  static int counter;

  @BeforeEach
  void organization() {
    org = fixtures.organization("Layout Co " + (++counter));
    listId = newList("Imported");
  }

  long newList(String name) {
    return jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, ?, 'single') returning id")
        .params(org.id(), name).query(Long.class).single();
  }

  JsonNode importFile(String fileName, byte[] content, long into) throws Exception {
    var calls = new ImportCalls(mvc, json, imports, org, into);
    JsonNode job = calls.finished(calls.upload(fileName, content, Map.of(), 202));
    assertThat(job.get("status").asString()).as(job.toString()).isEqualTo("finished");
    return job;
  }

  JsonNode importResource(String name) throws Exception {
    try (var in = getClass().getResourceAsStream("/imports/" + name)) {
      return importFile(name, in.readAllBytes(), listId);
    }
  }

  Map<Long, String> errors(JsonNode job) {
    return new ImportCalls(mvc, json, imports, org, listId).errors(job);
  }

  String statusOf(String email) {
    return statusOf(email, listId);
  }

  String statusOf(String email, long list) {
    return jdbc.sql("select x.status from subscription x join subscriber s on s.id = x.subscriber_id where s.email = ? and x.list_id = ?")
        .params(email, list).query(String.class).optional().orElse("none");
  }

  Map<String, String> statuses(String... emails) {
    Map<String, String> out = new java.util.LinkedHashMap<>();
    for (String e : emails) out.put(e, statusOf(e));
    return out;
  }

  String attribute(String email, String key) {
    return jdbc.sql("select attributes ->> ? from subscriber where organization_id = ? and email = ?").params(key, org.id(), email)
        .query(String.class).optional().orElse(null);
  }

  List<String> tags(String email) {
    return List.of((String[]) jdbc.sql("select tags from subscriber where organization_id = ? and email = ?").params(org.id(), email)
        .query((rs, n) -> rs.getArray(1).getArray()).single());
  }

  String name(String email) {
    return jdbc.sql("select name from subscriber where organization_id = ? and email = ?").params(org.id(), email)
        .query(String.class).single();
  }

  List<String> fieldKeys() {
    return jdbc.sql("select key from custom_field where organization_id = ? order by key").param(org.id()).query(String.class).list();
  }

  @Test
  void listmonks_attributes_become_custom_fields_and_its_statuses_are_kept() throws Exception {
    JsonNode job = importResource("listmonk.csv");
    assertThat(job.get("layout").asString()).isEqualTo("listmonk subscribers export");
    assertThat(statuses("ada@example.com", "bob@example.com", "carl@example.com", "dora@example.com")).containsExactly(
        Map.entry("ada@example.com", "subscribed"), Map.entry("bob@example.com", "unsubscribed"),
        Map.entry("carl@example.com", "unsubscribed"), Map.entry("dora@example.com", "none"));
    assertThat(errors(job)).containsOnlyKeys(5L);
    assertThat(errors(job).get(5L)).contains("status", "on_hold");
    assertThat(attribute("ada@example.com", "city")).isEqualTo("London");
    assertThat(attribute("ada@example.com", "projects")).isEqualTo("3");
    assertThat(attribute("ada@example.com", "stack")).isEqualTo("{\"languages\":[\"go\",\"python\"]}");
    assertThat(fieldKeys()).containsExactlyInAnyOrder("city", "projects", "stack");
  }

  @Test
  void ghosts_unsubscribed_members_stay_unsubscribed_and_labels_become_tags() throws Exception {
    JsonNode job = importResource("ghost.csv");
    assertThat(job.get("layout").asString()).isEqualTo("Ghost members export");
    assertThat(statuses("ada@example.com", "bob@example.com")).containsExactly(
        Map.entry("ada@example.com", "subscribed"), Map.entry("bob@example.com", "unsubscribed"));
    assertThat(errors(job)).containsOnlyKeys(4L);
    assertThat(statusOf("carl@example.com")).isEqualTo("none");
    assertThat(tags("ada@example.com")).containsExactlyInAnyOrder("vip", "early backer");
    assertThat(attribute("ada@example.com", "note")).isEqualTo("Early supporter");
    assertThat(attribute("ada@example.com", "stripe_customer_id")).isEqualTo("cus_ABC123");
    assertThat(fieldKeys()).doesNotContain("id", "email", "labels", "subscribed_to_emails");
  }

  @Test
  void substacks_email_disabled_readers_are_imported_unsubscribed() throws Exception {
    JsonNode job = importResource("substack.csv");
    assertThat(job.get("layout").asString()).isEqualTo("Substack subscribers export");
    assertThat(statuses("ada@example.com", "bob@example.com", "carl@example.com")).containsExactly(
        Map.entry("ada@example.com", "subscribed"), Map.entry("bob@example.com", "unsubscribed"),
        Map.entry("carl@example.com", "subscribed"));
    assertThat(attribute("ada@example.com", "plan")).isEqualTo("monthly");
    assertThat(fieldKeys()).doesNotContain("email_disabled");
  }

  @Test
  void beehiivs_inactive_and_pending_subscribers_are_not_imported_as_subscribed() throws Exception {
    JsonNode job = importResource("beehiiv.csv");
    assertThat(job.get("layout").asString()).isEqualTo("Beehiiv subscribers export");
    assertThat(statuses("ada@example.com", "bob@example.com", "carl@example.com", "dora@example.com", "eve@example.com"))
        .containsExactly(Map.entry("ada@example.com", "subscribed"), Map.entry("bob@example.com", "unsubscribed"),
            Map.entry("carl@example.com", "unconfirmed"), Map.entry("dora@example.com", "unconfirmed"),
            Map.entry("eve@example.com", "unconfirmed"));
    assertThat(attribute("ada@example.com", "utm_source")).isEqualTo("twitter");
  }

  @Test
  void mailerlites_statuses_and_groups_are_kept() throws Exception {
    JsonNode job = importResource("mailerlite.csv");
    assertThat(job.get("layout").asString()).isEqualTo("MailerLite subscribers export");
    assertThat(statuses("ada@example.com", "bob@example.com", "carl@example.com", "dora@example.com", "eve@example.com"))
        .containsExactly(Map.entry("ada@example.com", "subscribed"), Map.entry("bob@example.com", "unsubscribed"),
            Map.entry("carl@example.com", "bounced"), Map.entry("dora@example.com", "complained"),
            Map.entry("eve@example.com", "unconfirmed"));
    assertThat(tags("ada@example.com")).containsExactlyInAnyOrder("Customers", "VIP");
    assertThat(name("ada@example.com")).isEqualTo("Ada Lovelace");
    assertThat(attribute("ada@example.com", "company")).isEqualTo("Analytical Engines");
  }

  @Test
  void brevos_blocklisted_contacts_are_imported_unsubscribed() throws Exception {
    JsonNode job = importResource("brevo.csv");
    assertThat(job.get("layout").asString()).isEqualTo("Brevo contacts export");
    assertThat(statuses("ada@example.com", "bob@example.com", "carl@example.com")).containsExactly(
        Map.entry("ada@example.com", "subscribed"), Map.entry("bob@example.com", "unsubscribed"),
        Map.entry("carl@example.com", "subscribed"));
    assertThat(name("ada@example.com")).isEqualTo("Ada Lovelace");
    assertThat(fieldKeys()).doesNotContain("firstname", "lastname", "email_blacklisted", "added_time");
  }

  @Test
  void kits_cancelled_bounced_and_complained_subscribers_keep_their_state_and_tags_split() throws Exception {
    JsonNode job = importResource("kit.csv");
    assertThat(job.get("layout").asString()).isEqualTo("Kit (ConvertKit) subscribers export");
    assertThat(statuses("ada@example.com", "bob@example.com", "carl@example.com", "dora@example.com", "eve@example.com"))
        .containsExactly(Map.entry("ada@example.com", "subscribed"), Map.entry("bob@example.com", "unsubscribed"),
            Map.entry("carl@example.com", "bounced"), Map.entry("dora@example.com", "complained"),
            Map.entry("eve@example.com", "unconfirmed"));
    assertThat(tags("ada@example.com")).containsExactlyInAnyOrder("vip", "customer");
    assertThat(fieldKeys()).doesNotContain("id", "state", "email_address");
  }

  @Test
  void sendys_flags_make_unsubscribed_bounced_complained_and_unconfirmed_people() throws Exception {
    JsonNode job = importResource("sendy.csv");
    assertThat(job.get("layout").asString()).isEqualTo("Sendy subscribers export");
    assertThat(statuses("ada@example.com", "bob@example.com", "carl@example.com", "dora@example.com", "eve@example.com"))
        .containsExactly(Map.entry("ada@example.com", "subscribed"), Map.entry("bob@example.com", "unsubscribed"),
            Map.entry("carl@example.com", "bounced"), Map.entry("dora@example.com", "complained"),
            Map.entry("eve@example.com", "unconfirmed"));
    assertThat(attribute("ada@example.com", "city")).isEqualTo("London");
  }

  @Test
  void a_surname_column_is_not_dropped_beside_a_name_column() throws Exception {
    importFile("people.csv", "Email,Name,Surname\nada@example.com,Ada,Lovelace\nbob@example.com,Bob Brown,Brown\n"
        .getBytes(StandardCharsets.UTF_8), listId);
    assertThat(name("ada@example.com")).isEqualTo("Ada Lovelace");
    assertThat(name("bob@example.com")).isEqualTo("Bob Brown");
  }

  @Test
  void multi_valued_tag_cells_are_split_on_their_separator() throws Exception {
    importFile("people.csv", "email,tags\nada@example.com,a|b\nbob@example.com,\"c, d\"\ncarl@example.com,e;f\n"
        .getBytes(StandardCharsets.UTF_8), listId);
    assertThat(tags("ada@example.com")).containsExactlyInAnyOrder("a", "b");
    assertThat(tags("bob@example.com")).containsExactlyInAnyOrder("c", "d");
    assertThat(tags("carl@example.com")).containsExactlyInAnyOrder("e", "f");
  }

  @Test
  void an_unknown_status_in_a_plain_status_column_sets_the_row_aside_with_its_line() throws Exception {
    JsonNode job = importFile("people.csv", ("email,status\nada@example.com,subscribed\nbob@example.com,unsubscribed\n"
        + "carl@example.com,gold member\n").getBytes(StandardCharsets.UTF_8), listId);
    assertThat(job.get("layout").isNull()).isTrue();
    assertThat(statusOf("ada@example.com")).isEqualTo("subscribed");
    assertThat(statusOf("bob@example.com")).isEqualTo("unsubscribed");
    assertThat(statusOf("carl@example.com")).isEqualTo("none");
    assertThat(errors(job)).containsOnlyKeys(4L);
    assertThat(errors(job).get(4L)).contains("gold member");
  }

  @Test
  void a_nested_fields_object_and_keys_first_seen_in_a_later_object_are_imported() throws Exception {
    importFile("people.json", """
        [{"email": "ada@example.com", "fields": {"city": "Nice"}},
         {"email": "bob@example.com", "fields": {"city": "Lyon", "zip": "69001"}, "company": "Acme"}]"""
        .getBytes(StandardCharsets.UTF_8), listId);
    assertThat(attribute("ada@example.com", "city")).isEqualTo("Nice");
    assertThat(attribute("bob@example.com", "city")).isEqualTo("Lyon");
    assertThat(attribute("bob@example.com", "zip")).isEqualTo("69001");
    assertThat(attribute("bob@example.com", "company")).isEqualTo("Acme");
  }

  byte[] export(String format, long list) throws Exception {
    return mvc.perform(get("/api/v1/orgs/" + org.slug() + "/exports/subscribers").param("format", format)
        .param("list", Long.toString(list)).header("Authorization", "Bearer " + org.apiKey()))
        .andReturn().getResponse().getContentAsByteArray();
  }

  /** Regression: the JSON export was refused, and the CSV export re-imported made eleven junk custom fields. */
  @Test
  void heralds_own_csv_and_json_exports_reimport_cleanly_with_their_statuses() throws Exception {
    importFile("first.csv", """
        email,name,tags,city,status
        ada@example.com,Ada Lovelace,"vip, early",London,subscribed
        bob@example.com,Bob Brown,,Paris,unsubscribed
        carl@example.com,Carl Clark,,,bounced
        """.getBytes(StandardCharsets.UTF_8), listId);
    List<String> fieldsBefore = fieldKeys();
    assertThat(fieldsBefore).containsExactly("city");

    for (String format : List.of("csv", "json", "xlsx")) {
      long copy = newList("Copy " + format);
      JsonNode job = importFile("export." + format, export(format, listId), copy);
      assertThat(job.get("layout").asString()).as(format).startsWith("Herald export");
      assertThat(job.get("skipped").asLong()).as(format).isZero();
      assertThat(statusOf("ada@example.com", copy)).as(format).isEqualTo("subscribed");
      assertThat(statusOf("bob@example.com", copy)).as(format).isEqualTo("unsubscribed");
      assertThat(statusOf("carl@example.com", copy)).as(format).isEqualTo("bounced");
      assertThat(fieldKeys()).as(format + ": no junk fields").isEqualTo(fieldsBefore);
    }
    assertThat(tags("ada@example.com")).containsExactlyInAnyOrder("vip", "early");
    assertThat(attribute("ada@example.com", "city")).isEqualTo("London");
  }

  byte[] exportEveryone(String format) throws Exception {
    return mvc.perform(get("/api/v1/orgs/" + org.slug() + "/exports/subscribers").param("format", format)
        .header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse().getContentAsByteArray();
  }

  /** An export of everyone names each person's lists; someone on no list is not subscribed in the source. */
  @Test
  void heralds_export_of_everyone_reimports_people_on_no_list_as_not_subscribed() throws Exception {
    long offers = newList("Offers");
    importFile("news.csv", "email,status\nada@example.com,subscribed\nbob@example.com,unsubscribed\nnobody@example.com,subscribed\n"
        .getBytes(StandardCharsets.UTF_8), listId);
    importFile("offers.csv", "email,status\nbob@example.com,subscribed\ncarl@example.com,unsubscribed\n"
        .getBytes(StandardCharsets.UTF_8), offers);
    jdbc.sql("delete from subscription where subscriber_id = (select id from subscriber where email = 'nobody@example.com')").update();

    for (String format : List.of("csv", "json")) {
      long copy = newList("Everyone " + format);
      JsonNode job = importFile("everyone." + format, exportEveryone(format), copy);
      assertThat(job.get("layout").asString()).as(format).startsWith("Herald export");
      assertThat(statusOf("ada@example.com", copy)).as(format).isEqualTo("subscribed");
      assertThat(statusOf("bob@example.com", copy)).as(format + ": subscribed to one of his lists").isEqualTo("subscribed");
      assertThat(statusOf("carl@example.com", copy)).as(format).isEqualTo("unsubscribed");
      assertThat(statusOf("nobody@example.com", copy)).as(format + ": on no list").isEqualTo("unsubscribed");
    }
  }
}
