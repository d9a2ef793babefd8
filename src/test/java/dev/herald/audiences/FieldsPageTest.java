package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.tenancy.TestOrganizations;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/** The custom fields page: a field's label, choices and preference-centre flag are edited in place. */
@SpringBootTest
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class FieldsPageTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired TestOrganizations organizations;
  @Autowired CustomFields fields;
  @Autowired Subscribers subscribers;

  @Test
  void a_field_is_edited_in_place_and_a_choice_still_in_use_is_not_removed() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Fields Co");
    CustomFields.Field plan = fields.create(org.id(), "plan", "plan", "choice", List.of("free", "pro"));
    subscribers.upsert(org.id(), new Subscribers.Input("a@example.com", null, java.util.Map.of("plan", "pro"), null), "test");
    String page = "/o/" + org.slug() + "/fields";

    MockHttpServletResponse saved = mvc.perform(post(page + "/" + plan.id()).param("label", "Plan").param("choices", "free, pro, team")
        .param("subscriberEditable", "true").with(csrf()).with(organizations.asOwner(org))).andReturn().getResponse();
    assertThat(saved.getRedirectedUrl()).isEqualTo(page + "#field-" + plan.id());
    assertThat(fields.find(org.id(), plan.id()).orElseThrow())
        .isEqualTo(new CustomFields.Field(plan.id(), "plan", "Plan", "choice", List.of("free", "pro", "team"), true));

    mvc.perform(post(page + "/" + plan.id()).param("label", "Plan").param("choices", "free").with(csrf()).with(organizations.asOwner(org)));
    assertThat(fields.find(org.id(), plan.id()).orElseThrow().choices()).as("'pro' is still held by a subscriber")
        .containsExactly("free", "pro", "team");
    assertThat(fields.find(org.id(), plan.id()).orElseThrow().subscriberEditable()).isTrue();

    String html = mvc.perform(get(page).with(organizations.asOwner(org))).andReturn().getResponse().getContentAsString();
    assertThat(html).contains("editable by the subscriber").contains("value=\"free, pro, team\"");

    TestOrganizations.Created other = fixtures.organization("Other Fields Co");
    assertThat(mvc.perform(post("/o/" + other.slug() + "/fields/" + plan.id()).param("label", "x").with(csrf())
        .with(organizations.asOwner(other))).andReturn().getResponse().getStatus()).isEqualTo(404);
  }

  @Test
  void field_types_are_shown_in_words_not_as_api_codes() throws Exception {
    TestOrganizations.Created org = fixtures.organization("Field Words Co");
    fields.create(org.id(), "vip", "VIP", "boolean", List.of());
    String html = mvc.perform(get("/o/" + org.slug() + "/fields").with(organizations.asOwner(org))).andReturn().getResponse()
        .getContentAsString();
    assertThat(html).contains("<span class=\"badge\">Yes or no</span>").doesNotContain(">boolean<");
    assertThat(html).as("the select shows words and still posts the codes")
        .contains("<option value=\"boolean\">Yes or no</option>").contains("<option value=\"choice\">Choice from a list</option>")
        .contains("<option value=\"text\">Text</option>").doesNotContain(">choice<").doesNotContain(">text<");
  }
}
