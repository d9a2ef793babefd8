package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The owner's mails at closure and at purge go through Herald's own system-mail path: with real delivery (the static test
 * route) and a verified system sender, both reach Postfix's smtp-sink.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static"})
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
  @Autowired TestOrganizations orgs;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired AccountPurgeWorker purgeWorker;
  @Autowired MutableClock clock;

  /** The sink's mails to {@code recipient} whose text holds {@code subject}, waited for up to 30 s. */
  List<SmtpSink.Dump> await(String recipient, String subject) throws Exception {
    long deadline = System.nanoTime() + 30_000_000_000L;
    while (true) {
      List<SmtpSink.Dump> found = sink.capturedFor(recipient).stream().filter(d -> d.text().contains(subject)).toList();
      if (!found.isEmpty() || System.nanoTime() > deadline) return found;
      Thread.sleep(50);
    }
  }

  @Test
  void the_owner_is_mailed_at_closure_and_at_purge() throws Exception {
    new TestSendingDomains(sendingDomains, jdbc).verifiedSigning(null, "closure-mail.example");
    mvc.perform(post("/operator/delivery").param("systemSender", "herald@closure-mail.example")
        .with(orgs.asNewOperator("ops@closure-mail.test")).with(csrf())).andReturn();
    TestOrganizations.Created org = orgs.create("Mailed Co", "lists:read");

    mvc.perform(post("/o/" + org.slug() + "/closure/close").param("confirm", org.slug()).with(orgs.asOwner(org)).with(csrf())).andReturn();

    List<SmtpSink.Dump> closed = await(org.ownerEmail(), "Subject: Your organization Mailed Co is closed");
    assertThat(closed).as("the closure mail at the sink").hasSize(1);
    assertThat(closed.getFirst().text()).contains("/o/" + org.slug() + "/closure");

    clock.advance(Duration.ofDays(31));
    purgeWorker.runDue();
    assertThat(await(org.ownerEmail(), "Subject: Your organization Mailed Co has been deleted")).as("the purge mail at the sink").hasSize(1);
  }
}
