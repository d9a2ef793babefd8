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
}
