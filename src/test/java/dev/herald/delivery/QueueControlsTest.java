package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import java.time.Instant;
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
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The operator's queue view and controls through the operator API and the panel: destinations by size with their
 * states, filter and paging; pause and resume (one domain, the whole queue); retry now and delete with a reason, for a
 * destination and a message; each audited, and a recipient being sent is left alone.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class QueueControlsTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
  @Autowired QueueView view;
  @Autowired JdbcClient jdbc;
  @Autowired BulkSends bulkSends;
  @Autowired ObjectMapper json;

  static int counter;
  TestOrganizations.Created acme;
  String from;
  long domainId;
  RequestPostProcessor operator;
  long auditFrom;

  @BeforeEach
  void queue() {
    counter++;
    jdbc.sql("delete from outbound_message").update();
    jdbc.sql("delete from queue_pause").update();
    view.forgetTotals();
    auditFrom = jdbc.sql("select coalesce(max(id), 0) from audit_event").query(Long.class).single();
    acme = organizations.create("Queue " + counter, "send");
    String domain = "queue-" + counter + ".example";
    domainId = new TestSendingDomains(sendingDomains, jdbc).verified(acme.id(), domain);
    from = "news@" + domain;
    operator = organizations.asNewOperator("operator-" + counter + "@queue.test");
  }

  long send(String... to) {
    return outbound.accept(acme.id(), new SendRequest(from, null, List.of(to), null, null, null, "Hello", null, "Hi", null, null,
        null, null), null).id();
  }

  void set(String address, String state, String reply, Instant lastAttempt, Instant next) {
    jdbc.sql("update outbound_recipient set state = ?, last_reply = ?, last_attempt_at = ?, next_attempt_at = ? where address = ?")
        .params(state, reply, lastAttempt == null ? null : java.sql.Timestamp.from(lastAttempt), java.sql.Timestamp.from(next), address)
        .update();
  }

  MockHttpServletResponse call(MockHttpServletRequestBuilder r, String body) throws Exception {
    r.with(operator).with(csrf());
    if (body != null) r.contentType("application/json").content(body);
    return mvc.perform(r).andReturn().getResponse();
  }

  @SuppressWarnings("unchecked")
  Map<String, String> flashedErrors(MockHttpServletRequestBuilder r) throws Exception {
    var result = mvc.perform(r.with(operator).with(csrf())).andReturn();
    assertThat(result.getResponse().getRedirectedUrl()).startsWith("/operator/queue");
    return (Map<String, String>) result.getFlashMap().get("errors");
  }

  JsonNode expect(MockHttpServletResponse response, int status) throws Exception {
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
    return json.readTree(response.getContentAsString());
  }

  String state(String address) {
    return jdbc.sql("select state || ' ' || last_reply from outbound_recipient where address = ?").param(address).query(String.class).single();
  }

  List<String> audit(String action) {
    return jdbc.sql("select object_id || ' ' || detail from audit_event where action = ? and organization_id is null and id > ? order by id")
        .params(action, auditFrom).query(String.class).list();
  }

  @Test
  void destinations_come_largest_first_with_their_states_oldest_due_and_last_reply() throws Exception {
    send("a1@big.example", "a2@big.example", "a3@big.example", "b1@small.example");
    long other = send("c1@other.example", "c2@other.example");
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    set("a2@big.example", "deferred", "451 4.7.1 older", t, t.plusSeconds(600));
    set("a3@big.example", "deferred", "421 4.7.0 newest", t.plusSeconds(60), t.plusSeconds(900));
    set("b1@small.example", "sending", "", null, t);
    set("c1@other.example", "delivered", "250 ok", t, t);
    assertThat(other).isPositive();

    JsonNode queue = expect(call(get("/api/v1/operator/queue"), null), 200);
    assertThat(queue.get("totals").get("queued").asLong()).isEqualTo(2); // a1, c2
    assertThat(queue.get("totals").get("sending").asLong()).isEqualTo(1);
    assertThat(queue.get("totals").get("deferred").asLong()).isEqualTo(2);
    assertThat(queue.get("totals").get("destinations").asLong()).isEqualTo(3);
    JsonNode items = queue.get("destinations").get("items");
    assertThat(items).extracting(d -> d.get("domain").asString()).containsExactly("big.example", "other.example", "small.example");
    JsonNode big = items.get(0);
    assertThat(big.get("queued").asLong()).isEqualTo(1);
    assertThat(big.get("deferred").asLong()).isEqualTo(2);
    assertThat(big.get("lastReply").asString()).isEqualTo("421 4.7.0 newest");
    assertThat(Instant.parse(big.get("oldestDue").asString())).isBeforeOrEqualTo(t.plusSeconds(600));
    JsonNode small = items.get(2);
    assertThat(small.get("sending").asLong()).isEqualTo(1);
    assertThat(small.get("oldestDue").isNull()).as("nothing waiting, only sending").isTrue();
    assertThat(queue.get("destinations").get("total").asLong()).isEqualTo(3);

    JsonNode filtered = expect(call(get("/api/v1/operator/queue").param("q", "SMALL"), null), 200);
    assertThat(filtered.get("destinations").get("items")).extracting(d -> d.get("domain").asString()).containsExactly("small.example");
    // No domain holds a control character (and PostgreSQL refuses a NUL): such a filter matches nothing, not a 500.
    JsonNode nul = expect(call(get("/api/v1/operator/queue").param("q", "small\u0000"), null), 200);
    assertThat(nul.get("destinations").get("items")).isEmpty();
    assertThat(nul.get("destinations").get("total").asLong()).isZero();

    JsonNode second = expect(call(get("/api/v1/operator/queue").param("size", "2").param("page", "1"), null), 200);
    assertThat(second.get("destinations").get("items")).extracting(d -> d.get("domain").asString()).containsExactly("small.example");
    assertThat(second.get("destinations").get("total").asLong()).isEqualTo(3);
    JsonNode past = expect(call(get("/api/v1/operator/queue").param("size", "2").param("page", "5"), null), 200);
    assertThat(past.get("destinations").get("items")).isEmpty();
    assertThat(past.get("destinations").get("total").asLong()).as("the pager can link back").isEqualTo(3);
    expect(call(get("/api/v1/operator/queue").param("size", "0"), null), 422);
  }

  @Test
  void held_recipients_of_paused_campaigns_are_counted_per_destination_and_in_the_totals() throws Exception {
    send("a1@big.example", "a2@big.example", "a3@big.example", "h1@held.example", "h2@held.example");
    Instant t = Instant.parse("2026-12-01T10:00:00Z");
    set("a2@big.example", "held", "", null, t);
    set("h1@held.example", "held", "", null, t);
    set("h2@held.example", "held", "", null, t);

    JsonNode queue = expect(call(get("/api/v1/operator/queue"), null), 200);
    assertThat(queue.get("totals").get("queued").asLong()).isEqualTo(2);
    assertThat(queue.get("totals").get("held").asLong()).isEqualTo(3);
    assertThat(queue.get("totals").get("destinations").asLong()).isEqualTo(2);
    JsonNode items = queue.get("destinations").get("items");
    assertThat(items).extracting(d -> d.get("domain").asString() + " " + d.get("queued").asLong() + " " + d.get("held").asLong())
        .containsExactly("big.example 2 1", "held.example 0 2");
    assertThat(items.get(1).get("oldestDue").isNull()).as("held rows are not due").isTrue();

    String page = call(get("/operator/queue"), null).getContentAsString();
    assertThat(page).containsPattern("id=\"total-held\">3<").contains("all held");
    assertThat(page.substring(page.indexOf("data-domain=\"held.example\""))).containsPattern("class=\"num held\">2<");
  }

  @Test
  void pausing_a_destination_and_the_whole_queue_is_stored_shown_and_audited() throws Exception {
    send("a@big.example");
    JsonNode paused = expect(call(post("/api/v1/operator/queue/destinations/Big.Example/pause"), null), 200);
    assertThat(paused.get("domain").asString()).isEqualTo("big.example");
    expect(call(post("/api/v1/operator/queue/destinations/bücher.example/pause"), null), 200);
    expect(call(post("/api/v1/operator/queue/pause"), null), 200);
    assertThat(jdbc.sql("select domain from queue_pause order by domain").query(String.class).list())
        .containsExactly("*", "big.example", "xn--bcher-kva.example");

    JsonNode queue = expect(call(get("/api/v1/operator/queue"), null), 200);
    assertThat(queue.get("paused").asBoolean()).isTrue();
    assertThat(queue.get("destinations").get("items").get(0).get("paused").asBoolean()).isTrue();
    assertThat(queue.get("pauses")).extracting(p -> p.get("domain").asString()).containsExactly("*", "big.example", "xn--bcher-kva.example");

    expect(call(post("/api/v1/operator/queue/resume"), null), 200);
    expect(call(post("/api/v1/operator/queue/destinations/big.example/resume"), null), 200);
    assertThat(jdbc.sql("select domain from queue_pause").query(String.class).list()).containsExactly("xn--bcher-kva.example");
    assertThat(audit("queue.paused")).containsExactly("big.example big.example", "xn--bcher-kva.example xn--bcher-kva.example",
        "* the whole queue");
    assertThat(audit("queue.resumed")).containsExactly("* the whole queue", "big.example big.example");

    JsonNode refused = expect(call(post("/api/v1/operator/queue/destinations/not a domain!/pause"), null), 422);
    assertThat(refused.get("errors").get(0).get("field").asString()).isEqualTo("domain");
  }

  @Test
  void retry_now_makes_deferred_recipients_due_for_a_destination_or_a_message_and_nothing_else() throws Exception {
    long first = send("a1@big.example", "b1@small.example");
    send("a2@big.example");
    Instant later = Instant.now().plusSeconds(3600);
    set("a1@big.example", "deferred", "451 later", Instant.now(), later);
    set("a2@big.example", "deferred", "451 later", Instant.now(), later);
    set("b1@small.example", "deferred", "451 later", Instant.now(), later);

    JsonNode changed = expect(call(post("/api/v1/operator/queue/destinations/big.example/retry"), null), 200);
    assertThat(changed.get("changed").asLong()).isEqualTo(2);
    assertThat(due("a1@big.example")).isTrue();
    assertThat(due("a2@big.example")).isTrue();
    assertThat(due("b1@small.example")).isFalse();

    set("a1@big.example", "deferred", "451 later", Instant.now(), later);
    changed = expect(call(post("/api/v1/operator/queue/messages/" + first + "/retry"), null), 200);
    assertThat(changed.get("changed").asLong()).isEqualTo(2);
    assertThat(due("a1@big.example")).isTrue();
    assertThat(due("b1@small.example")).isTrue();
    assertThat(audit("queue.retried")).containsExactly("big.example 2 deferred recipients due now", first + " 2 deferred recipients due now");
    expect(call(post("/api/v1/operator/queue/messages/999999/retry"), null), 404);
  }

  boolean due(String address) {
    return jdbc.sql("select next_attempt_at <= now() from outbound_recipient where address = ?").param(address).query(Boolean.class).single();
  }

  @Test
  void deleting_ends_waiting_recipients_as_deleted_with_the_reason_and_leaves_those_being_sent() throws Exception {
    long message = send("a1@big.example", "a2@big.example", "a3@big.example", "a4@big.example", "b1@small.example");
    set("a2@big.example", "deferred", "451 later", Instant.now(), Instant.now());
    set("a3@big.example", "sending", "", null, Instant.now());
    set("a4@big.example", "delivered", "250 ok", Instant.now(), Instant.now());

    JsonNode refused = expect(call(post("/api/v1/operator/queue/destinations/big.example/delete"), "{\"reason\": \"  \"}"), 422);
    assertThat(refused.get("errors").get(0).get("field").asString()).isEqualTo("reason");
    assertThat(state("a1@big.example")).isEqualTo("queued ");

    JsonNode changed = expect(call(post("/api/v1/operator/queue/destinations/big.example/delete"),
        "{\"reason\": \"Spam trap domain\"}"), 200);
    assertThat(changed.get("changed").asLong()).isEqualTo(2);
    assertThat(changed.get("inFlight").asLong()).isEqualTo(1);
    assertThat(state("a1@big.example")).isEqualTo("deleted Deleted from the queue by the operator: Spam trap domain");
    assertThat(state("a2@big.example")).isEqualTo("deleted Deleted from the queue by the operator: Spam trap domain");
    assertThat(state("a3@big.example")).isEqualTo("sending ");
    assertThat(state("a4@big.example")).isEqualTo("delivered 250 ok");
    assertThat(state("b1@small.example")).isEqualTo("queued ");
    assertThat(jdbc.sql("select count(*) from outbound_recipient where state = 'deleted' and finished_at is not null")
        .query(Long.class).single()).isEqualTo(2);

    // The sender sees it through the send API.
    JsonNode shown = expect(mvc.perform(get("/api/v1/orgs/" + acme.slug() + "/messages/" + message)
        .header("Authorization", "Bearer " + acme.apiKey())).andReturn().getResponse(), 200);
    assertThat(shown.get("recipients").get(0).get("state").asString()).isEqualTo("deleted");

    changed = expect(call(post("/api/v1/operator/queue/messages/" + message + "/delete"), "{\"reason\": \"Sent by mistake\"}"), 200);
    assertThat(changed.get("changed").asLong()).isEqualTo(1);
    assertThat(state("b1@small.example")).isEqualTo("deleted Deleted from the queue by the operator: Sent by mistake");
    assertThat(audit("queue.deleted")).containsExactly("big.example 2 recipients: Spam trap domain", message + " 1 recipients: Sent by mistake");
    expect(call(post("/api/v1/operator/queue/messages/999999/delete"), "{\"reason\": \"x\"}"), 404);
  }

  /**
   * Held recipients (a paused campaign's) are waiting too: deleting their destination ends them with the reason, so the
   * campaign's resume does not send there; the answer, the notice and the audit say how many were held.
   */
  @Test
  void deleting_a_destination_ends_the_held_recipients_of_a_paused_send_too_and_says_so() throws Exception {
    long paused = bulkSends.open(acme.id(), domainId, MessageSourceKind.CAMPAIGN, from, "Paused news");
    bulkSends.add(paused, List.of(new BulkSends.BulkRecipient(1, "h1@closed.example"), new BulkSends.BulkRecipient(2, "h2@closed.example"),
        new BulkSends.BulkRecipient(3, "h3@open.example")));
    bulkSends.hold(paused);
    send("q1@closed.example");
    assertThat(state("h1@closed.example")).isEqualTo("held ");

    JsonNode changed = expect(call(post("/api/v1/operator/queue/destinations/closed.example/delete"), "{\"reason\": \"Provider closed\"}"),
        200);
    assertThat(changed.get("changed").asLong()).isEqualTo(3);
    assertThat(changed.get("held").asLong()).isEqualTo(2);
    assertThat(state("h1@closed.example")).isEqualTo("deleted Deleted from the queue by the operator: Provider closed");
    assertThat(state("h2@closed.example")).isEqualTo("deleted Deleted from the queue by the operator: Provider closed");
    assertThat(state("q1@closed.example")).isEqualTo("deleted Deleted from the queue by the operator: Provider closed");
    assertThat(state("h3@open.example")).isEqualTo("held ");
    assertThat(audit("queue.deleted")).containsExactly("closed.example 3 recipients (2 held by paused sends): Provider closed");
    // the campaign resumes: what was deleted stays deleted, the rest waits again
    bulkSends.release(paused);
    assertThat(state("h1@closed.example")).startsWith("deleted ");
    assertThat(state("h3@open.example")).isEqualTo("queued ");

    // the panel's control says it in its notice
    bulkSends.hold(paused);
    var result = mvc.perform(post("/operator/queue/destinations/delete").param("domain", "open.example").param("reason", "Also closed")
        .with(operator).with(csrf())).andReturn();
    assertThat(result.getFlashMap().get("notice")).isEqualTo("Deleted 1 waiting recipient of open.example."
        + " 1 of them were held by a paused campaign or send, which will not send them when it resumes.");
    assertThat(state("h3@open.example")).isEqualTo("deleted Deleted from the queue by the operator: Also closed");
  }

  @Test
  void the_panel_shows_the_queue_and_its_forms_pause_retry_and_delete() throws Exception {
    long message = send("a1@big.example", "b1@small.example");
    set("b1@small.example", "deferred", "451 4.7.1 greylisted", Instant.now(), Instant.now().plusSeconds(3600));

    String page = call(get("/operator/queue"), null).getContentAsString();
    assertThat(page).contains("big.example").contains("small.example").contains("451 4.7.1 greylisted").contains("hx-trigger=\"every 5s\"");
    String live = call(get("/operator/queue/live").param("q", "small"), null).getContentAsString();
    assertThat(live).startsWith("<div").contains("id=\"queue-live\"").contains("small.example").doesNotContain("big.example")
        .contains("/operator/queue/live?q=small");

    MockHttpServletResponse r = call(post("/operator/queue/destinations/pause").param("domain", "big.example").param("q", "big"), null);
    assertThat(r.getRedirectedUrl()).isEqualTo("/operator/queue?q=big");
    assertThat(jdbc.sql("select domain from queue_pause").query(String.class).list()).containsExactly("big.example");
    call(post("/operator/queue/pause"), null);
    assertThat(call(get("/operator/queue"), null).getContentAsString()).contains("Resume the whole queue").contains("Paused");
    call(post("/operator/queue/resume"), null);
    call(post("/operator/queue/destinations/resume").param("domain", "big.example"), null);
    assertThat(jdbc.sql("select count(*) from queue_pause").query(Long.class).single()).isZero();

    call(post("/operator/queue/destinations/retry").param("domain", "small.example"), null);
    assertThat(due("b1@small.example")).isTrue();

    assertThat(flashedErrors(post("/operator/queue/destinations/delete").param("domain", "big.example").param("reason", "")))
        .containsKey("deleteDestination");
    assertThat(state("a1@big.example")).isEqualTo("queued ");
    call(post("/operator/queue/destinations/delete").param("domain", "big.example").param("reason", "Closed mailbox provider"), null);
    assertThat(state("a1@big.example")).isEqualTo("deleted Deleted from the queue by the operator: Closed mailbox provider");

    assertThat(flashedErrors(post("/operator/queue/messages/delete").param("id", "abc").param("reason", "x"))).containsKey("message");
    call(post("/operator/queue/messages/delete").param("id", String.valueOf(message)).param("reason", "Wrong list"), null);
    assertThat(state("b1@small.example")).isEqualTo("deleted Deleted from the queue by the operator: Wrong list");
    assertThat(audit("queue.deleted")).hasSize(2);
  }
}
