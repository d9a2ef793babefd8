package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.platform.SystemMail;
import dev.herald.tenancy.TestOrganizations;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Regression (issue 9): the hosted form answered every address with the same page, but later when it sent a
 * confirmation mail than when it sent none, so the time of the answer told whether an address was new. The mail is
 * now written after the commit on another thread: here it blocks until the test lets it go, and the form answers anyway.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class, HostedFormMailTimingTest.HeldMail.class})
class HostedFormMailTimingTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired MailingLists lists;
  @Autowired HeldMail mail;

  /** A SystemMail that waits for {@link #release} before it takes a message. */
  @TestConfiguration
  static class HeldMail {
    final CountDownLatch started = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final List<SystemMail.SystemMessage> sent = new CopyOnWriteArrayList<>();

    @Bean
    @Primary
    SystemMail heldSystemMail() {
      return message -> {
        started.countDown();
        try {
          if (!release.await(60, TimeUnit.SECONDS)) throw new IllegalStateException("never released");
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException(e);
        }
        sent.add(message);
      };
    }
  }

  @Test
  void the_form_answers_before_the_confirmation_mail_is_sent() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Timing Co");
    MailingLists.MailingList weekly = lists.create(org.id(), new MailingLists.ListForm("Weekly", "", "public", "double", null, null, List.of()));

    CompletableFuture<MockHttpServletResponse> answer = CompletableFuture.supplyAsync(() -> {
      try {
        return mvc.perform(post("/p/subscribe/" + weekly.publicId()).param("email", "new@example.com").param("consent", "true"))
            .andReturn().getResponse();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    MockHttpServletResponse page = answer.get(30, TimeUnit.SECONDS);
    assertThat(page.getStatus()).isEqualTo(200);
    assertThat(page.getContentAsString()).contains("Check your inbox");
    assertThat(mail.started.await(30, TimeUnit.SECONDS)).as("the mail is on its way, on another thread").isTrue();
    assertThat(mail.sent).as("the answer did not wait for the mail").isEmpty();

    mail.release.countDown();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (mail.sent.isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(mail.sent).extracting(SystemMail.SystemMessage::recipient).containsExactly("new@example.com");
    assertThat(mail.sent.getFirst().bodyText()).contains("/p/confirm?token=");
  }
}
