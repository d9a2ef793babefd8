package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/** Double opt-in with time under the test's control: the link expires, and one address gets only a few mails a day. */
@SpringBootTest
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class, TestClock.class})
class DoubleOptInTest {
  @Autowired MockMvc mvc;
  @Autowired MutableClock clock;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired Subscribers subscribers;

  @Test
  void the_confirmation_link_stops_working_after_seven_days() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Expiry Co");
    long list = doubleList(org);
    long id = subscribers.upsert(org.id(), new Subscribers.Input("late@example.com", null, null, null), "test");
    subscribers.subscribe(org.id(), id, list, SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.FORM, "test", null, null, "127.0.0.1", null));
    String token = token("late@example.com");
    clock.advance(DoubleOptIn.CONFIRMATION_VALIDITY.plus(Duration.ofMinutes(1)));
    MockHttpServletResponse late = mvc.perform(post("/p/confirm").param("token", token)).andReturn().getResponse();
    assertThat(late.getStatus()).as("gone, and it says so").isEqualTo(410);
    assertThat(late.getContentAsString()).contains("This link has expired");
    assertThat(status(id, list)).isEqualTo("unconfirmed");
  }

  @Test
  void one_address_gets_at_most_three_confirmation_mails_a_day_however_they_are_asked_for() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Flood Co");
    long list = doubleList(org);
    long id = subscribers.upsert(org.id(), new Subscribers.Input("victim@example.com", null, null, null), "test");
    subscribers.subscribe(org.id(), id, list, SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.FORM, "test", null, null, "127.0.0.1", null));
    subscribers.resendConfirmation(org.id(), id, list);
    subscribers.resendConfirmation(org.id(), id, list);
    MockHttpServletResponse fourth = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/subscribers/" + id + "/lists/" + list + "/confirmation")
        .header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
    assertThat(fourth.getStatus()).isEqualTo(429);
    assertThat(fourth.getHeader("Retry-After")).as("the window the limit counts in").isEqualTo("86400");
    assertThat(mails("victim@example.com")).isEqualTo(3);
    // a form sign-up is not refused, it just mails no more
    String publicId = jdbc.sql("select public_id from mailing_list where id = ?").param(list).query(String.class).single();
    mvc.perform(post("/p/subscribe/" + publicId).param("email", "victim@example.com").param("consent", "true"));
    assertThat(mails("victim@example.com")).isEqualTo(3);

    clock.advance(DoubleOptIn.MAIL_WINDOW.plus(Duration.ofMinutes(1)));
    subscribers.resendConfirmation(org.id(), id, list);
    assertThat(mails("victim@example.com")).isEqualTo(4);
  }

  long doubleList(TestOrganizations.Created org) {
    return jdbc.sql("insert into mailing_list (organization_id, name, visibility, optin) values (?, 'Weekly', 'public', 'double') returning id")
        .param(org.id()).query(Long.class).single();
  }

  String token(String email) {
    ConfirmationMails.settle(jdbc);
    String mail = jdbc.sql("select body_text from sandbox_message where recipient = ? order by id limit 1").param(email)
        .query(String.class).single();
    Matcher m = Pattern.compile("/p/confirm\\?token=([A-Za-z0-9_.-]+)").matcher(mail);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  long mails(String email) {
    ConfirmationMails.settle(jdbc);
    return jdbc.sql("select count(*) from sandbox_message where recipient = ?").param(email).query(Long.class).single();
  }

  String status(long subscriberId, long listId) {
    return jdbc.sql("select status from subscription where subscriber_id = ? and list_id = ?").params(subscriberId, listId)
        .query(String.class).single();
  }
}
