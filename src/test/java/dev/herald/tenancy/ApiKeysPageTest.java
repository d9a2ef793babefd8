package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.test.web.servlet.MockMvc;

/** The API keys page. */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class ApiKeysPageTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;

  @Test
  void key_scopes_are_shown_in_words_not_as_api_codes() throws Exception {
    // It showed "lists:write" and "suppressions:read", in the keys table and beside each box of the form.
    TestOrganizations.Created org = organizations.create("Scope Words Co", "lists:write", "send");
    String html = mvc.perform(get("/o/" + org.slug() + "/api-keys").with(organizations.asOwner(org))).andReturn().getResponse()
        .getContentAsString();
    assertThat(html).contains("<li title=\"lists:write\">Change lists and subscribers</li>", "<li title=\"send\">Send mail</li>");
    assertThat(html).as("the form posts the codes and shows the words")
        .contains("value=\"suppressions:read\"", ">Read the suppression list</label>")
        .doesNotContain(">lists:write<").doesNotContain(">suppressions:read<").doesNotContain("<code>send</code>");
    for (ApiScope scope : ApiScope.values()) assertThat(scope.words()).as(scope.code()).doesNotContain(":").doesNotContain("_");
  }

  @Test
  void every_scope_is_offered_now_that_reports_exist() throws Exception {
    // The form offered "Read reports" before Herald had reports and then hid it; reports exist now (reports.OrganizationReportApi).
    TestOrganizations.Created org = organizations.create("Scope Offer Co", "campaigns:read", "send");
    String html = mvc.perform(get("/o/" + org.slug() + "/api-keys").with(organizations.asOwner(org))).andReturn().getResponse()
        .getContentAsString();
    assertThat(html).contains("value=\"send\"", "value=\"lists:write\"", "value=\"domains:read\"", "value=\"privacy\"",
        "value=\"audit:read\"", "value=\"templates:read\"", "value=\"templates:write\"",
        "value=\"campaigns:read\"", "value=\"campaigns:write\"", "value=\"reports:read\"");
    for (ApiScope scope : ApiScope.values()) assertThat(html).as(scope.code()).contains("value=\"" + scope.code() + "\"");
  }
}
