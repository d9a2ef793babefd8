package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.platform.Dates;
import dev.herald.platform.HeraldProperties;
import dev.herald.tenancy.Role;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestClock;
import dev.herald.testsupport.VerifiedSenders;
import jakarta.mail.Multipart;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayInputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
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
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.ObjectMapper;

/**
 * The mails of issue 13's accounts and breach notices delivered for real: the static route to Postfix's smtp-sink,
 * from a system sender the operator set on the Delivery page for a verified installation domain (as {@code
 * SelfServiceTest} does; without a verified sender system mail stays in the sandbox mailbox, see {@code
 * SystemMailDeliveryTest}). The owner closing an organization gets the closure mail (its name, the end of the grace
 * period, the closure page's link), the purge after the grace period mails the owner again, and an operator's breach
 * notice reaches each affected member once and nobody else; each with the system sender's From and the headers of
 * automatic mail.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.delivery.system-sender-name=Herald Accounts"})
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class})
class AccountMailDeliveryTest {
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
  @Autowired AccountPurgeWorker purgeWorker;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired HeraldProperties properties;

  static int counter;

  @BeforeEach
  void systemSender() throws Exception {
    counter++;
    new VerifiedSenders(sendingDomains, jdbc).system(mvc, organizations, "account-mail.example");
  }

  /** A mail as the sink got it: its header block and its decoded text. */
  record Mail(String headers, String text) {}

  /** The mails the sink got for the address, waiting up to 20 s for {@code expected} of them. */
  List<Mail> mails(String address, int expected) throws Exception {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (sink.capturedFor(address).size() < expected) {
      // The queue's rows are due from the database's now(); the worker compares with the test's clock, which stands
      // still: keep it up with real time (after the purge's jump it is ahead already).
      Duration behind = Duration.between(clock.instant(), Instant.now());
      if (!behind.isNegative()) clock.advance(behind.plusSeconds(1));
      assertThat(System.nanoTime()).as("waited 20 s for " + expected + " mails to " + address + "; state "
          + jdbc.sql("select string_agg(state || ' ' || last_reply, '; ') from outbound_recipient where lower(address) = lower(?)")
              .param(address).query(String.class).optional().orElse("(none queued)")).isLessThan(deadline);
      Thread.sleep(50);
    }
    List<Mail> mails = new java.util.ArrayList<>();
    for (SmtpSink.Dump d : sink.capturedFor(address)) {
      MimeMessage m = new MimeMessage(null, new ByteArrayInputStream(d.wire()));
      Object content = m.getContent();
      String text = content instanceof Multipart mp ? String.valueOf(mp.getBodyPart(0).getContent()) : String.valueOf(content);
      String wire = d.text();
      mails.add(new Mail(wire.substring(0, Math.max(0, wire.indexOf("\r\n\r\n"))), text));
    }
    return mails;
  }

  static void automaticMailFromTheSystemSender(Mail mail, String subject) {
    assertThat(mail.headers()).contains("From: Herald Accounts <herald@account-mail.example>", "Subject: " + subject,
        "Auto-Submitted: auto-generated", "DKIM-Signature:");
  }

  long count(String sql, Object... params) {
    return jdbc.sql(sql).params(params).query(Long.class).single();
  }

  long fallbackKept() {
    return jdbc.sql("select fallback_kept from delivery_setting").query(Long.class).single();
  }

  /**
   * The owners are mailed at the closure and at the purge. The organization's first owner has a test account under the
   * reserved .test domain, which no MTA delivers to: that mail stays in the sandbox mailbox, and is not counted as the
   * system sender's fallback (it once was, and the log said no verified sender was set: why an earlier version of this
   * test found nothing at the sink).
   */
  @Test
  void the_owners_are_mailed_at_the_closure_and_at_the_purge_through_the_mta() throws Exception {
    TestOrganizations.Created org = organizations.create("Closing Mail " + counter, "lists:read");
    String owner = "second-owner" + counter + "@closing-mail.example";
    RequestPostProcessor asOwner = organizations.asNewMember(org, owner, Role.owner);
    long keptBefore = fallbackKept();
    MockHttpServletResponse closed = mvc.perform(post("/o/" + org.slug() + "/closure/close").param("confirm", org.slug()).with(asOwner)
        .with(csrf())).andReturn().getResponse();
    assertThat(closed.getStatus()).isEqualTo(302);
    Instant purgeAfter = jdbc.sql("select purge_after from organization where id = ?").param(org.id()).query(java.sql.Timestamp.class)
        .single().toInstant();

    Mail closure = mails(owner, 1).getFirst();
    automaticMailFromTheSystemSender(closure, "Your organization Closing Mail " + counter + " is closed");
    assertThat(closure.text()).contains("The organization Closing Mail " + counter + " (" + org.slug() + ") was closed on ",
        "Until " + Dates.time(purgeAfter) + " an owner can reopen it", properties.link("/o/" + org.slug() + "/closure"));
    assertThat(count("select count(*) from sandbox_message where recipient = ?", owner)).as("not kept in the sandbox").isZero();
    assertThat(jdbc.sql("select m.source from outbound_message m join outbound_recipient r on r.message_id = m.id where r.address = ?")
        .param(owner).query(String.class).single()).isEqualTo("system");
    // The .test owner: kept, and not blamed on the sender.
    assertThat(count("select count(*) from sandbox_message where recipient = ? and purpose = 'account_closed'", org.ownerEmail())).isEqualTo(1);
    assertThat(fallbackKept()).isEqualTo(keptBefore);

    clock.advance(Duration.ofDays(30).plusMinutes(5));
    assertThat(purgeWorker.runDue()).isEqualTo(1);
    assertThat(count("select count(*) from organization where id = ?", org.id())).as("purged").isZero();

    List<Mail> both = mails(owner, 2);
    assertThat(both).hasSize(2);
    // The sink's files keep no order: the purge's mail is the one that is not the closure's.
    Mail purged = both.stream().filter(m -> !m.headers().equals(closure.headers())).findFirst().orElseThrow();
    automaticMailFromTheSystemSender(purged, "Your organization Closing Mail " + counter + " has been deleted");
    assertThat(purged.text()).contains("The organization Closing Mail " + counter + " was closed on ", "has now been deleted",
        "purge certificate");
  }

  @Test
  void a_breach_notice_reaches_each_affected_member_once_and_nobody_else() throws Exception {
    TestOrganizations.Created acme = organizations.create("Breach Mail " + counter, "lists:read");
    TestOrganizations.Created other = organizations.create("Untouched Mail " + counter, "lists:read");
    String owner = "owner" + counter + "@breach-mail.example", member = "member" + counter + "@breach-mail.example";
    String outsider = "outsider" + counter + "@breach-mail.example";
    organizations.asNewMember(acme, owner, Role.owner);
    organizations.asNewMember(acme, member, Role.member);
    organizations.asNewMember(other, outsider, Role.owner);
    String body = json.writeValueAsString(Map.of("title", "Backup copy exposed " + counter, "description",
        "A backup of the database was readable from the internet for two hours.", "detectedAt", clock.instant().minusSeconds(3600).toString(),
        "allOrganizations", false, "organizationIds", List.of(acme.id()), "categories", List.of("contact")));
    MockHttpServletResponse recorded = mvc.perform(post("/api/v1/operator/breaches").contentType("application/json").content(body)
        .with(csrf()).with(organizations.asNewOperator("breach-ops" + counter + "@account-mail.test"))).andReturn().getResponse();
    assertThat(recorded.getStatus()).as(recorded.getContentAsString()).isEqualTo(201);

    for (String person : List.of(owner, member)) {
      List<Mail> got = mails(person, 1);
      assertThat(got).as(person).hasSize(1);
      Mail notice = got.getFirst();
      automaticMailFromTheSystemSender(notice, "Security incident notice: Backup copy exposed " + counter);
      assertThat(notice.text()).contains("affected Breach Mail " + counter, "What happened: Backup copy exposed " + counter,
          "A backup of the database was readable", "Personal data concerned: contact", properties.link("/o/" + acme.slug() + "/breach-notices"));
    }
    // The first owner's .test account cannot receive mail: its notice is kept (the banner still shows it in the panel).
    assertThat(count("select count(*) from sandbox_message where recipient = ? and purpose = 'breach_notice'", acme.ownerEmail())).isEqualTo(1);
    // Nobody of the other organization is told.
    assertThat(count("select count(*) from outbound_recipient where address = ?", outsider)).isZero();
    assertThat(count("select count(*) from sandbox_message where recipient in (?, ?)", outsider, other.ownerEmail())).isZero();
    Thread.sleep(500); // a duplicate would follow right behind the first
    assertThat(sink.capturedFor(owner)).hasSize(1);
    assertThat(sink.capturedFor(member)).hasSize(1);
    assertThat(sink.capturedFor(outsider)).isEmpty();
  }
}
