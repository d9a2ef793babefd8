package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.domains.DomainPublishing;
import dev.herald.domains.SendingDomains;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SystemMail;
import dev.herald.tenancy.AuditLog;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import dev.herald.testsupport.TestDns;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The operator's delivery setting and Herald's own mail: sandbox by default; real delivery switched on at run time
 * (this node at once, another node within the cache's seconds, no restart); system mail queued with source 'system'
 * once a system sender's domain is verified, kept in the sandbox mailbox (and the operator warned) while none is.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class})
class SystemMailTest {
  static final TestDns dns = TestDns.start();
  static final String INCLUDE = "_spf.herald.example";

  @DynamicPropertySource
  static void settings(DynamicPropertyRegistry registry) {
    registry.add("herald.dns.resolvers", dns::address);
    registry.add("herald.dns.timeout", () -> "PT2S");
    registry.add("herald.sending.spf-include", () -> INCLUDE);
    registry.add("herald.sending.bounce-host", () -> "bounce.herald.example");
  }

  @AfterAll
  static void stop() {
    dns.close();
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SystemMail systemMail;
  @Autowired Route route;
  @Autowired DeliverySettings settings;
  @Autowired SendingDomains domains;
  @Autowired AuditLog audit;
  @Autowired HeraldProperties properties;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired PlatformTransactionManager transactions;
  @Autowired java.util.List<MessageSource> sources;

  RequestPostProcessor operator;
  static int counter;

  @BeforeEach
  void reset() {
    counter++;
    operator = organizations.asNewOperator("operator" + counter + "@herald.test");
    jdbc.sql("update delivery_setting set mode = 'sandbox', system_sender = ''").update();
    jdbc.sql("delete from sandbox_message").update();
    clock.advance(DeliverySettings.CACHE); // no node keeps the previous test's mode
    dns.clear();
    dns.txt(INCLUDE, "v=spf1 ip4:127.0.0.1 -all");
  }

  JsonNode call(MockHttpServletRequestBuilder request, String body, int expectedStatus) throws Exception {
    MockHttpServletResponse response = mvc.perform(request.with(operator).with(csrf()).contentType("application/json").content(body))
        .andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return json.readTree(response.getContentAsString());
  }

  JsonNode change(String body) throws Exception {
    return call(put("/api/v1/operator/delivery"), body, 200);
  }

  void sendSystemMail(String recipient) {
    new TransactionTemplate(transactions).executeWithoutResult(s ->
        systemMail.send(new SystemMail.SystemMessage(recipient, "Reset your password", "Open this link.", "password_reset")));
  }

  long sandboxed(String recipient) {
    return jdbc.sql("select count(*) from sandbox_message where recipient = ?").param(recipient).query(Long.class).single();
  }

  long queued(String recipient) {
    return jdbc.sql("select count(*) from outbound_recipient where address = ?").param(recipient).query(Long.class).single();
  }

  @Test
  void a_new_installation_keeps_every_message_and_system_mail_in_the_sandbox() throws Exception {
    JsonNode delivery = call(get("/api/v1/operator/delivery"), "", 200);
    assertThat(delivery.get("mode").asString()).isEqualTo("sandbox");
    assertThat(delivery.get("systemMail").asString()).isEqualTo("sandbox");
    assertThat(delivery.get("staticRoute").isNull()).isTrue();
    assertThat(route.route(RouteContract.SENDER, "example.net")).isInstanceOf(Route.Capture.class);

    sendSystemMail("new" + counter + "@example.net");
    assertThat(sandboxed("new" + counter + "@example.net")).isEqualTo(1);
    assertThat(queued("new" + counter + "@example.net")).isZero();
  }

  @Test
  void real_delivery_is_switched_on_at_run_time_on_this_node_at_once_and_on_another_within_seconds() throws Exception {
    dns.mx("rcpt.example", 10, "mx.rcpt.example").address("mx.rcpt.example", "192.0.2.10");
    // Another node: its own settings reader over the same database, having read the mode just before the change.
    DeliverySettings otherNode = new DeliverySettings(jdbc, clock, audit, domains, properties);
    assertThat(otherNode.current().mode()).isEqualTo(DeliveryMode.SANDBOX);

    JsonNode changed = change("{\"mode\": \"mx\"}");
    assertThat(changed.get("mode").asString()).isEqualTo("mx");
    assertThat(route.route(RouteContract.SENDER, "rcpt.example")).as("this node, the same route bean, no restart")
        .isInstanceOfSatisfying(Route.Servers.class, s -> assertThat(s.servers().getFirst().hostName()).isEqualTo("mx.rcpt.example"));

    assertThat(otherNode.current().mode()).as("within its cache").isEqualTo(DeliveryMode.SANDBOX);
    clock.advance(DeliverySettings.CACHE);
    assertThat(otherNode.current().mode()).as("after its cache").isEqualTo(DeliveryMode.MX);

    // And back: captured again.
    change("{\"mode\": \"sandbox\"}");
    assertThat(route.route(RouteContract.SENDER, "rcpt.example")).isInstanceOf(Route.Capture.class);

    List<String> changes = jdbc.sql("select detail from audit_event where action = 'delivery.mode_changed' and organization_id is null order by id")
        .query(String.class).list();
    assertThat(changes).endsWith("sandbox -> mx", "mx -> sandbox");
  }

  @Test
  void real_delivery_without_a_verified_system_sender_keeps_system_mail_in_the_sandbox_and_warns_the_operator() throws Exception {
    JsonNode delivery = change("{\"mode\": \"mx\"}");
    assertThat(delivery.get("systemMail").asString()).isEqualTo("sandbox-fallback");
    String recipient = "fallback" + counter + "@example.net";
    sendSystemMail(recipient);
    assertThat(sandboxed(recipient)).as("not lost").isEqualTo(1);
    assertThat(queued(recipient)).isZero();

    String overview = mvc.perform(get("/operator").with(operator)).andReturn().getResponse().getContentAsString();
    assertThat(overview).contains("no system sender on a verified domain is set").contains("href=\"/operator/delivery\"");
    assertThat(mvc.perform(get("/operator/delivery").with(operator)).andReturn().getResponse().getContentAsString())
        .contains("id=\"fallback-warning\"");

    // A sender on a domain not verified yet: its domain is added for the operator to publish; mail still sandboxed.
    delivery = change("{\"systemSender\": \"herald@unverified" + counter + ".example\"}");
    assertThat(delivery.get("systemSenderDomain").get("verified").asBoolean()).isFalse();
    assertThat(delivery.get("systemMail").asString()).isEqualTo("sandbox-fallback");
    sendSystemMail(recipient);
    assertThat(sandboxed(recipient)).isEqualTo(2);
    assertThat(queued(recipient)).isZero();

    // Back in sandbox mode there is nothing to warn about.
    change("{\"mode\": \"sandbox\"}");
    assertThat(mvc.perform(get("/operator").with(operator)).andReturn().getResponse().getContentAsString())
        .doesNotContain("operator-warning");
  }

  @Test
  void with_a_verified_system_sender_system_mail_joins_the_queue_as_source_system_without_an_organization() throws Exception {
    String sender = "herald@sys" + counter + ".example";
    JsonNode delivery = change("{\"mode\": \"mx\", \"systemSender\": \"" + sender + "\"}");
    long domainId = delivery.get("systemSenderDomain").get("id").asLong();
    assertThat(DomainPublishing.publishAndCheck(domains, dns, null, domainId)).isTrue();
    assertThat(call(get("/api/v1/operator/delivery"), "", 200).get("systemMail").asString()).isEqualTo("queue");
    assertThat(domains.verifiedInstallationDomainFor(sender)).isPresent();

    String recipient = "queued" + counter + "@example.net";
    sendSystemMail(recipient);
    assertThat(sandboxed(recipient)).isZero();
    record Row(long id, Long organizationId, String source, String from, Long domainId, String state, Long recipientOrg, String domain) {}
    Row row = jdbc.sql("""
        select m.id, m.organization_id, m.source, m.from_address, m.sending_domain_id, r.state, r.organization_id, r.domain
        from outbound_message m join outbound_recipient r on r.message_id = m.id where r.address = ?""").param(recipient)
        .query((rs, i) -> new Row(rs.getLong(1), rs.getObject(2, Long.class), rs.getString(3), rs.getString(4), rs.getObject(5, Long.class),
            rs.getString(6), rs.getObject(7, Long.class), rs.getString(8))).single();
    assertThat(row).isEqualTo(new Row(row.id(), null, "system", sender, domainId, "queued", null, "example.net"));

    // The worker asks the source of kind 'system' for the bytes: a message from the sender to the person.
    MessageSource source = sources.stream().filter(s -> s.kind() == MessageSourceKind.SYSTEM).findFirst().orElseThrow();
    String message = new String(((MessageSource.Content) source.content(new MessageSource.Wanted(row.id(), 0))).bytes(), StandardCharsets.UTF_8);
    assertThat(message).contains("From: Herald <" + sender + ">\r\n", "To: " + recipient + "\r\n", "Subject: Reset your password\r\n",
        "Auto-Submitted: auto-generated\r\n", "Message-ID: <").contains("@sys" + counter + ".example>").contains("Open this link.");

    // In the caller's transaction: an invitation rolled back queues nothing.
    String rolledBack = "rolledback" + counter + "@example.net";
    new TransactionTemplate(transactions).executeWithoutResult(s -> {
      systemMail.send(new SystemMail.SystemMessage(rolledBack, "Join us", "Invitation", "invitation"));
      s.setRollbackOnly();
    });
    assertThat(queued(rolledBack)).isZero();

    // Sandbox mode again: system mail is kept, not queued, whatever the sender.
    change("{\"mode\": \"sandbox\"}");
    sendSystemMail(recipient);
    assertThat(sandboxed(recipient)).isEqualTo(1);
    assertThat(queued(recipient)).isEqualTo(1);
  }

  @Test
  void refused_values_name_their_field_and_change_nothing() throws Exception {
    JsonNode problem = call(put("/api/v1/operator/delivery"), "{\"mode\": \"smoke-signals\"}", 422);
    assertThat(problem.toString()).contains("mode").contains("sandbox, mx");
    problem = call(put("/api/v1/operator/delivery"), "{\"systemSender\": \"not an address\"}", 422);
    assertThat(problem.toString()).contains("systemSender");
    // A domain an organization holds verified cannot be the installation's: refused on the sender, by name.
    TestOrganizations.Created org = organizations.create("Sender Holder " + counter, "domains:read");
    new dev.herald.domains.TestSendingDomains(domains, jdbc).verified(org.id(), "held" + counter + ".example");
    problem = call(put("/api/v1/operator/delivery"), "{\"mode\": \"mx\", \"systemSender\": \"herald@held" + counter + ".example\"}", 409);
    assertThat(problem.toString()).contains("systemSender").contains("verified by another organization");
    assertThat(settings.status().mode()).isEqualTo(DeliveryMode.SANDBOX);
    assertThat(settings.status().systemSender()).isEmpty();

    // The panel's form: saved, audited, told in words.
    MockHttpServletResponse saved = mvc.perform(post("/operator/delivery").with(operator)
        .with(csrf())
        .param("mode", "mx").param("systemSender", "")).andReturn().getResponse();
    assertThat(saved.getRedirectedUrl()).isEqualTo("/operator/delivery");
    assertThat(settings.status().mode()).isEqualTo(DeliveryMode.MX);
  }

  @Test
  void only_system_messages_have_no_organization() {
    assertThatThrownBy(() -> jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, header_message_id, header_date, content)
        values (null, 'api', 'a@example.com', 'x@example.com', now(), '\\x00')""").update())
        .isInstanceOf(DataIntegrityViolationException.class).hasMessageContaining("outbound_message_organization_check");
    assertThatThrownBy(() -> jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, header_message_id, header_date)
        values (null, 'system', 'a@example.com', 'x@example.com', now())""").update())
        .isInstanceOf(DataIntegrityViolationException.class).hasMessageContaining("outbound_message_content_check");
  }
}
