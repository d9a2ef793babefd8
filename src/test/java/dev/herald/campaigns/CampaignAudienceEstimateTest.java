package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.audiences.SubscriptionStatus;
import dev.herald.suppression.SuppressionReason;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The audience estimate (the form's live count and the API's): the same people a start fixes into the ledger (lists and
 * segments minus exclusions, subscribed only, suppressed left out, each once), bounded in time; and a refused campaign
 * form coming back with every audience choice and every other field as sent.
 */
@SpringBootTest(properties = "herald.roles=web")
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class, CampaignFixtures.class})
class CampaignAudienceEstimateTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired CampaignFixtures fixtures;
  @Autowired Campaigns campaigns;
  @Autowired CampaignStarter starter;
  @Autowired AudienceEstimates estimates;
  @Autowired Suppressions suppressions;
  @Autowired JdbcClient jdbc;
  @Autowired PlatformTransactionManager transactions;

  CampaignFixtures.Org org;
  long news, offers, other, staff, vip, nope;

  @BeforeEach
  void audience() {
    // the starter takes due campaigns of any organization: earlier tests' are out of the way
    jdbc.sql("update campaign_send set status = 'finished' where status in ('queued', 'running')").update();
    org = fixtures.organization();
    news = fixtures.list(org, "News");
    offers = fixtures.list(org, "Offers");
    other = fixtures.list(org, "Other");
    staff = fixtures.list(org, "Staff");
    vip = fixtures.segmentTagged(org, "vip");
    nope = fixtures.segmentTagged(org, "nope");
    fixtures.subscriber(org, "ann@example.com", SubscriptionStatus.SUBSCRIBED, news);
    fixtures.subscriber(org, "bob@example.com", SubscriptionStatus.SUBSCRIBED, offers, news);
    fixtures.subscriber(org, "unconfirmed@example.com", SubscriptionStatus.UNCONFIRMED, news);
    fixtures.subscriber(org, "left@example.com", SubscriptionStatus.UNSUBSCRIBED, news);
    fixtures.tag(org, fixtures.subscriber(org, "eve@example.com", SubscriptionStatus.SUBSCRIBED, other), "vip");
    fixtures.tag(org, fixtures.subscriber(org, "vip-unconfirmed@example.com", SubscriptionStatus.UNCONFIRMED, other), "vip");
    fixtures.subscriber(org, "staff@example.com", SubscriptionStatus.SUBSCRIBED, news);
    fixtures.subscriber(org, "staff@example.com", SubscriptionStatus.UNSUBSCRIBED, staff);
    fixtures.tag(org, fixtures.subscriber(org, "nope@example.com", SubscriptionStatus.SUBSCRIBED, offers), "nope");
    fixtures.subscriber(org, "suppressed@example.com", SubscriptionStatus.SUBSCRIBED, news);
    suppressions.add(org.id(), new Suppressions.NewEntry("suppressed@example.com", null, SuppressionReason.MANUAL, null, null), "test");
    var elsewhere = fixtures.organization();
    fixtures.subscriber(elsewhere, "stranger@example.com", SubscriptionStatus.SUBSCRIBED, fixtures.list(elsewhere, "Theirs"));
  }

  Campaign.Audience full() {
    return new Campaign.Audience(List.of(news, offers), List.of(vip), List.of(staff), List.of(nope));
  }

  @Test
  void the_estimate_is_the_number_a_start_fixes_and_follows_suppressions() {
    assertThat(estimates.count(org.id(), full())).isEqualTo(OptionalLong.of(3));
    assertThat(estimates.count(org.id(), CampaignFixtures.lists(news))).isEqualTo(OptionalLong.of(3));
    assertThat(estimates.count(org.id(), Campaign.Audience.none())).isEqualTo(OptionalLong.of(0));
    // a list of another organization counts nobody
    long theirs = fixtures.list(fixtures.organization(), "Not yours");
    assertThat(estimates.count(org.id(), CampaignFixtures.lists(theirs))).isEqualTo(OptionalLong.of(0));

    Campaign draft = campaigns.create(org.id(), fixtures.form(org, "Estimated", full()));
    campaigns.schedule(org.id(), draft.id(), null, null);
    starter.startDue();
    assertThat(campaigns.find(org.id(), draft.id()).orElseThrow().recipients()).isEqualTo(3);

    suppressions.add(org.id(), new Suppressions.NewEntry("ann@example.com", null, SuppressionReason.MANUAL, null, null), "test");
    assertThat(estimates.count(org.id(), full())).isEqualTo(OptionalLong.of(2));
  }

  @Test
  void a_count_that_outlasts_its_bound_answers_nothing_instead_of_waiting() throws Exception {
    CountDownLatch locked = new CountDownLatch(1), done = new CountDownLatch(1);
    Thread holder = Thread.ofVirtual().start(() -> new TransactionTemplate(transactions).executeWithoutResult(s -> {
      jdbc.sql("lock table subscription in access exclusive mode").update();
      locked.countDown();
      try {
        done.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    try {
      assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(estimates.count(org.id(), full(), Duration.ofMillis(300))).isEmpty();
    } finally {
      done.countDown();
      holder.join(Duration.ofSeconds(30));
    }
    assertThat(estimates.count(org.id(), full())).isEqualTo(OptionalLong.of(3));
  }

  @Test
  void the_form_asks_for_the_estimate_of_the_ticked_boxes_and_the_api_for_a_campaign() throws Exception {
    String form = page(get("/o/" + org.created().slug() + "/campaigns/new"));
    assertThat(form).contains("hx-get=\"/o/" + org.created().slug() + "/campaigns/audience-estimate\"", "hx-include=\"#audience-choices\"");

    String estimate = page(get("/o/" + org.created().slug() + "/campaigns/audience-estimate")
        .param("lists", "" + news, "" + offers).param("segments", "" + vip).param("excludedLists", "" + staff)
        .param("excludedSegments", "" + nope));
    assertThat(estimate).contains("id=\"audience-count\">3</strong>", "people would get it if it started now.");
    assertThat(page(get("/o/" + org.created().slug() + "/campaigns/audience-estimate").param("segments", "" + vip)))
        .contains(">1</strong>", "person would get it");
    assertThat(page(get("/o/" + org.created().slug() + "/campaigns/audience-estimate").param("excludedLists", "" + staff)))
        .contains("Nobody yet").doesNotContain("audience-count");
    // a list both sent to and left out is named, as the save would refuse it
    assertThat(page(get("/o/" + org.created().slug() + "/campaigns/audience-estimate").param("lists", "" + news)
        .param("excludedLists", "" + news))).contains("News is both sent to and left out: untick one.").doesNotContain("audience-count");
    assertThat(page(get("/o/" + org.created().slug() + "/campaigns/audience-estimate").param("segments", "" + vip)
        .param("excludedSegments", "" + vip))).contains("Tagged vip is both sent to and left out");
    assertThat(mvc.perform(get("/o/" + org.created().slug() + "/campaigns/audience-estimate").param("lists", "x")
        .with(organizations.asOwner(org.created()))).andReturn().getResponse().getStatus()).isEqualTo(422);

    Campaign c = campaigns.create(org.id(), fixtures.form(org, "By API", full()));
    MockHttpServletResponse api = mvc.perform(get("/api/v1/orgs/" + org.created().slug() + "/campaigns/" + c.id() + "/audience-estimate")
        .header("Authorization", "Bearer " + org.created().apiKey())).andReturn().getResponse();
    assertThat(api.getStatus()).isEqualTo(200);
    assertThat(api.getContentAsString()).isEqualTo("{\"recipients\":3}");
    assertThat(mvc.perform(get("/api/v1/orgs/" + org.created().slug() + "/campaigns/" + (c.id() + 1000) + "/audience-estimate")
        .header("Authorization", "Bearer " + org.created().apiKey())).andReturn().getResponse().getStatus()).isEqualTo(404);
  }

  @Test
  void a_refused_form_comes_back_with_every_audience_choice_and_every_field() throws Exception {
    long pro = fixtures.segmentTagged(org, "pro");
    String slug = org.created().slug();
    MockHttpServletResponse r = mvc.perform(post("/o/" + slug + "/campaigns").with(organizations.asOwner(org.created())).with(csrf())
        .param("name", "Two of each").param("tags", "news, spring").param("subject", "Hello {{ subscriber.name }}")
        .param("preheader", "This week").param("fromLocal", "news").param("fromDomain", org.domain()).param("fromName", "The News")
        .param("replyTo", "not an address").param("body", "<p>Dear friend</p>").param("bodyFormat", "html").param("trackClicks", "on")
        .param("lists", "" + news, "" + offers).param("segments", "" + vip, "" + pro)
        .param("excludedLists", "" + staff, "" + other).param("excludedSegments", "" + nope))
        .andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(422);
    String html = r.getContentAsString();
    assertThat(html).contains("id=\"c-reply-to-error\"");
    for (long id : List.of(news, offers)) assertThat(html).containsPattern(checked("lists", id));
    for (long id : List.of(vip, pro)) assertThat(html).containsPattern(checked("segments", id));
    for (long id : List.of(staff, other)) assertThat(html).containsPattern(checked("excludedLists", id));
    assertThat(html).containsPattern(checked("excludedSegments", nope));
    assertThat(html).doesNotContainPattern(checked("excludedSegments", vip)).doesNotContainPattern(checked("lists", staff));
    assertThat(html).contains("value=\"Two of each\"", "value=\"news, spring\"", "value=\"Hello {{ subscriber.name }}\"",
        "value=\"This week\"", "value=\"news\"", "value=\"The News\"", "value=\"not an address\"", "&lt;p&gt;Dear friend&lt;/p&gt;");
    assertThat(html).containsPattern("<option value=\"" + java.util.regex.Pattern.quote(org.domain()) + "\" selected");
    assertThat(html).containsPattern("<option value=\"html\" selected");
    assertThat(html).containsPattern("name=\"trackClicks\" checked").doesNotContainPattern("name=\"trackOpens\" checked");
    assertThat(campaigns.list(org.id(), null, 0, 10).total()).isZero();

    // the same on an edit: the stored campaign is untouched, the form shows what was sent
    Campaign c = campaigns.create(org.id(), fixtures.form(org, "Stored", CampaignFixtures.lists(news)));
    html = mvc.perform(post("/o/" + slug + "/campaigns/" + c.id()).with(organizations.asOwner(org.created())).with(csrf())
        .param("name", "Changed").param("lists", "" + news, "" + offers).param("excludedLists", "" + news))
        .andReturn().getResponse().getContentAsString();
    assertThat(html).contains("id=\"c-excluded-lists-error\"", "value=\"Changed\"").containsPattern(checked("lists", offers));
    assertThat(campaigns.find(org.id(), c.id()).orElseThrow().name()).isEqualTo("Stored");
  }

  private static String checked(String name, long id) {
    return "name=\"" + name + "\" value=\"" + id + "\"\\s+checked";
  }

  private String page(org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder request) throws Exception {
    MockHttpServletResponse r = mvc.perform(request.with(organizations.asOwner(org.created()))).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(200);
    return r.getContentAsString();
  }
}
