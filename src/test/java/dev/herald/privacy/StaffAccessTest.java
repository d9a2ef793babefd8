package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.tenancy.Role;
import dev.herald.tenancy.TestOrganizations;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Staff access: an operator's look at an organization's subscriber is logged and shown to the organization; a member's is not. */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class StaffAccessTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired ObjectMapper json;
  @Autowired PrivacyPersonalData holder;

  JsonNode log(TestOrganizations.Created org) throws Exception {
    MockHttpServletResponse r = mvc.perform(get("/api/v1/orgs/" + org.slug() + "/staff-access")
        .header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(200);
    return json.readTree(r.getContentAsString());
  }

  long subscriber(TestOrganizations.Created org, String email) throws Exception {
    MockHttpServletResponse r = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/subscribers").header("Authorization", "Bearer " + org.apiKey())
        .contentType("application/json").content("{\"email\":\"" + email + "\"}")).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(201);
    return json.readTree(r.getContentAsString()).get("subscriber").get("id").asLong();
  }

  @Test
  void an_operator_viewing_a_subscriber_is_logged_for_the_organization_and_a_member_is_not() throws Exception {
    TestOrganizations.Created org = organizations.create("Staff Access Org", "lists:write", "lists:read", "audit:read");
    TestOrganizations.Created other = organizations.create("Staff Access Other", "audit:read");
    long id = subscriber(org, "ann@staff-access.example");
    String path = "/o/" + org.slug() + "/subscribers/" + id;

    RequestPostProcessor member = organizations.asNewMember(org, "plain-member@staff-access.test", Role.admin);
    assertThat(mvc.perform(get(path).with(member)).andReturn().getResponse().getStatus()).isEqualTo(200);
    assertThat(log(org).get("total").asLong()).as("a member's own look is no staff access").isZero();

    RequestPostProcessor operator = organizations.asNewOperatorMember(org, "support@herald.test", Role.viewer);
    assertThat(mvc.perform(get(path).with(operator)).andReturn().getResponse().getStatus()).isEqualTo(200);
    assertThat(mvc.perform(get(path).with(operator)).andReturn().getResponse().getStatus()).isEqualTo(200); // a reload: one entry
    mvc.perform(get("/api/v1/orgs/" + org.slug() + "/subscribers/" + id).with(operator)).andReturn();

    JsonNode entries = log(org);
    assertThat(entries.get("total").asLong()).isEqualTo(2);
    JsonNode page = entries.get("items").get(1);
    assertThat(page.get("email").asString()).isEqualTo("support@herald.test");
    assertThat(page.get("method").asString()).isEqualTo("GET");
    assertThat(page.get("path").asString()).isEqualTo(path);
    assertThat(entries.get("items").get(0).get("path").asString()).isEqualTo("/api/v1/orgs/" + org.slug() + "/subscribers/" + id);
    assertThat(log(other).get("total").asLong()).isZero();

    String html = mvc.perform(get("/o/" + org.slug() + "/staff-access").with(organizations.asOwner(org))).andReturn().getResponse()
        .getContentAsString();
    assertThat(html).contains("support@herald.test", "GET " + path);
    // the member without the audit log's permission does not read it
    RequestPostProcessor plain = organizations.asNewMember(org, "basic@staff-access.test", Role.member);
    assertThat(mvc.perform(get("/o/" + org.slug() + "/staff-access").with(plain)).andReturn().getResponse().getStatus()).isEqualTo(403);
  }

  @Test
  void the_audit_logs_schedule_purges_old_entries_of_the_log() throws Exception {
    TestOrganizations.Created org = organizations.create("Staff Access Purge", "lists:write", "audit:read");
    RequestPostProcessor operator = organizations.asNewOperatorMember(org, "support-purge@herald.test", Role.viewer);
    mvc.perform(get("/o/" + org.slug() + "/subscribers").with(operator)).andReturn();
    assertThat(log(org).get("total").asLong()).isEqualTo(1);
    assertThat(holder.purge(dev.herald.platform.personaldata.RetentionCategory.AUDIT_LOG, org.id(), java.time.Instant.now().minusSeconds(3600), 100))
        .isZero();
    assertThat(holder.purge(dev.herald.platform.personaldata.RetentionCategory.SIGN_IN_HISTORY, org.id(),
        java.time.Instant.now().plusSeconds(3600), 100)).isZero();
    assertThat(holder.purge(dev.herald.platform.personaldata.RetentionCategory.AUDIT_LOG, org.id(), java.time.Instant.now().plusSeconds(3600), 100))
        .isEqualTo(1);
    assertThat(log(org).get("total").asLong()).isZero();
  }
}
