package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.messages.DebianPython;
import dev.herald.messages.ReturnPath;
import dev.herald.platform.SystemMail;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Herald's own mail end to end: with real delivery (here the static test route, which overrides the mode) and a
 * system sender on a verified installation domain, a password reset is queued with source 'system', claimed by the
 * worker, signed with the installation domain's keys and delivered to Postfix's smtp-sink, where python3-dkim verifies
 * it, From the installation's name; without a verified sender the same mail stays in the sandbox mailbox (counted for the
 * operator's page) and nothing reaches the sink; a recipient on the installation's suppression list is never sent to.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.delivery.system-sender-name=Acme Mail"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class SystemMailDeliveryTest {
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
  @Autowired SystemMail systemMail;
  @Autowired DeliverySettings settings;
  @Autowired SendingDomains sendingDomains;
  @Autowired ReturnPath returnPath;
  @Autowired JdbcClient jdbc;
  @Autowired PlatformTransactionManager transactions;
  @Autowired dev.herald.suppression.Suppressions suppressions;
  @TempDir Path dir;

  void reset(String recipient) {
    new TransactionTemplate(transactions).executeWithoutResult(s ->
        systemMail.send(new SystemMail.SystemMessage(recipient, "Reset your Herald password", "Open this link to choose a new password.",
            "password_reset")));
  }

  String state(String recipient) {
    return jdbc.sql("select state from outbound_recipient where address = ?").param(recipient).query(String.class).optional().orElse("");
  }

  @Test
  void a_password_reset_is_delivered_dkim_signed_for_the_system_senders_domain_once_it_is_verified() throws Exception {
    assertThat(settings.status().staticRoute()).isEqualTo("127.0.0.1:" + sink.address.getPort());
    // The operator's page says the static route overrides the mode.
    String page = mvc.perform(get("/operator/delivery").with(organizations.asNewOperator("ops@system-mail.test"))).andReturn().getResponse()
        .getContentAsString();
    assertThat(page).contains("id=\"static-route\"").contains("127.0.0.1:" + sink.address.getPort());

    // No system sender yet: kept in the sandbox mailbox, nothing queued, nothing at the sink.
    reset("early@people.example");
    assertThat(settings.status().systemMail()).isEqualTo(DeliverySettings.SystemMailPath.SANDBOX_FALLBACK);
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = 'early@people.example'").query(Long.class).single()).isEqualTo(1);
    assertThat(state("early@people.example")).isEmpty();
    assertThat(settings.status().fallback()).as("counted for the operator's page").satisfies(f -> {
      assertThat(f.kept()).isEqualTo(1);
      assertThat(f.lastAt()).isNotNull();
    });

    // The operator's system sender, on an installation domain whose keys are published and checked.
    Map<String, String> dns = new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(null, "system-mail.example");
    settings.change(null, "herald@system-mail.example");
    assertThat(settings.status().systemMail()).isEqualTo(DeliverySettings.SystemMailPath.QUEUE);

    reset("ann@people.example");
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!state("ann@people.example").equals("delivered")) {
      assertThat(System.nanoTime()).as("waited 20 s for the reset to be delivered; state " + state("ann@people.example")).isLessThan(deadline);
      Thread.sleep(20);
    }
    record Queued(long messageId, long recipientId, String source, Long organizationId) {}
    Queued queued = jdbc.sql("""
        select m.id, r.id, m.source, m.organization_id from outbound_recipient r join outbound_message m on m.id = r.message_id
        where r.address = 'ann@people.example'""")
        .query((rs, i) -> new Queued(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getObject(4, Long.class))).single();
    assertThat(queued.source()).isEqualTo("system");
    assertThat(queued.organizationId()).isNull();
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = 'ann@people.example'").query(Long.class).single()).isZero();

    List<SmtpSink.Dump> captured = sink.capturedFor("ann@people.example");
    assertThat(captured).as("one copy at the sink").hasSize(1);
    SmtpSink.Dump dump = captured.getFirst();
    assertThat(returnPath.parse(dump.mailFrom())).contains(new ReturnPath.Recipient(queued.messageId(), queued.recipientId(), "system-mail.example"));
    assertThat(dump.text()).contains("From: Acme Mail <herald@system-mail.example>", "Subject: Reset your Herald password", "Auto-Submitted: auto-generated");

    Path file = dir.resolve("reset.eml");
    Files.write(file, dump.wire());
    Path keys = dir.resolve("keys.tsv");
    Files.writeString(keys, dns.entrySet().stream().map(e -> e.getKey() + "\t" + e.getValue() + "\n").collect(Collectors.joining()));
    DebianPython.Run run = DebianPython.run("dkim_verify.py", dir, List.of(keys.toString(), file.toString()));
    assertThat(run.exit()).as(run.output()).isZero();
    // Two signatures (RSA and Ed25519) by the installation's domain, both verified.
    assertThat(run.output().strip().lines().toList()).hasSize(2).allSatisfy(line -> assertThat(line).endsWith(" pass"));
  }

  @Test
  void a_recipient_on_the_installations_suppression_list_gets_no_system_mail_and_the_reason_is_kept() throws Exception {
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(null, "system-mail-two.example");
    settings.change(null, "herald@system-mail-two.example");
    try {
      suppressedRecipientGetsNothing();
    } finally {
      settings.change(null, ""); // the other test starts without a system sender
    }
  }

  void suppressedRecipientGetsNothing() throws Exception {
    suppressions.add(null, new dev.herald.suppression.Suppressions.NewEntry("blocked@people.example", null,
        dev.herald.suppression.SuppressionReason.COMPLAINT, null, null), "test");
    reset("blocked@people.example");
    reset("welcome@people.example"); // not suppressed: goes
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!state("welcome@people.example").equals("delivered")) {
      assertThat(System.nanoTime()).as("waited 20 s for the other reset").isLessThan(deadline);
      Thread.sleep(20);
    }
    assertThat(state("blocked@people.example")).isEqualTo("failed");
    assertThat(jdbc.sql("select last_reply from outbound_recipient where address = 'blocked@people.example'").query(String.class).single())
        .isEqualTo("suppressed for the whole installation (complaint)");
    assertThat(jdbc.sql("select count(*) from outbound_attempt a join outbound_recipient r on r.id = a.recipient_id"
        + " where r.address = 'blocked@people.example'").query(Long.class).single()).isZero();
    assertThat(sink.capturedFor("blocked@people.example")).isEmpty();
    assertThat(sink.capturedFor("welcome@people.example")).isNotEmpty();
  }
}
