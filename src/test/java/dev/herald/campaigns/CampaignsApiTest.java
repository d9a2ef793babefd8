package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import dev.herald.audiences.SubscriptionStatus;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.TestClock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** The campaigns API over HTTP: JSON in and out, refusals as problem+json naming the field, conflicts as 409. */
@SpringBootTest(properties = "herald.roles=web")
@AutoConfigureMockMvc
@Import({TestOrganizations.class, TestClock.class, CampaignFixtures.class})
class CampaignsApiTest {
  @Autowired MockMvc mvc;
  @Autowired CampaignFixtures fixtures;
  @Autowired CampaignStarter starter;
  @Autowired ObjectMapper json;

  CampaignFixtures.Org org;
  long list;

  @BeforeEach
  void organization() {
    org = fixtures.organization();
    list = fixtures.list(org, "Readers");
    fixtures.subscriber(org, "ann@example.com", SubscriptionStatus.SUBSCRIBED, list);
  }

  @Test
  void a_campaign_is_written_scheduled_started_paused_and_counted_through_the_api() throws Exception {
    JsonNode created = send(post(api("/campaigns")), """
        {"name": "Weekly", "tags": ["news"], "subject": "Hi {{ subscriber.name }}", "fromAddress": "%s", "body": "<p>Hi</p>",
         "bodyFormat": "html", "audience": {"lists": [%d]}}""".formatted(org.from(), list), 201);
    long id = created.get("id").asLong();
    assertThat(created.get("state").asText()).isEqualTo("draft");
    assertThat(created.get("bodyFormat").asText()).isEqualTo("html");
    assertThat(created.get("audience").get("lists").get(0).asLong()).isEqualTo(list);
    assertThat(send(get(api("/campaigns?state=draft")), "", 200).get("total").asLong()).isEqualTo(1);

    JsonNode refused = send(post(api("/campaigns/" + id + "/schedule")), "{\"sendAt\": \"tomorrow at nine\"}", 422);
    assertThat(refused.toString()).contains("sendAt");
    JsonNode conflict = send(post(api("/campaigns/" + id + "/pause")), "", 409);
    assertThat(conflict.get("detail").asText()).contains("Only a sending campaign can be paused");

    JsonNode scheduled = send(post(api("/campaigns/" + id + "/schedule")), "{}", 200);
    assertThat(scheduled.get("state").asText()).isEqualTo("scheduled");
    starter.startDue();
    assertThat(send(put(api("/campaigns/" + id + "/throttle")), "{\"limit\": 100, \"per\": \"minute\"}", 200).get("throttle").toString())
        .contains("100").contains("minute");
    assertThat(send(post(api("/campaigns/" + id + "/pause")), "", 200).get("state").asText()).isEqualTo("paused");
    JsonNode stats = send(get(api("/campaigns/" + id + "/stats")), "", 200);
    assertThat(stats.get("recipients").asLong()).isEqualTo(1);
    assertThat(stats.get("ledger").get("pending").asLong()).isEqualTo(1);
    assertThat(send(post(api("/campaigns/" + id + "/resume")), "", 200).get("state").asText()).isEqualTo("sending");
    assertThat(send(post(api("/campaigns/" + id + "/cancel")), "", 200).get("state").asText()).isEqualTo("cancelled");
    long copy = send(post(api("/campaigns/" + id + "/duplicate")), "", 201).get("id").asLong();
    send(delete(api("/campaigns/" + copy)), "", 204);
    send(get(api("/campaigns/" + copy)), "", 404);
  }

  @Test
  void a_bad_field_is_a_problem_naming_it() throws Exception {
    JsonNode problem = send(post(api("/campaigns")), "{\"name\": \"x\", \"fromAddress\": \"nobody\"}", 422);
    assertThat(problem.toString()).contains("fromAddress");
    assertThat(send(post(api("/campaigns")), "{\"name\": \"x\", \"bodyFormat\": \"docx\"}", 422).toString()).contains("bodyFormat");
    assertThat(send(get(api("/campaigns?state=flying")), "", 422).toString()).contains("state");
    assertThat(send(post(api("/campaigns")), "{\"name\": \"\"}", 422).toString()).contains("name");
  }

  private JsonNode send(MockHttpServletRequestBuilder r, String body, int expectedStatus) throws Exception {
    if (!body.isEmpty()) r = r.contentType("application/json").content(body);
    MockHttpServletResponse response = mvc.perform(r.header("Authorization", "Bearer " + org.created().apiKey())).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(expectedStatus);
    return response.getContentAsString().isEmpty() ? null : json.readTree(response.getContentAsString());
  }

  private String api(String path) {
    return "/api/v1/orgs/" + org.created().slug() + path;
  }
}
