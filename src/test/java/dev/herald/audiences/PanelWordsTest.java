package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.tenancy.TestOrganizations;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;

/** Audience pages show stored codes in words (issue 9, "the panel, as a new user saw it": it showed "api", "form"...). */
@SpringBootTest
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class PanelWordsTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired TestOrganizations organizations;
  @Autowired MailingLists lists;
  @Autowired Subscribers subscribers;

  @Test
  void consent_channels_and_the_source_on_the_subscriber_page_are_words_not_api_codes() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Consent Words Co");
    long list = lists.create(org.id(), new MailingLists.ListForm("News", "", null, "single", null, null, List.of())).id();
    long ann = subscribers.upsert(org.id(), new Subscribers.Input("ann@example.com", null, null, null), "api");
    subscribers.subscribe(org.id(), ann, list, null, new Consent.Evidence(ConsentChannel.API, null, null, null, null, null));
    subscribers.subscribe(org.id(), ann, lists.create(org.id(), new MailingLists.ListForm("Offers", "", null, "single", null, null,
        List.of())).id(), null, new Consent.Evidence(ConsentChannel.FORM, null, null, null, null, null));
    String html = mvc.perform(get("/o/" + org.slug() + "/subscribers/" + ann).with(organizations.asOwner(org))).andReturn()
        .getResponse().getContentAsString();
    assertThat(html).contains("<dd>API</dd>");
    assertThat(html).contains("<span class=\"badge\">API</span>", "<span class=\"badge\">Sign-up form</span>")
        .doesNotContain(">api<").doesNotContain(">form<");
  }

  @Test
  void statuses_visibility_and_opt_in_on_the_list_pages_are_words_not_api_codes() throws Exception {
    // The list page showed "public", "double opt-in" and "subscribed", the codes the API takes.
    TestOrganizations.Created org = fixtures.organization("Status Words Co");
    long list = lists.create(org.id(), new MailingLists.ListForm("News", "", "public", "double", null, null, List.of())).id();
    long ann = subscribers.upsert(org.id(), new Subscribers.Input("ann@example.com", null, null, null), "test");
    subscribers.subscribe(org.id(), ann, list, SubscriptionStatus.SUBSCRIBED, Consent.Evidence.panel("owner@example.com", "test", null));
    String base = "/o/" + org.slug();
    String listPage = page(base + "/lists/" + list, org);
    assertThat(listPage).contains(">Public</span>", ">Double opt-in</span>", "<span class=\"stat-label\">Unconfirmed</span>",
        "<span class=\"badge status-subscribed\">Subscribed</span>", "<option value=\"unsubscribed\">Unsubscribed</option>");
    assertThat(page(base + "/subscribers", org)).contains("<span class=\"badge status-subscribed\">Subscribed</span>",
        "<option value=\"complained\">Complained</option>");
    assertThat(page(base + "/lists", org)).contains(">Public</span>");
    for (String html : List.of(listPage, page(base + "/subscribers", org), page(base + "/lists", org), page(base + "/subscribers/" + ann, org))) {
      assertThat(html).doesNotContain(">public<", ">double opt-in<", ">subscribed<", ">unsubscribed<", ">unconfirmed<", ">complained<");
    }
  }

  private String page(String path, TestOrganizations.Created org) throws Exception {
    return mvc.perform(get(path).with(organizations.asOwner(org))).andReturn().getResponse().getContentAsString();
  }
}
