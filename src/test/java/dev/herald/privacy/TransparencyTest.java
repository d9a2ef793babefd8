package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.tenancy.TestOrganizations;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The public privacy page is drawn from data the operator keeps (sub-processors, region, contact) and the retention
 * schedules; it sets no cookie; the sub-processor list is the same one {@link SubProcessors#list()} gives the access
 * archive.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class TransparencyTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SubProcessors subProcessors;

  MockHttpServletResponse publicPage() throws Exception {
    MockHttpServletResponse r = mvc.perform(get("/p/privacy")).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(200);
    return r;
  }

  @Test
  void the_public_page_shows_what_the_operator_keeps_and_the_retention_schedules() throws Exception {
    RequestPostProcessor operator = organizations.asNewOperator("transparency-operator@herald.test");
    MockHttpServletResponse r = mvc.perform(post("/operator/privacy").with(operator).with(csrf())
        .param("region", "European Union (Frankfurt, Germany)").param("contact", "privacy@herald.example\nHerald GmbH, Berlin"))
        .andReturn().getResponse();
    assertThat(r.getRedirectedUrl()).isEqualTo("/operator/privacy");
    r = mvc.perform(post("/operator/privacy/sub-processors").with(operator).with(csrf()).param("name", "Cloud Hosting AG")
        .param("purpose", "Servers and backups").param("location", "Germany").param("url", "https://hosting.example/dpa"))
        .andReturn().getResponse();
    assertThat(r.getRedirectedUrl()).isEqualTo("/operator/privacy");
    r = mvc.perform(post("/api/v1/operator/sub-processors").with(operator).with(csrf()).contentType("application/json")
        .content("{\"name\":\"Relay Mail Inc\",\"purpose\":\"Smarthost\",\"location\":\"Ireland\",\"url\":\"\"}")).andReturn().getResponse();
    assertThat(r.getStatus()).as(r.getContentAsString()).isEqualTo(201);

    MockHttpServletResponse page = publicPage();
    String html = page.getContentAsString();
    assertThat(html).contains("European Union (Frankfurt, Germany)", "privacy@herald.example", "Herald GmbH, Berlin", "Cloud Hosting AG",
        "Servers and backups", "https://hosting.example/dpa", "Relay Mail Inc", "Ireland");
    assertThat(html).contains("delivery log details", "30 days", "audit log", "1 year", "hosted-page request logs", "1 month");
    assertThat(page.getCookies()).isEmpty();
    assertThat(page.getHeader("Set-Cookie")).isNull();

    assertThat(subProcessors.list()).extracting(SubProcessors.SubProcessor::name).contains("Cloud Hosting AG", "Relay Mail Inc");
    String operatorPage = mvc.perform(get("/operator/privacy").with(operator)).andReturn().getResponse().getContentAsString();
    assertThat(operatorPage).contains("Cloud Hosting AG", "/p/privacy");

    long id = subProcessors.list().stream().filter(s -> s.name().equals("Relay Mail Inc")).findFirst().orElseThrow().id();
    assertThat(mvc.perform(delete("/api/v1/operator/sub-processors/" + id).with(operator).with(csrf())).andReturn().getResponse().getStatus())
        .isEqualTo(204);
    assertThat(publicPage().getContentAsString()).doesNotContain("Relay Mail Inc");
    assertThat(mvc.perform(delete("/api/v1/operator/sub-processors/" + id).with(operator).with(csrf())).andReturn().getResponse().getStatus())
        .isEqualTo(404);
  }

  @Test
  void a_link_that_is_not_http_is_refused_naming_the_field() throws Exception {
    RequestPostProcessor operator = organizations.asNewOperator("transparency-operator2@herald.test");
    MockHttpServletResponse r = mvc.perform(post("/api/v1/operator/sub-processors").with(operator).with(csrf()).contentType("application/json")
        .content("{\"name\":\"Evil\",\"purpose\":\"x\",\"location\":\"x\",\"url\":\"javascript:alert(1)\"}")).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(422);
    assertThat(r.getContentAsString()).contains("url");
    r = mvc.perform(post("/api/v1/operator/sub-processors").with(operator).with(csrf()).contentType("application/json")
        .content("{\"purpose\":\"x\",\"location\":\"x\"}")).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(422);
    assertThat(r.getContentAsString()).contains("name");
  }

  @Test
  void only_the_operator_manages_the_list() throws Exception {
    TestOrganizations.Created org = organizations.create("Transparency Org", "lists:read");
    assertThat(mvc.perform(post("/api/v1/operator/sub-processors").with(organizations.asOwner(org)).with(csrf()).contentType("application/json")
        .content("{\"name\":\"X\",\"purpose\":\"x\",\"location\":\"x\"}")).andReturn().getResponse().getStatus()).isEqualTo(403);
    assertThat(mvc.perform(get("/operator/privacy").with(organizations.asOwner(org))).andReturn().getResponse().getStatus()).isEqualTo(403);
  }
}
