package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.messages.LinkTracking;
import dev.herald.testsupport.MimeLint;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
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
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The send API: what a 202 means (everything committed together), each refusal naming its field, idempotency, batches, reading back. */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class MessagesApiTest {
  static final int MAX_SIZE = 64 * 1024;

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    registry.add("herald.sending.max-message-size", () -> MAX_SIZE + "B");
    registry.add("herald.sending.tracking-host", () -> "t.herald.test");
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired Suppressions suppressions;
  @Autowired StoredMessageSource source;
  @Autowired OutboundMessages outbound;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired LinkTracking tracking;

  TestOrganizations.Created acme;
  String domain;
  static int counter;

  @BeforeEach
  void organization() {
    counter++;
    acme = organizations.create("Send Api " + counter, "send");
    domain = "send-" + counter + ".example";
    new TestSendingDomains(sendingDomains, jdbc).verified(acme.id(), domain);
  }

  MockHttpServletResponse call(TestOrganizations.Created org, MockHttpServletRequestBuilder r, String body) throws Exception {
    r.header("Authorization", "Bearer " + org.apiKey());
    if (body != null) r.contentType("application/json").content(body);
    return mvc.perform(r).andReturn().getResponse();
  }

  JsonNode expect(MockHttpServletResponse response, int status) throws Exception {
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
    return json.readTree(response.getContentAsString());
  }

  JsonNode send(Map<String, Object> message, String key, int status) throws Exception {
    MockHttpServletRequestBuilder r = post("/api/v1/orgs/" + acme.slug() + "/messages");
    if (key != null) r.header("Idempotency-Key", key);
    return expect(call(acme, r, json.writeValueAsString(message)), status);
  }

  Map<String, Object> message(Object... extra) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    m.put("from", "news@" + domain);
    m.put("to", List.of("ann@one.example"));
    m.put("subject", "Hello");
    m.put("text", "Hi Ann");
    for (int i = 0; i < extra.length; i += 2) m.put((String) extra[i], extra[i + 1]);
    return m;
  }

  long messages() {
    return jdbc.sql("select count(*) from outbound_message where organization_id = ?").param(acme.id()).query(Long.class).single();
  }

  long recipients() {
    return jdbc.sql("select count(*) from outbound_recipient where organization_id = ?").param(acme.id()).query(Long.class).single();
  }

  static String field(JsonNode problem) {
    return problem.get("errors").get(0).get("field").asString();
  }

  @Test
  void an_accepted_message_is_stored_once_with_a_queued_row_per_recipient_and_bcc_in_no_header() throws Exception {
    JsonNode accepted = send(message("to", List.of("ann@one.example", "bob@two.example"), "cc", List.of("cat@one.example"),
        "bcc", List.of("dan@three.example", "ANN@one.example"), "html", "<p>Hi</p>", "replyTo", "help@" + domain,
        "headers", Map.of("X-Campaign", "spring"), "tags", List.of("welcome"), "metadata", Map.of("user", 42)), null, 202);

    long id = accepted.get("id").asLong();
    assertThat(accepted.get("recipients")).hasSize(4); // Ann once: the Bcc copy of her address is the To one
    List<String> rows = jdbc.sql("select kind || ' ' || address || ' ' || domain || ' ' || state from outbound_recipient where message_id = ? order by id")
        .param(id).query(String.class).list();
    assertThat(rows).containsExactly("to ann@one.example one.example queued", "to bob@two.example two.example queued",
        "cc cat@one.example one.example queued", "bcc dan@three.example three.example queued");
    for (JsonNode r : accepted.get("recipients")) assertThat(r.get("state").asString()).isEqualTo("queued");

    String wire = new String(source.content(id, accepted.get("recipients").get(0).get("id").asLong()).bytes(), StandardCharsets.UTF_8);
    assertThat(wire).contains("To: ann@one.example, bob@two.example\r\n").contains("Cc: cat@one.example\r\n")
        .contains("Message-ID: <" + accepted.get("messageId").asString() + ">").contains("X-Campaign: spring")
        .contains("Reply-To: help@" + domain).doesNotContain("dan@three.example").doesNotContainPattern("(?im)^bcc:");
    assertThat(accepted.get("messageId").asString()).endsWith("@" + domain);
    // every recipient and every retry gets the same stored bytes
    assertThat(source.content(id, accepted.get("recipients").get(3).get("id").asLong()).bytes()).isEqualTo(wire.getBytes(StandardCharsets.UTF_8));
    assertThat(jdbc.sql("select source from outbound_message where id = ?").param(id).query(String.class).single()).isEqualTo("api");
  }

  @Test
  void a_message_to_bcc_recipients_only_is_accepted_with_an_empty_to_group_and_no_address_in_any_header() throws Exception {
    JsonNode accepted = send(message("to", List.of(), "bcc", List.of("dan@three.example", "eve@four.example")), null, 202);
    long id = accepted.get("id").asLong();
    assertThat(accepted.get("recipients")).hasSize(2);
    String wire = new String(source.content(id, accepted.get("recipients").get(0).get("id").asLong()).bytes(), StandardCharsets.UTF_8);
    assertThat(wire).contains("\r\nTo: undisclosed-recipients:;\r\n").doesNotContain("dan@three.example").doesNotContain("eve@four.example")
        .doesNotContainPattern("(?im)^(cc|bcc):");
    assertThat(jdbc.sql("select string_agg(kind, ',' order by id) from outbound_recipient where message_id = ?").param(id)
        .query(String.class).single()).isEqualTo("bcc,bcc");
  }

  @Test
  void unsubscribe_links_marked_untracked_or_not_http_are_never_rewritten_and_list_unsubscribe_cannot_be_set_through_headers()
      throws Exception {
    String html = "<p><a href=\"https://shop.example/offer\">offer</a>"
        + " <a data-herald-track=\"off\" href=\"https://shop.example/unsubscribe?u=1\">unsubscribe</a>"
        + " <a href='https://shop.example/unsubscribe?u=2' DATA-HERALD-TRACK='OFF'>unsubscribe</a>"
        + " <a data-herald-track=off href=https://shop.example/unsubscribe?u=3>unsubscribe</a>"
        + " <a href=\"{{unsubscribe}}\">unsubscribe</a> <a href=\"%unsubscribe_url%\">unsubscribe</a>"
        + " <a href=\"mailto:unsubscribe@shop.example?subject=unsubscribe\">unsubscribe</a></p>";
    JsonNode accepted = send(message("html", html, "text", "Unsubscribe: https://shop.example/unsubscribe?u=1", "trackClicks", true), null, 202);
    long id = accepted.get("id").asLong();
    assertThat(jdbc.sql("select url from outbound_link where message_id = ? order by link_number").param(id).query(String.class).list())
        .as("only the offer is tracked").containsExactly("https://shop.example/offer");
    byte[] bytes = source.content(id, recipientOf(id)).bytes();
    String decodedHtml = htmlPart(bytes);
    java.util.regex.Matcher tracked = TRACKED.matcher(decodedHtml);
    assertThat(tracked.results().count()).isEqualTo(1);
    assertThat(decodedHtml).contains("href=\"https://shop.example/unsubscribe?u=1\"", "href='https://shop.example/unsubscribe?u=2'",
        "href=https://shop.example/unsubscribe?u=3", "href=\"{{unsubscribe}}\"", "href=\"%unsubscribe_url%\"",
        "href=\"mailto:unsubscribe@shop.example?subject=unsubscribe\"");
    assertThat(textPart(bytes)).isEqualTo("Unsubscribe: https://shop.example/unsubscribe?u=1");

    // List-Unsubscribe is Herald's to write (and sign), never a sender's header to pass through the tracking.
    for (String name : new String[] {"List-Unsubscribe", "list-unsubscribe-post"}) {
      assertThat(field(send(message("headers", Map.of(name, "<https://shop.example/unsubscribe?u=4>"), "html", html, "trackClicks", true),
          null, 422))).isEqualTo("headers." + name);
    }
  }

  static final java.util.regex.Pattern TRACKED = java.util.regex.Pattern.compile("https://([a-z0-9.-]+)/t/([co])/([a-z2-7]{45})");

  @Test
  void tracked_links_are_stored_once_per_message_and_each_recipient_gets_its_own_tokens_the_same_on_every_call() throws Exception {
    String html = "<html><body><p><a href=\"https://shop.example/a?x=1&amp;y=2\">A</a> <a href=\"https://shop.example/b\">B</a>"
        + " <a href=\"https://shop.example/a?x=1&amp;y=2\">A again</a> <a href=\"mailto:help@shop.example\">mail</a>"
        + " <a data-herald-track=\"off\" href=\"https://shop.example/unsubscribe\">unsubscribe</a></p></body></html>";
    JsonNode accepted = send(message("to", List.of("ann@one.example", "bob@two.example"), "bcc", List.of("cat@three.example"),
        "html", html, "text", "Visit https://shop.example/a", "trackOpens", true, "trackClicks", true), null, 202);
    long id = accepted.get("id").asLong();
    assertThat(jdbc.sql("select link_number || ' ' || url from outbound_link where message_id = ? order by link_number").param(id)
        .query(String.class).list()).as("once per message, not per recipient")
        .containsExactly("1 https://shop.example/a?x=1&y=2", "2 https://shop.example/b");

    List<Long> recipients = new ArrayList<>();
    accepted.get("recipients").forEach(r -> recipients.add(r.get("id").asLong()));
    assertThat(recipients).hasSize(3);
    JsonNode shown = expect(call(acme, get("/api/v1/orgs/" + acme.slug() + "/messages/" + id), null), 200);
    assertThat(shown.get("trackOpens").asBoolean()).isTrue();
    assertThat(shown.get("trackClicks").asBoolean()).isTrue();
    byte[] ann = source.content(id, recipients.get(0)).bytes();
    assertThat(source.content(id, recipients.get(0)).bytes()).as("the same bytes on every call").isEqualTo(ann);
    for (long recipient : recipients) {
      byte[] bytes = source.content(id, recipient).bytes();
      MimeLint.check(bytes, false);
      String decodedHtml = htmlPart(bytes);
      java.util.regex.Matcher m = TRACKED.matcher(decodedHtml);
      List<String> seen = new ArrayList<>();
      while (m.find()) {
        assertThat(m.group(1)).as("the installation's host: the domain's tracking CNAME is not checked ok").isEqualTo("t.herald.test");
        LinkTracking.Tracked t = tracking.verify(m.group(3)).orElseThrow();
        assertThat(t.messageId()).isEqualTo(id);
        assertThat(t.recipientId()).isEqualTo(recipient);
        seen.add(m.group(2) + t.link());
      }
      assertThat(seen).containsExactly("c1", "c2", "c1", "o0");
      assertThat(decodedHtml).contains("href=\"mailto:help@shop.example\"", "href=\"https://shop.example/unsubscribe\"");
      assertThat(textPart(bytes)).isEqualTo("Visit https://shop.example/a");
    }
    assertThat(source.content(id, recipients.get(1)).bytes()).isNotEqualTo(ann);
    // the worker's batch form gives each recipient the same bytes as the single form
    List<MessageSource.Wanted> wanted = recipients.stream().map(r -> new MessageSource.Wanted(id, r)).toList();
    Map<MessageSource.Wanted, MessageSource.Answer> batch = source.contents(wanted);
    for (MessageSource.Wanted w : wanted) assertThat(((MessageSource.Content) batch.get(w)).bytes()).isEqualTo(source.content(id, w.recipientId()).bytes());

    // once the domain's own tracking CNAME checks ok, links go through track.<domain>
    jdbc.sql("insert into domain_record_check (domain_id, record, state, checked_at) select id, 'tracking', 'ok', now() from sending_domain"
        + " where name = ? on conflict (domain_id, record) do update set state = 'ok'").param(domain).update();
    long second = send(message("html", "<a href=\"https://shop.example/c\">C</a>", "trackClicks", true), null, 202).get("id").asLong();
    java.util.regex.Matcher m = TRACKED.matcher(htmlPart(source.content(second, recipientOf(second)).bytes()));
    assertThat(m.find()).isTrue();
    assertThat(m.group(1)).isEqualTo("track." + domain);
    assertThat(m.group(2)).isEqualTo("c");
    assertThat(m.find()).as("no open pixel without trackOpens").isFalse();
  }

  @Test
  void without_tracking_fields_nothing_is_rewritten_and_no_link_is_stored() throws Exception {
    String html = "<p><a href=\"https://shop.example/a\">A</a></p>";
    long id = send(message("html", html, "trackOpens", false), null, 202).get("id").asLong();
    assertThat(jdbc.sql("select count(*) from outbound_link where message_id = ?").param(id).query(Long.class).single()).isZero();
    assertThat(jdbc.sql("select track_opens or track_clicks from outbound_message where id = ?").param(id).query(Boolean.class).single()).isFalse();
    JsonNode shown = expect(call(acme, get("/api/v1/orgs/" + acme.slug() + "/messages/" + id), null), 200);
    assertThat(shown.get("trackOpens").asBoolean()).isFalse();
    assertThat(shown.get("trackClicks").asBoolean()).isFalse();
    byte[] bytes = source.content(id, recipientOf(id)).bytes();
    assertThat(htmlPart(bytes)).isEqualTo(html);
    assertThat(new String(bytes, StandardCharsets.UTF_8)).doesNotContain("/t/c/", "/t/o/");
  }

  long recipientOf(long messageId) {
    return jdbc.sql("select min(id) from outbound_recipient where message_id = ?").param(messageId).query(Long.class).single();
  }

  static jakarta.mail.BodyPart alternative(byte[] bytes, int i) throws Exception {
    jakarta.mail.internet.MimeMessage parsed = new jakarta.mail.internet.MimeMessage(
        jakarta.mail.Session.getInstance(new java.util.Properties()), new java.io.ByteArrayInputStream(bytes));
    return ((jakarta.mail.internet.MimeMultipart) parsed.getContent()).getBodyPart(i);
  }

  static String htmlPart(byte[] bytes) throws Exception {
    return (String) alternative(bytes, 1).getContent();
  }

  static String textPart(byte[] bytes) throws Exception {
    return (String) alternative(bytes, 0).getContent();
  }

  @Test
  void a_failure_on_the_second_recipient_leaves_no_message_and_no_recipient() throws Exception {
    jdbc.sql("alter table outbound_recipient add constraint test_no_boom check (address_key <> 'boom@fail.example')").update();
    try {
      MockHttpServletResponse response = call(acme, post("/api/v1/orgs/" + acme.slug() + "/messages"),
          json.writeValueAsString(message("to", List.of("ann@one.example", "boom@fail.example"))));
      assertThat(response.getStatus()).isEqualTo(500);
    } finally {
      jdbc.sql("alter table outbound_recipient drop constraint test_no_boom").update();
    }
    assertThat(messages()).isZero();
    assertThat(recipients()).isZero();
  }

  @Test
  void a_from_address_not_on_a_verified_domain_of_the_organization_is_refused_naming_from() throws Exception {
    new TestSendingDomains(sendingDomains, jdbc).added(acme.id(), "pending-" + counter + ".example");
    assertThat(field(send(message("from", "news@pending-" + counter + ".example"), null, 422))).isEqualTo("from");
    assertThat(field(send(message("from", "news@someone-else.example"), null, 422))).isEqualTo("from");
    TestOrganizations.Created other = organizations.create("Send Api Other " + counter, "send");
    assertThat(field(expect(call(other, post("/api/v1/orgs/" + other.slug() + "/messages"), json.writeValueAsString(message())), 422)))
        .as("another organization's verified domain").isEqualTo("from");
    assertThat(messages()).isZero();
  }

  @Test
  void a_bad_address_is_refused_naming_its_field_and_position() throws Exception {
    assertThat(field(send(message("to", List.of("ann@one.example", "not an address")), null, 422))).isEqualTo("to[1]");
    assertThat(field(send(message("bcc", List.of("x@@y")), null, 422))).isEqualTo("bcc[0]");
    assertThat(field(send(message("to", List.of()), null, 422))).isEqualTo("to");
    assertThat(field(send(message("text", null), null, 422))).isEqualTo("text");
    assertThat(messages()).isZero();
  }

  @Test
  void a_line_break_in_a_header_or_the_subject_is_refused() throws Exception {
    assertThat(field(send(message("headers", Map.of("X-Note", "a\r\nBcc: evil@bad.example")), null, 422))).isEqualTo("headers.X-Note");
    assertThat(field(send(message("subject", "Hi\r\nBcc: evil@bad.example"), null, 422))).isEqualTo("subject");
    assertThat(field(send(message("headers", Map.of("Bcc", "evil@bad.example")), null, 422))).isEqualTo("headers.Bcc");
    assertThat(messages()).isZero();
  }

  @Test
  void attachments_are_decoded_and_the_size_cap_is_kept() throws Exception {
    JsonNode ok = send(message("attachments", List.of(Map.of("filename", "a.txt", "contentType", "text/plain",
        "content", Base64.getEncoder().encodeToString("attached text".getBytes(StandardCharsets.UTF_8))))), null, 202);
    String wire = new String(source.content(ok.get("id").asLong(), 0).bytes(), StandardCharsets.UTF_8);
    assertThat(wire).contains("filename=a.txt").contains("multipart/mixed");

    assertThat(field(send(message("attachments", List.of(Map.of("filename", "a.bin", "content", "***"))), null, 422)))
        .isEqualTo("attachments[0].content");
    String big = Base64.getEncoder().encodeToString(new byte[MAX_SIZE]);
    assertThat(field(send(message("attachments", List.of(Map.of("filename", "big.bin", "content", big))), null, 422))).isEqualTo("attachments");
    assertThat(messages()).isEqualTo(1);
  }

  @Test
  void the_same_idempotency_key_answers_the_first_answer_and_a_different_body_is_a_conflict() throws Exception {
    JsonNode first = send(message(), "order-17", 202);
    JsonNode again = send(message(), "order-17", 202);
    assertThat(again).isEqualTo(first);
    assertThat(messages()).isEqualTo(1);

    JsonNode conflict = send(message("subject", "Another"), "order-17", 409);
    assertThat(field(conflict)).isEqualTo("Idempotency-Key");
    assertThat(send(message(), "order-18", 202).get("id").asLong()).isNotEqualTo(first.get("id").asLong());
    assertThat(messages()).isEqualTo(2);
    assertThat(field(send(message(), "has space", 422))).isEqualTo("Idempotency-Key");
  }

  JsonNode batch(List<Map<String, Object>> messages, String key, int status) throws Exception {
    MockHttpServletRequestBuilder r = post("/api/v1/orgs/" + acme.slug() + "/messages/batch");
    if (key != null) r.header("Idempotency-Key", key);
    return expect(call(acme, r, json.writeValueAsString(Map.of("messages", messages))), status);
  }

  @Test
  void a_batch_commits_the_valid_messages_and_answers_a_problem_for_each_invalid_one() throws Exception {
    List<Map<String, Object>> sent = List.of(message(), message("to", List.of("nope")), message("from", "x@elsewhere.example"),
        message("to", List.of("bob@two.example")));
    JsonNode answer = batch(sent, "batch-1", 202);
    assertThat(answer.get("accepted").asInt()).isEqualTo(2);
    assertThat(answer.get("refused").asInt()).isEqualTo(2);
    JsonNode results = answer.get("results");
    assertThat(results.get(0).get("id").asLong()).isPositive();
    assertThat(results.get(1).get("problem").get("status").asInt()).isEqualTo(422);
    assertThat(field(results.get(1).get("problem"))).isEqualTo("to[0]");
    assertThat(field(results.get(2).get("problem"))).isEqualTo("from");
    assertThat(results.get(3).get("recipients").get(0).get("address").asString()).isEqualTo("bob@two.example");
    assertThat(messages()).isEqualTo(2);

    JsonNode again = batch(sent, "batch-1", 202);
    assertThat(again.get("results").get(0).get("id")).isEqualTo(results.get(0).get("id"));
    assertThat(again.get("results").get(3).get("id")).isEqualTo(results.get(3).get("id"));
    assertThat(messages()).as("the same batch again queues nothing new").isEqualTo(2);
  }

  @Test
  void a_batch_stores_each_message_with_its_own_recipients_links_and_tags_and_a_reused_key_is_refused_for_that_message_alone()
      throws Exception {
    String tag = "a \"quoted\" \\ tag, {braced}";
    List<Map<String, Object>> sent = List.of(
        message("to", List.of("ann@one.example", "bob@two.example"), "cc", List.of("cat@one.example"), "bcc", List.of("dan@three.example"),
            "tags", List.of(tag, "plain"), "trackClicks", true,
            "html", "<p><a href=\"https://shop.example/a\">A</a> <a href=\"https://shop.example/b\">B</a></p>"),
        message("to", List.of("nope")),
        message("to", List.of("eve@four.example"), "trackClicks", true, "html", "<p><a href=\"https://shop.example/c\">C</a></p>",
            "metadata", Map.of("n", 1)));
    JsonNode results = batch(sent, "mix", 202).get("results");

    long first = results.get(0).get("id").asLong();
    long third = results.get(2).get("id").asLong();
    List<String> answered = new ArrayList<>();
    for (JsonNode r : results.get(0).get("recipients")) answered.add(r.get("kind").asString() + " " + r.get("address").asString());
    assertThat(answered).containsExactly("to ann@one.example", "to bob@two.example", "cc cat@one.example", "bcc dan@three.example");
    assertThat(results.get(2).get("recipients")).hasSize(1);
    assertThat(results.get(2).get("recipients").get(0).get("address").asString()).isEqualTo("eve@four.example");
    for (int i : new int[] {0, 2}) {
      long id = results.get(i).get("id").asLong();
      List<Long> stored = jdbc.sql("select id from outbound_recipient where message_id = ? order by id").param(id).query(Long.class).list();
      List<Long> ids = new ArrayList<>();
      for (JsonNode r : results.get(i).get("recipients")) ids.add(r.get("id").asLong());
      assertThat(ids).as("the answer names the message's own rows").isEqualTo(stored);
      assertThat(jdbc.sql("select header_message_id from outbound_message where id = ?").param(id).query(String.class).single())
          .isEqualTo(results.get(i).get("messageId").asString());
    }
    assertThat(jdbc.sql("select link_number || ' ' || url from outbound_link where message_id = ? order by link_number").param(first)
        .query(String.class).list()).containsExactly("1 https://shop.example/a", "2 https://shop.example/b");
    assertThat(jdbc.sql("select link_number || ' ' || url from outbound_link where message_id = ?").param(third)
        .query(String.class).list()).containsExactly("1 https://shop.example/c");
    JsonNode shown = expect(call(acme, get("/api/v1/orgs/" + acme.slug() + "/messages/" + first), null), 200);
    assertThat(shown.get("tags").get(0).asString()).isEqualTo(tag);
    assertThat(shown.get("tags").get(1).asString()).isEqualTo("plain");
    JsonNode third_ = expect(call(acme, get("/api/v1/orgs/" + acme.slug() + "/messages/" + third), null), 200);
    assertThat(third_.get("metadata").get("n").asInt()).isEqualTo(1);

    List<Map<String, Object>> changed = new ArrayList<>(sent);
    changed.set(2, message("to", List.of("fay@five.example")));
    JsonNode again = batch(changed, "mix", 202).get("results");
    assertThat(again.get(0).get("id").asLong()).isEqualTo(first);
    assertThat(again.get(0).get("recipients")).isEqualTo(results.get(0).get("recipients"));
    assertThat(again.get(2).get("problem").get("status").asInt()).isEqualTo(409);
    assertThat(messages()).isEqualTo(2);
    assertThat(recipients()).isEqualTo(5);
  }

  @Test
  void a_batch_of_more_than_1000_messages_is_refused_whole() throws Exception {
    List<Map<String, Object>> many = new ArrayList<>();
    for (int i = 0; i < 1001; i++) many.add(message());
    JsonNode problem = batch(many, null, 422);
    assertThat(field(problem)).isEqualTo("messages");
    assertThat(problem.get("detail").asString()).contains("1000");
    assertThat(field(batch(List.of(), null, 422))).isEqualTo("messages");
    assertThat(messages()).isZero();
  }

  @Test
  void a_suppressed_recipient_is_recorded_failed_and_the_message_shows_each_state() throws Exception {
    suppressions.add(acme.id(), new Suppressions.NewEntry("gone@one.example", null, dev.herald.suppression.SuppressionReason.MANUAL, null, null), "test");
    JsonNode accepted = send(message("to", List.of("ann@one.example", "gone@one.example"), "tags", List.of("receipts")), null, 202);
    long id = accepted.get("id").asLong();
    assertThat(accepted.get("recipients").get(1).get("state").asString()).isEqualTo("failed");

    JsonNode shown = expect(call(acme, get("/api/v1/orgs/" + acme.slug() + "/messages/" + id), null), 200);
    assertThat(shown.get("from").asString()).isEqualTo("news@" + domain);
    assertThat(shown.get("subject").asString()).isEqualTo("Hello");
    assertThat(shown.get("tags").get(0).asString()).isEqualTo("receipts");
    JsonNode ann = shown.get("recipients").get(0), gone = shown.get("recipients").get(1);
    assertThat(ann.get("state").asString()).isEqualTo("queued");
    assertThat(ann.get("attempts").asInt()).isZero();
    assertThat(gone.get("state").asString()).isEqualTo("failed");
    assertThat(gone.get("lastReply").asString()).startsWith("Not sent: suppressed");

    send(message("to", List.of("cat@one.example")), null, 202);
    String base = "/api/v1/orgs/" + acme.slug() + "/messages";
    assertThat(expect(call(acme, get(base), null), 200).get("total").asLong()).isEqualTo(2);
    JsonNode failed = expect(call(acme, get(base).param("state", "failed"), null), 200);
    assertThat(failed.get("total").asLong()).isEqualTo(1);
    assertThat(failed.get("items").get(0).get("recipients").get("failed").asInt()).isEqualTo(1);
    assertThat(expect(call(acme, get(base).param("tag", "receipts"), null), 200).get("items").get(0).get("id").asLong()).isEqualTo(id);
    assertThat(expect(call(acme, get(base).param("recipient", "CAT@one.example"), null), 200).get("total").asLong()).isEqualTo(1);
    assertThat(field(expect(call(acme, get(base).param("state", "lost"), null), 422))).isEqualTo("state");
    // PostgreSQL refuses a NUL in a parameter: a tag holding one was a 500 before it was named as the tag's fault.
    assertThat(field(expect(call(acme, get(base).param("tag", "rec\u0000eipts"), null), 422))).isEqualTo("tag");
  }

  @Test
  void sending_and_reading_need_the_send_scope() throws Exception {
    TestOrganizations.Created reader = organizations.create("Send Api Reader " + counter, "domains:read", "lists:write");
    new TestSendingDomains(sendingDomains, jdbc).verified(reader.id(), "reader-" + counter + ".example");
    String base = "/api/v1/orgs/" + reader.slug() + "/messages";
    String body = json.writeValueAsString(message("from", "news@reader-" + counter + ".example"));
    assertThat(call(reader, post(base), body).getStatus()).isEqualTo(403);
    assertThat(call(reader, post(base + "/batch"), "{\"messages\": [" + body + "]}").getStatus()).isEqualTo(403);
    assertThat(call(reader, get(base), null).getStatus()).isEqualTo(403);
    assertThat(jdbc.sql("select count(*) from outbound_message where organization_id = ?").param(reader.id()).query(Long.class).single()).isZero();
  }

  @Test
  void a_suspended_organization_cannot_send() throws Exception {
    send(message(), null, 202);
    var operator = organizations.asNewOperator("operator-" + counter + "@send.test");
    assertThat(mvc.perform(post("/operator/organizations/" + acme.id() + "/suspend").param("reason", "abuse").with(operator).with(csrf()))
        .andReturn().getResponse().getStatus()).isLessThan(400);
    MockHttpServletResponse refused = call(acme, post("/api/v1/orgs/" + acme.slug() + "/messages"), json.writeValueAsString(message()));
    assertThat(refused.getStatus()).isEqualTo(403);
    assertThat(messages()).isEqualTo(1);
  }

  @Test
  void every_recipient_state_comes_back_through_the_api_as_stored() throws Exception {
    long id = send(message(), null, 202).get("id").asLong();
    for (RecipientState state : RecipientState.values()) {
      jdbc.sql("update outbound_recipient set state = ? where message_id = ?").params(state.text(), id).update();
      JsonNode shown = expect(call(acme, get("/api/v1/orgs/" + acme.slug() + "/messages/" + id), null), 200);
      assertThat(shown.get("recipients").get(0).get("state").asString()).isEqualTo(state.text());
    }
  }

  @Test
  void two_requests_with_one_key_at_the_same_moment_make_one_message() throws Exception {
    SendRequest request = new SendRequest("news@" + domain, null, List.of("ann@one.example"), null, null, null, "Once", null, "Hi",
        null, null, null, null);
    for (int round = 0; round < 5; round++) {
      String key = "race-" + round;
      java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
      try (var pool = java.util.concurrent.Executors.newFixedThreadPool(2)) {
        List<java.util.concurrent.Future<OutboundMessages.Accepted>> answers = new ArrayList<>();
        for (int t = 0; t < 2; t++) {
          answers.add(pool.submit(() -> {
            start.await(10, java.util.concurrent.TimeUnit.SECONDS);
            return outbound.accept(acme.id(), request, key);
          }));
        }
        OutboundMessages.Accepted a = answers.get(0).get(30, java.util.concurrent.TimeUnit.SECONDS);
        OutboundMessages.Accepted b = answers.get(1).get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(b).isEqualTo(a);
      }
    }
    assertThat(messages()).isEqualTo(5);
    assertThat(recipients()).isEqualTo(5);
  }
}
