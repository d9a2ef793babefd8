package dev.herald.campaigns;

import static dev.herald.campaigns.CampaignFixtures.lists;
import static dev.herald.campaigns.CampaignMessageSourceTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.audiences.AudienceSelection;
import dev.herald.audiences.Consent;
import dev.herald.audiences.ConsentChannel;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.suppression.RestrictionKind;
import dev.herald.suppression.Restrictions;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.VerifiedSenders;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
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
 * Restrictions of processing and objections to marketing through the real sending paths, with Herald's MTA delivering
 * to Postfix's smtp-sink: a campaign's estimate and ledger leave both people out and neither is mailed; lifted, the next
 * campaign mails them; a restriction placed after the hand-off stops the mail at render time; the send API (not
 * marketing) refuses a restricted recipient but mails one who only objected to marketing.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static",
    "herald.campaigns.poll=100ms", "herald.public-url=https://news.herald.test"})
@AutoConfigureMockMvc
@Import({TestOrganizations.class, CampaignFixtures.class})
class RestrictedCampaignTest {
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
  @Autowired ObjectMapper json;
  @Autowired TestOrganizations organizations;
  @Autowired CampaignFixtures fixtures;
  @Autowired Campaigns campaigns;
  @Autowired AudienceSelection audiences;
  @Autowired Restrictions restrictions;
  @Autowired SendingDomains sendingDomains;
  @Autowired Subscribers subscribers;
  @Autowired BulkSends bulk;
  @Autowired JdbcClient jdbc;

  List<String> ledger(long campaign) {
    return jdbc.sql("select address from campaign_recipient where campaign_id = ? order by address").param(campaign).query(String.class).list();
  }

  long delivered(long campaign) {
    return jdbc.sql("""
        select count(*) from outbound_recipient r join campaign c on c.message_id = r.message_id where c.id = ? and r.state = 'delivered'""")
        .param(campaign).query(Long.class).single();
  }

  static int sentTo(String address) {
    try {
      return sink.sentTo(address).size();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void restricted_and_objecting_people_get_no_campaign_until_lifted() throws Exception {
    CampaignFixtures.Org org = fixtures.organization();
    long list = fixtures.list(org, "Readers");
    String ann = "ann@r1-" + org.id() + ".example", rita = "rita@r1-" + org.id() + ".example", otto = "otto@r1-" + org.id() + ".example";
    for (String person : List.of(ann, rita, otto)) fixtures.subscriber(org, person, SubscriptionStatus.SUBSCRIBED, list);
    restrictions.restrict(org.id(), rita, RestrictionKind.RESTRICTION, "contests accuracy");
    restrictions.restrict(org.id(), otto.toUpperCase(), RestrictionKind.OBJECTION, "no marketing");

    AudienceSelection.Selection selection = new AudienceSelection.Selection(List.of(list), List.of(), List.of(), List.of());
    assertThat(audiences.count(org.id(), selection)).as("the campaign form's estimate").isEqualTo(1);
    Campaign first = campaigns.create(org.id(), fixtures.form(org, "First " + System.nanoTime(), lists(list)));
    campaigns.schedule(org.id(), first.id(), null, null);
    waitFor("Ann's mail delivered", () -> delivered(first.id()) == 1);
    assertThat(ledger(first.id())).containsExactly(ann);
    waitFor("the sink to hold Ann's mail", () -> sentTo(ann) == 1);
    assertThat(sink.sentTo(rita)).isEmpty();
    assertThat(sink.sentTo(otto)).isEmpty();

    restrictions.lift(org.id(), rita, RestrictionKind.RESTRICTION);
    restrictions.lift(org.id(), otto, RestrictionKind.OBJECTION);
    assertThat(audiences.count(org.id(), selection)).isEqualTo(3);
    Campaign second = campaigns.create(org.id(), fixtures.form(org, "Second " + System.nanoTime(), lists(list)));
    campaigns.schedule(org.id(), second.id(), null, null);
    waitFor("all three delivered", () -> delivered(second.id()) == 3);
    assertThat(ledger(second.id())).containsExactlyInAnyOrder(ann, rita, otto);
    assertThat(sink.sentTo(rita)).hasSize(1);
    assertThat(sink.sentTo(otto)).hasSize(1);
  }

  @Test
  void a_restriction_or_objection_placed_after_the_hand_off_stops_the_mail_when_it_is_rendered() throws Exception {
    long org = organizations.create("Late Restriction " + System.nanoTime(), "send").id();
    String domain = "late-" + org + ".example";
    long domainId = new VerifiedSenders(sendingDomains, jdbc).organization(org, domain).domainId();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Weekly', 'single') returning id")
        .param(org).query(Long.class).single();
    long message = bulk.open(org, domainId, MessageSourceKind.CAMPAIGN, "news@" + domain, "Hello");
    bulk.hold(message); // nothing is claimed until the restrictions are in place
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, from_name, template_source, body, body_format, state,
          sending_domain_id, message_id, started_at)
        values (?, 'Late', 'Hello', ?, 'News', '<html><body>{{ content }}</body></html>', '<p>Hi</p>', 'html', 'sending', ?, ?, now())
        returning id""").params(org, "news@" + domain, domainId, message).query(Long.class).single();
    List<BulkSends.BulkRecipient> queued = new ArrayList<>();
    List<String> people = List.of("cy@late.example", "rita@late.example", "otto@late.example");
    for (String email : people) {
      long subscriber = subscribers.addToLists(org, new Subscribers.Input(email, null, Map.of(), null), List.of(list),
          SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
      long ref = jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
          values (?, ?, ?, ?, ?, 'handed_off', ?) returning id""")
          .params(campaign, subscriber, list, email, email, java.sql.Timestamp.from(java.time.Instant.now())).query(Long.class).single();
      queued.add(new BulkSends.BulkRecipient(ref, email));
    }
    bulk.add(message, queued);
    restrictions.restrict(org, "rita@late.example", RestrictionKind.RESTRICTION, "");
    restrictions.restrict(org, "otto@late.example", RestrictionKind.OBJECTION, "");
    bulk.release(message);

    waitFor("every row ended", () -> jdbc.sql("select count(*) from outbound_recipient where message_id = ? and state in ('queued', 'sending')")
        .param(message).query(Long.class).single() == 0);
    Map<String, String> replies = new HashMap<>();
    jdbc.sql("select address, state || ': ' || last_reply from outbound_recipient where message_id = ?").param(message)
        .query(rs -> {
          replies.put(rs.getString(1), rs.getString(2));
        });
    assertThat(replies.get("cy@late.example")).startsWith("delivered");
    assertThat(replies.get("rita@late.example")).isEqualTo("failed: Not sent: processing restricted at the person's request");
    assertThat(replies.get("otto@late.example")).isEqualTo("failed: Not sent: the person objected to marketing");
    assertThat(sink.sentTo("rita@late.example")).isEmpty();
    assertThat(sink.sentTo("otto@late.example")).isEmpty();
  }

  @Test
  void the_send_api_refuses_a_restricted_recipient_and_mails_one_who_only_objected_to_marketing() throws Exception {
    TestOrganizations.Created org = organizations.create("Api Restriction " + System.nanoTime(), "send");
    String domain = "api-" + org.id() + ".example";
    new VerifiedSenders(sendingDomains, jdbc).organization(org.id(), domain);
    restrictions.restrict(org.id(), "rita@api.example", RestrictionKind.RESTRICTION, "");
    restrictions.restrict(org.id(), "otto@api.example", RestrictionKind.OBJECTION, "");
    String body = json.writeValueAsString(Map.of("from", "info@" + domain, "to", List.of("rita@api.example", "otto@api.example"),
        "subject", "Your receipt", "text", "Thank you"));
    MockHttpServletResponse r = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/messages").header("Authorization", "Bearer " + org.apiKey())
        .contentType("application/json").content(body)).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(202);
    long id = json.readTree(r.getContentAsString()).get("id").asLong();
    waitFor("Otto's receipt delivered", () -> jdbc.sql("select count(*) from outbound_recipient where message_id = ? and state = 'delivered'")
        .param(id).query(Long.class).single() == 1);
    assertThat(jdbc.sql("select state || ': ' || last_reply from outbound_recipient where message_id = ? and address = 'rita@api.example'")
        .param(id).query(String.class).single()).isEqualTo("failed: Not sent: processing restricted at the person's request");
    assertThat(sink.sentTo("otto@api.example")).hasSize(1);
    assertThat(sink.sentTo("rita@api.example")).isEmpty();
  }
}
