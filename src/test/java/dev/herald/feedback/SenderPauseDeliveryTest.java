package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
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
import tools.jackson.databind.ObjectMapper;

/**
 * Sender protection end to end with the delivery worker running (static route to Postfix's smtp-sink): an organization
 * whose complaint rate passed the pause threshold has its queued mail held (not at the sink, still queued, while another
 * organization's mail sent after it is delivered) until the operator lifts the pause in the panel; then it goes out.
 * Thresholds of the test: complaints 1 % warn, 3 % pause, at least 100 messages.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.feedback.protection-minimum-sent=100", "herald.feedback.complaint-warn=0.01", "herald.feedback.complaint-pause=0.03"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class SenderPauseDeliveryTest {
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired BulkSends bulk;
  @Autowired SenderProtection protection;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;

  long send(TestOrganizations.Created org, String from, String to) throws Exception {
    String body = json.writeValueAsString(Map.of("from", from, "to", List.of(to), "subject", "Pause test", "text", "Hello"));
    MockHttpServletResponse r = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/messages").header("Authorization", "Bearer " + org.apiKey())
        .contentType("application/json").content(body)).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(202);
    return json.readTree(r.getContentAsString()).get("id").asLong();
  }

  String state(String address) {
    return jdbc.sql("select state from outbound_recipient where address = ?").param(address).query(String.class).single();
  }

  /** Patient: the machine running the tests may be loaded; the worker polls every 50 ms. */
  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 60 s for " + what).isLessThan(deadline);
      Thread.sleep(50);
    }
  }

  /** 200 messages delivered in the window (a held campaign's rows, marked delivered) and 10 complaints: 5 %. */
  void complainedAbout(long org, long domainId, String from) {
    long message = bulk.open(org, domainId, MessageSourceKind.CAMPAIGN, from, "Earlier campaign");
    bulk.hold(message);
    List<BulkSends.BulkRecipient> recipients = new ArrayList<>();
    for (int i = 0; i < 200; i++) recipients.add(new BulkSends.BulkRecipient(i + 1, "earlier" + i + "@receiver.example"));
    bulk.add(message, recipients);
    jdbc.sql("update outbound_recipient set state = 'delivered', finished_at = now() where message_id = ?").param(message).update();
    for (int i = 0; i < 10; i++) {
      jdbc.sql("""
          insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key)
          values (?, ?, now(), 'smtp', 'complaint', 'feedback', 'suppressed', ?, ?)""")
          .params(org, "test:" + i, "earlier" + i + "@receiver.example", "earlier" + i + "@receiver.example").update();
    }
  }

  @Test
  void a_paused_organizations_queued_mail_is_held_by_the_worker_until_the_operator_lifts_the_pause() throws Exception {
    TestOrganizations.Created paused = organizations.create("Paused Sender", "send");
    new TestSendingDomains(sendingDomains, jdbc).verified(paused.id(), "paused-sender.example");
    long domainId = sendingDomains.verifiedDomainFor(paused.id(), "news@paused-sender.example").orElseThrow().id();
    TestOrganizations.Created control = organizations.create("Control Sender", "send");
    new TestSendingDomains(sendingDomains, jdbc).verified(control.id(), "control-sender.example");

    complainedAbout(paused.id(), domainId, "news@paused-sender.example");
    assertThat(protection.judge(paused.id()).raised()).contains(AlertLevel.PAUSE);

    send(paused, "news@paused-sender.example", "held@waiting.example");
    send(control, "news@control-sender.example", "first@flowing.example");
    waitFor("the other organization's mail delivered", () -> state("first@flowing.example").equals("delivered"));
    // Many polls later (a second message of the other organization, sent after, delivered too): still held.
    send(control, "news@control-sender.example", "second@flowing.example");
    waitFor("the other organization's second message delivered", () -> state("second@flowing.example").equals("delivered"));
    assertThat(state("held@waiting.example")).isEqualTo("queued");
    assertThat(sink.sentTo("held@waiting.example")).isEmpty();
    assertThat(sink.sentTo("second@flowing.example")).hasSize(1);

    long alert = protection.openPause(paused.id()).orElseThrow().id();
    var operator = organizations.asNewOperator("operator@pause-delivery.test");
    MockHttpServletResponse lifted = mvc.perform(post("/operator/sender-alerts/" + alert + "/lift").with(operator).with(csrf()))
        .andReturn().getResponse();
    assertThat(lifted.getStatus()).isEqualTo(302);

    waitFor("the held mail delivered once the pause is lifted", () -> state("held@waiting.example").equals("delivered"));
    assertThat(sink.sentTo("held@waiting.example")).hasSize(1);
    assertThat(jdbc.sql("select count(*) from audit_event where organization_id = ? and action = 'sending.pause_lifted'")
        .param(paused.id()).query(Long.class).single()).isEqualTo(1);
  }
}
