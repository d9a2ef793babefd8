package dev.herald.tracking;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.tenancy.TestOrganizations;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The tracking privacy settings through the REST API: the organization's, a campaign's own winning over it and taken
 * away again, refusals that name the field, another organization's campaign not found, and the scopes of the page.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class TrackingPrivacyApiTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired TrackingPrivacy privacy;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;

  static int counter;
  TestOrganizations.Created org;
  long campaign;

  @BeforeEach
  void organization() {
    org = organizations.create("Tracking Api " + (++counter), "campaigns:read", "campaigns:write");
    campaign = campaign(org.id(), "Spring news");
  }

  long campaign(long organizationId, String name) {
    return jdbc.sql("insert into campaign (organization_id, name) values (?, ?) returning id").params(organizationId, name).query(Long.class)
        .single();
  }

  JsonNode send(String key, MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    MockHttpServletResponse response = mvc.perform(r.header("Authorization", "Bearer " + key).contentType("application/json").content(body))
        .andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return response.getContentAsString().isEmpty() ? null : json.readTree(response.getContentAsString());
  }

  JsonNode send(MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    return send(org.apiKey(), r, body, expectedStatus);
  }

  String api(String path) {
    return "/api/v1/orgs/" + org.slug() + "/tracking/privacy" + path;
  }

  static String field(JsonNode problem) {
    return problem.get("errors").get(0).get("field").asString();
  }

  @Test
  void the_organization_reads_the_defaults_then_chooses_its_own_setting() throws Exception {
    JsonNode fresh = send(get(api("")), "", 200);
    assertThat(fresh.get("organization").get("mode").asString()).isEqualTo("anonymous");
    assertThat(fresh.get("organization").get("ip").asString()).isEqualTo("none");
    assertThat(fresh.get("defaults").get("mode").asString()).isEqualTo("anonymous");
    assertThat(fresh.get("campaigns")).isEmpty();

    JsonNode saved = send(put(api("")), "{\"mode\": \"identified\", \"ip\": \"truncated\"}", 200);
    assertThat(saved.get("mode").asString()).isEqualTo("identified");
    assertThat(saved.get("ip").asString()).isEqualTo("truncated");
    assertThat(privacy.organization(org.id())).isEqualTo(new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.TRUNCATED));
    JsonNode read = send(get(api("")), "", 200);
    assertThat(read.get("organization").get("mode").asString()).isEqualTo("identified");
    assertThat(read.get("defaults").get("mode").asString()).as("the defaults stay what they are").isEqualTo("anonymous");
  }

  @Test
  void a_setting_that_is_not_one_of_the_texts_is_refused_naming_the_field_and_nothing_changes() throws Exception {
    send(put(api("")), "{\"mode\": \"off\", \"ip\": \"none\"}", 200);
    assertThat(field(send(put(api("")), "{\"mode\": \"spy\", \"ip\": \"none\"}", 422))).isEqualTo("mode");
    assertThat(field(send(put(api("")), "{\"mode\": \"identified\"}", 422))).isEqualTo("ip");
    assertThat(field(send(put(api("")), "{\"mode\": \"identified\", \"ip\": \"everything\"}", 422))).isEqualTo("ip");
    assertThat(field(send(put(api("")), "", 422))).isEqualTo("mode");
    assertThat(field(send(put(api("/campaigns/" + campaign)), "{\"mode\": \"identified\", \"ip\": \"\"}", 422))).isEqualTo("ip");
    assertThat(privacy.organization(org.id())).isEqualTo(new TrackingPrivacy.Setting(TrackingMode.OFF, IpStorage.NONE));
    assertThat(privacy.campaign(org.id(), campaign)).isEmpty();
  }

  @Test
  void a_campaign_follows_the_organization_until_it_has_its_own_setting_and_again_once_that_is_removed() throws Exception {
    send(put(api("")), "{\"mode\": \"identified\", \"ip\": \"full\"}", 200);
    JsonNode follows = send(get(api("/campaigns/" + campaign)), "", 200);
    assertThat(follows.get("own").asBoolean()).isFalse();
    assertThat(follows.get("mode").asString()).isEqualTo("identified");
    assertThat(follows.get("ip").asString()).isEqualTo("full");

    JsonNode own = send(put(api("/campaigns/" + campaign)), "{\"mode\": \"anonymous\", \"ip\": \"none\"}", 200);
    assertThat(own.get("campaignId").asLong()).isEqualTo(campaign);
    assertThat(own.get("own").asBoolean()).isTrue();
    assertThat(own.get("mode").asString()).isEqualTo("anonymous");
    assertThat(privacy.campaign(org.id(), campaign)).contains(new TrackingPrivacy.Setting(TrackingMode.ANONYMOUS, IpStorage.NONE));
    JsonNode listed = send(get(api("")), "", 200).get("campaigns");
    assertThat(listed).hasSize(1);
    assertThat(listed.get(0).get("campaignId").asLong()).isEqualTo(campaign);
    assertThat(listed.get(0).get("mode").asString()).isEqualTo("anonymous");
    // What the writer applies is what the API set: the campaign's own, the organization's for another campaign.
    long other = campaign(org.id(), "Autumn news");
    TrackingPrivacy.Settings settings = privacy.of(java.util.List.of(org.id()));
    assertThat(settings.effective(org.id(), campaign)).isEqualTo(new TrackingPrivacy.Setting(TrackingMode.ANONYMOUS, IpStorage.NONE));
    assertThat(settings.effective(org.id(), other)).isEqualTo(new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.FULL));

    send(delete(api("/campaigns/" + campaign)), "", 204);
    assertThat(privacy.campaign(org.id(), campaign)).isEmpty();
    assertThat(send(get(api("/campaigns/" + campaign)), "", 200).get("own").asBoolean()).isFalse();
    send(delete(api("/campaigns/" + campaign)), "", 404);
  }

  @Test
  void another_organizations_campaign_and_a_missing_one_are_not_found_and_get_no_setting() throws Exception {
    TestOrganizations.Created other = organizations.create("Tracking Api Other " + (++counter), "campaigns:write");
    long theirs = campaign(other.id(), "Their news");
    privacy.saveCampaign(other.id(), theirs, "identified", "full");
    send(get(api("/campaigns/" + theirs)), "", 404);
    send(put(api("/campaigns/" + theirs)), "{\"mode\": \"off\", \"ip\": \"none\"}", 404);
    send(delete(api("/campaigns/" + theirs)), "", 404);
    send(put(api("/campaigns/999999999")), "{\"mode\": \"off\", \"ip\": \"none\"}", 404);
    assertThat(privacy.campaign(other.id(), theirs)).contains(new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.FULL));
    assertThat(privacy.campaign(org.id(), theirs)).isEmpty();
    assertThat(send(get(api("")), "", 200).get("campaigns")).isEmpty();
  }

  @Test
  void reading_needs_campaigns_read_and_changing_needs_campaigns_write() throws Exception {
    TestOrganizations.Created reader = organizations.create("Tracking Api Reader " + (++counter), "campaigns:read");
    String readerApi = "/api/v1/orgs/" + reader.slug() + "/tracking/privacy";
    long readersCampaign = campaign(reader.id(), "Reader news");
    send(reader.apiKey(), get(readerApi), "", 200);
    send(reader.apiKey(), get(readerApi + "/campaigns/" + readersCampaign), "", 200);
    send(reader.apiKey(), put(readerApi), "{\"mode\": \"off\", \"ip\": \"none\"}", 403);
    send(reader.apiKey(), put(readerApi + "/campaigns/" + readersCampaign), "{\"mode\": \"off\", \"ip\": \"none\"}", 403);
    send(reader.apiKey(), delete(readerApi + "/campaigns/" + readersCampaign), "", 403);
    assertThat(privacy.organization(reader.id())).isEqualTo(TrackingPrivacy.DEFAULT);

    TestOrganizations.Created lists = organizations.create("Tracking Api Lists " + (++counter), "lists:read");
    send(lists.apiKey(), get("/api/v1/orgs/" + lists.slug() + "/tracking/privacy"), "", 403);
    assertThat(Optional.of(privacy.campaign(reader.id(), readersCampaign))).contains(Optional.empty());
  }
}
