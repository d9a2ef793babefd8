package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.mail.AddressDigest;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.RetentionCategory;
import dev.herald.suppression.RestrictionKind;
import dev.herald.suppression.Restrictions;
import dev.herald.suppression.SuppressionReason;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HexFormat;
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
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The personal-data map's holders of audiences and suppression (with tenancy's and platform's, which an erasure runs
 * after them): a person subscribed through the API with consent, imported, updated and suppressed, then exported,
 * erased (nothing of the address left anywhere in the database but the keyed suppression hash; they cannot be imported
 * or subscribed by the API again; another person untouched), and the hosted forms' request log purged.
 */
@SpringBootTest(properties = "herald.imports.poll=PT0.1S")
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class})
class AudiencesPersonalDataTest {
  static final List<String> MINE = List.of("platform", "tenancy", "audiences", "suppression");

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired Imports imports;
  @Autowired Subscribers subscribers;
  @Autowired CustomFields fields;
  @Autowired MailingLists lists;
  @Autowired Suppressions suppressions;
  @Autowired Restrictions restrictions;
  @Autowired SuppressionScreen screen;
  @Autowired FormAttempts formAttempts;
  @Autowired List<PersonalDataHolder> holders;
  @Autowired TransactionTemplate tx;
  @Autowired MutableClock clock;

  TestOrganizations.Created org;
  long listId;
  static int counter;

  @BeforeEach
  void organization() {
    org = organizations.create("Holder Co " + (++counter), "lists:read", "lists:write", "privacy");
    listId = lists.create(org.id(), new MailingLists.ListForm("News", "", "public", "single", null, null, List.of())).id();
    fields.create(org.id(), "city", "City", "text", List.of());
  }

  record Section(String capability, String name, List<Map<String, Object>> rows) {}

  @Test
  void a_person_is_exported_then_erased_everywhere_but_the_keyed_hash_and_cannot_be_added_again() throws Exception {
    MockHttpServletResponse created = api(post("/api/v1/orgs/" + org.slug() + "/subscribers"), Map.of("email", "Ann.Lee@Example.com",
        "name", "Ann Lee", "fields", Map.of("city", "Turku"), "tags", List.of("vip"), "lists", List.of(listId),
        "consent", Map.of("text", "Yes, send me the Holder Co news", "ip", "203.0.113.7", "userAgent", "Mozilla/5.0 (holder test)",
            "basis", "our shop's sign-up form")));
    assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
    assertThat(api(post("/api/v1/orgs/" + org.slug() + "/subscribers"), Map.of("email", "bob@example.com", "lists", List.of(listId),
        "consent", Map.of("text", "Yes, send me the Holder Co news"))).getStatus()).isEqualTo(201);
    long ann = subscribers.findByEmail(org.id(), "ann.lee@example.com").orElseThrow().id();
    long bob = subscribers.findByEmail(org.id(), "bob@example.com").orElseThrow().id();
    subscribers.update(org.id(), ann, "Ann Lee-Smith", Map.of("city", "Turku"), List.of("vip"));
    // The import sets aside her second line and Bob's (duplicates), naming each address.
    JsonNode job = importCsv("email,name\nANN.LEE@example.com,Ann\nann.lee@example.com,Ann again\nbob@example.com,Bob\nbob@example.com,Bob\n");
    assertThat(job.get("status").asString()).isEqualTo("finished");
    suppressions.add(org.id(), new Suppressions.NewEntry("ann.lee@example.com", null, SuppressionReason.COMPLAINT, "she phoned us", null), "test");
    restrictions.restrict(org.id(), "Ann.Lee@example.com", RestrictionKind.OBJECTION, "no more offers, please");
    DataSubject person = subject("Ann.Lee@Example.com", List.of(ann));

    // ---- access
    List<Section> archive = export(person);
    assertThat(archive).extracting(Section::capability).containsOnly("audiences", "suppression", "tenancy");
    Map<String, Object> profile = only(archive, "subscriber");
    assertThat(profile).containsEntry("email", "Ann.Lee@example.com").containsEntry("name", "Ann Lee-Smith")
        .containsEntry("fields", Map.of("city", "Turku")).containsEntry("tags", List.of("vip"));
    assertThat(only(archive, "list memberships")).containsEntry("list", "News").containsEntry("status", "subscribed");
    assertThat(only(archive, "consent records")).containsEntry("consent_text", "Yes, send me the Holder Co news")
        .containsEntry("ip", "203.0.113.7").containsEntry("user_agent", "Mozilla/5.0 (holder test)")
        .containsEntry("basis", "our shop's sign-up form").containsEntry("channel", "api");
    assertThat(only(archive, "import lines set aside")).containsEntry("value", "ann.lee@example.com").containsEntry("line", 3L);
    assertThat(only(archive, "suppression entries")).containsEntry("address", "ann.lee@example.com").containsEntry("reason", "complaint")
        .containsEntry("note", "she phoned us");
    assertThat(only(archive, "restrictions and objections")).containsEntry("kind", "objection").containsEntry("reason", "no more offers, please");
    assertThat(section(archive, "changes to the subscriber record")).extracting(r -> r.get("action")).contains("subscriber.updated");
    assertThat(json.writeValueAsString(archive)).as("nothing of Bob").doesNotContain("bob@");

    // ---- erasure, as privacy runs it: right to left, one transaction
    Map<String, PersonalDataHolder.ErasureCount> counts = new java.util.LinkedHashMap<>();
    tx.executeWithoutResult(status -> {
      for (PersonalDataHolder h : mine().reversed()) counts.put(h.capability(), h.erase(person));
    });
    assertThat(counts.get("audiences").deleted()).containsEntry("subscriber", 1).containsEntry("subscription", 1)
        .containsEntry("consent_record", 1).containsEntry("import_error", 1);
    assertThat(counts.get("suppression").deleted()).containsEntry("suppression", 1).containsEntry("suppression_restriction", 1);

    assertThat(traces("Ann.Lee@Example.com")).as("the address, its case variants or an unkeyed hash of it, anywhere").isEmpty();
    List<Map<String, Object>> entries = jdbc.sql("select address, address_hash, reason from suppression where organization_id = ?")
        .param(org.id()).query().listOfRows();
    assertThat(entries).hasSize(1);
    assertThat(entries.getFirst()).containsEntry("address", null).containsEntry("reason", "erased");
    assertThat(HexFormat.of().formatHex((byte[]) entries.getFirst().get("address_hash")))
        .isEqualTo(screen.rememberErased(org.id(), "ann.lee@example.com"));
    assertThat(jdbc.sql("select count(*) from consent_record where subscriber_id = ?").param(ann).query(Long.class).single()).isZero();

    // Bob is untouched: subscribed, his consent and his import line kept.
    assertThat(subscribers.find(org.id(), bob).orElseThrow().lists()).extracting(Subscribers.Membership::status)
        .containsExactly(SubscriptionStatus.SUBSCRIBED);
    assertThat(jdbc.sql("select count(*) from consent_record where subscriber_id = ?").param(bob).query(Long.class).single()).isEqualTo(1);
    assertThat(jdbc.sql("select count(*) from import_error where value = 'bob@example.com'").query(Long.class).single()).isEqualTo(1);
    assertThat(export(subject("bob@example.com", List.of(bob)))).extracting(Section::name).contains("subscriber", "consent records");
    // Privacy finds no subscriber with the address now; the audit log keeps what was done to her former id.
    assertThat(export(subject("Ann.Lee@Example.com", List.of()))).as("nothing left to export").isEmpty();

    // She cannot be brought back by an import (even one only recording people who left) or by the API.
    JsonNode again = importCsv("email\nann.lee@EXAMPLE.com\ncarl@example.com\n");
    assertThat(new ImportCalls(mvc, json, imports, org, listId).errors(again).get(2L)).contains("erased");
    JsonNode leaving = importCsv("email\nAnn.Lee@example.com\n", Map.of("importAs", "unsubscribed"));
    assertThat(new ImportCalls(mvc, json, imports, org, listId).errors(leaving).get(2L)).contains("erased");
    // Setting her aside does not store her again: the import's report names the line, not the address.
    assertThat(jdbc.sql("select count(*) from import_error where lower(value) like '%ann.lee%'").query(Long.class).single())
        .as("an erased person's lines are recorded without the address").isZero();
    assertThat(jdbc.sql("select count(*) from import_error where value = ?").param(ImportMerge.ERASED_VALUE).query(Long.class).single())
        .isEqualTo(2);
    MockHttpServletResponse api = api(post("/api/v1/orgs/" + org.slug() + "/subscribers"), Map.of("email", "ann.lee@example.com",
        "lists", List.of(listId)));
    assertThat(api.getStatus()).as(api.getContentAsString()).isEqualTo(422);
    assertThat(subscribers.findByEmail(org.id(), "ann.lee@example.com")).isEmpty();
    assertThat(subscribers.findByEmail(org.id(), "carl@example.com")).isPresent();
  }

  @Test
  void the_hosted_forms_request_log_is_purged_in_batches_before_the_cutoff() {
    Instant start = clock.instant();
    for (int i = 0; i < 3; i++) formAttempts.allow("198.51.100." + i);
    clock.advance(Duration.ofMinutes(5));
    formAttempts.allow("198.51.100.9");
    // The schedule (a month) two minutes after the first three: they are past it, the fourth not yet.
    Instant later = start.plus(Duration.ofMinutes(2)).atZone(ZoneOffset.UTC).plus(RetentionCategory.HOSTED_PAGE_REQUESTS.defaultPeriod())
        .toInstant();
    clock.advance(Duration.between(clock.instant(), later));
    Instant cutoff = clock.instant().atZone(ZoneOffset.UTC).minus(RetentionCategory.HOSTED_PAGE_REQUESTS.defaultPeriod()).toInstant();
    assertThat(cutoff).isAfter(start).isBefore(start.plus(Duration.ofMinutes(5)));
    PersonalDataHolder audiences = holder("audiences");

    assertThat(audiences.purge(RetentionCategory.HOSTED_PAGE_REQUESTS, org.id(), cutoff, 2)).as("not kept per organization").isZero();
    assertThat(audiences.purge(RetentionCategory.AUDIT_LOG, null, cutoff, 2)).as("not this category").isZero();
    assertThat(audiences.purge(RetentionCategory.HOSTED_PAGE_REQUESTS, null, cutoff, 2)).isEqualTo(2);
    assertThat(audiences.purge(RetentionCategory.HOSTED_PAGE_REQUESTS, null, cutoff, 2)).isEqualTo(1);
    assertThat(audiences.purge(RetentionCategory.HOSTED_PAGE_REQUESTS, null, cutoff, 2)).isZero();
    assertThat(jdbc.sql("select ip from form_attempt").query(String.class).list()).containsExactly("198.51.100.9");
  }

  @Test
  void every_table_of_audiences_and_suppression_is_declared_once() {
    List<String> declared = new ArrayList<>();
    for (String capability : List.of("audiences", "suppression")) {
      holder(capability).tables().forEach(t -> declared.add(t.table()));
    }
    assertThat(declared).doesNotHaveDuplicates().contains("subscriber", "subscription", "consent_record", "consent_text", "import_job",
        "import_error", "import_row", "form_attempt", "confirmation_mail", "suppression");
  }

  // ---- helpers -------------------------------------------------------------------------------

  DataSubject subject(String address, List<Long> ids) {
    String key = ((EmailAddress.Valid) EmailAddress.parse(address)).address().key();
    return new DataSubject(org.id(), address, key, AddressDigest.of(key), ids);
  }

  List<PersonalDataHolder> mine() {
    return MINE.stream().map(this::holder).toList();
  }

  PersonalDataHolder holder(String capability) {
    return holders.stream().filter(h -> h.capability().equals(capability)).findFirst().orElseThrow();
  }

  List<Section> export(DataSubject person) {
    List<Section> sections = new ArrayList<>();
    PersonalDataArchive archive = (capability, name, description, rows) -> sections.add(new Section(capability, name, rows));
    for (PersonalDataHolder h : mine()) h.export(person, archive);
    return sections;
  }

  static List<Map<String, Object>> section(List<Section> archive, String name) {
    return archive.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow(() -> new AssertionError("no section " + name)).rows();
  }

  static Map<String, Object> only(List<Section> archive, String name) {
    List<Map<String, Object>> rows = section(archive, name);
    assertThat(rows).as(name).hasSize(1);
    return rows.getFirst();
  }

  /**
   * Every text-like column of every table holding the address in any case, or an unkeyed MD5, SHA-1 or SHA-256 of its
   * key (as hex in text, as bytes in bytea), as "table.column".
   */
  List<String> traces(String address) throws Exception {
    String key = ((EmailAddress.Valid) EmailAddress.parse(address)).address().key();
    List<String> needles = new ArrayList<>(List.of(key));
    List<byte[]> digests = new ArrayList<>();
    for (String algorithm : List.of("MD5", "SHA-1", "SHA-256")) {
      byte[] d = MessageDigest.getInstance(algorithm).digest(key.getBytes(StandardCharsets.UTF_8));
      digests.add(d);
      needles.add(HexFormat.of().formatHex(d));
    }
    List<String> found = new ArrayList<>();
    List<Map<String, Object>> columns = jdbc.sql("""
        select table_name, column_name, udt_name from information_schema.columns
        where table_schema = 'public' and (udt_name in ('text', 'varchar', 'bpchar', 'json', 'jsonb', 'bytea', 'inet')
          or udt_name in ('_text', '_varchar'))""").query().listOfRows();
    for (Map<String, Object> c : columns) {
      String table = (String) c.get("table_name"), column = (String) c.get("column_name");
      String text = c.get("udt_name").equals("bytea") ? "encode(\"" + column + "\", 'escape')" : "cast(\"" + column + "\" as text)";
      for (String needle : needles) {
        long n = jdbc.sql("select count(*) from \"" + table + "\" where position(? in lower(" + text + ")) > 0").param(needle)
            .query(Long.class).single();
        if (n > 0) found.add(table + "." + column + " (" + needle + ")");
      }
      if (c.get("udt_name").equals("bytea")) {
        for (byte[] d : digests) {
          long n = jdbc.sql("select count(*) from \"" + table + "\" where position(? in \"" + column + "\") > 0").param(d)
              .query(Long.class).single();
          if (n > 0) found.add(table + "." + column + " (digest bytes)");
        }
      }
    }
    return found;
  }

  MockHttpServletResponse api(org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request, Object body)
      throws Exception {
    return mvc.perform(request.header("Authorization", "Bearer " + org.apiKey()).contentType(MediaType.APPLICATION_JSON)
        .content(json.writeValueAsString(body))).andReturn().getResponse();
  }

  JsonNode importCsv(String csv) throws Exception {
    return importCsv(csv, Map.of());
  }

  JsonNode importCsv(String csv, Map<String, String> params) throws Exception {
    ImportCalls calls = new ImportCalls(mvc, json, imports, org, listId);
    return calls.finished(calls.upload("people.csv", csv.getBytes(StandardCharsets.UTF_8), params, 202));
  }
}
