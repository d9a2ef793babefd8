package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.audiences.SubscriptionStatus;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.TestClock;
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
import org.springframework.test.web.servlet.MvcResult;

/**
 * A campaign's page as its state moves: the live part asks for the whole page again when the state is no longer the
 * one drawn; a draft shows how many people its audience has now; a campaign that is not sending or paused can be
 * deleted from its page, one that is cannot.
 */
@SpringBootTest(properties = "herald.roles=web")
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class, CampaignFixtures.class})
class CampaignPageTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired CampaignFixtures fixtures;
  @Autowired Campaigns campaigns;
  @Autowired CampaignStarter starter;
  @Autowired JdbcClient jdbc;

  CampaignFixtures.Org org;
  long list;

  @BeforeEach
  void organization() {
    // the starter takes due campaigns of any organization: earlier tests' are out of the way
    jdbc.sql("update campaign_send set status = 'finished' where status in ('queued', 'running')").update();
    org = fixtures.organization();
    list = fixtures.list(org, "Readers");
    fixtures.subscriber(org, "ann@example.com", SubscriptionStatus.SUBSCRIBED, list);
  }

  String base(Campaign c) {
    return "/o/" + org.created().slug() + "/campaigns/" + c.id();
  }

  MockHttpServletResponse fetch(String path, Map<String, String> params) throws Exception {
    var r = get(path).with(organizations.asOwner(org.created()));
    params.forEach((k, v) -> r.param(k, v));
    return mvc.perform(r).andReturn().getResponse();
  }

  @Test
  void the_live_part_asks_for_the_whole_page_once_the_state_changed() throws Exception {
    Campaign c = campaigns.schedule(org.id(), campaigns.create(org.id(), fixtures.form(org, "Live", CampaignFixtures.lists(list))).id(),
        null, null);
    String page = fetch(base(c), Map.of()).getContentAsString();
    assertThat(page).contains(base(c) + "/live?shown=scheduled");

    MockHttpServletResponse same = fetch(base(c) + "/live", Map.of("shown", "scheduled"));
    assertThat(same.getStatus()).isEqualTo(200);
    assertThat(same.getHeader("HX-Refresh")).isNull();

    starter.startDue();
    MockHttpServletResponse moved = fetch(base(c) + "/live", Map.of("shown", "scheduled"));
    assertThat(moved.getHeader("HX-Refresh")).isEqualTo("true");
    assertThat(moved.getContentAsString()).contains("/live?shown=sending");
  }

  @Test
  void a_draft_shows_its_audience_now_and_a_started_campaign_its_fixed_number() throws Exception {
    Campaign c = campaigns.create(org.id(), fixtures.form(org, "Sized", CampaignFixtures.lists(list)));
    assertThat(fetch(base(c), Map.of()).getContentAsString())
        .contains("hx-get=\"/o/" + org.created().slug() + "/campaigns/audience-estimate?lists=" + list + "\"")
        .doesNotContain("fixed when it started");
    campaigns.schedule(org.id(), c.id(), null, null);
    starter.startDue();
    assertThat(fetch(base(c), Map.of()).getContentAsString()).contains("1, fixed when it started").doesNotContain("audience-estimate?");
  }

  @Test
  void a_campaign_is_deleted_from_its_page_unless_it_is_sending() throws Exception {
    Campaign draft = campaigns.create(org.id(), fixtures.form(org, "Unwanted", CampaignFixtures.lists(list)));
    assertThat(fetch(base(draft), Map.of()).getContentAsString()).contains("Delete this campaign");
    MvcResult deleted = mvc.perform(post(base(draft) + "/delete").with(organizations.asOwner(org.created())).with(csrf())).andReturn();
    assertThat(deleted.getResponse().getRedirectedUrl()).isEqualTo("/o/" + org.created().slug() + "/campaigns");
    assertThat(deleted.getFlashMap().get("notice")).isEqualTo("Campaign Unwanted deleted.");
    assertThat(campaigns.find(org.id(), draft.id())).isEmpty();
    assertThat(mvc.perform(post(base(draft) + "/delete").with(organizations.asOwner(org.created())).with(csrf()))
        .andReturn().getResponse().getStatus()).isEqualTo(404);

    Campaign sending = campaigns.schedule(org.id(), campaigns.create(org.id(), fixtures.form(org, "Going", CampaignFixtures.lists(list))).id(),
        null, null);
    starter.startDue();
    assertThat(fetch(base(sending), Map.of()).getContentAsString()).doesNotContain("Delete this campaign");
    MvcResult refused = mvc.perform(post(base(sending) + "/delete").with(organizations.asOwner(org.created())).with(csrf())).andReturn();
    assertThat(refused.getResponse().getRedirectedUrl()).isEqualTo(base(sending));
    assertThat(String.valueOf(refused.getFlashMap().get("errors"))).contains("cannot be deleted; cancel it first");
    assertThat(campaigns.find(org.id(), sending.id())).isPresent();
  }
}
