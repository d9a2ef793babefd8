package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.platform.Refused;
import dev.herald.tenancy.TestOrganizations;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/** Bulk actions by selection and by segment, with the consent rules of single changes. */
@SpringBootTest
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class BulkActionsTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired BulkActions bulk;
  @Autowired Subscribers subscribers;
  @Autowired Segments segments;
  @Autowired JdbcClient jdbc;
  @Autowired TestOrganizations organizations;

  TestOrganizations.Created org;
  long news, offers, ann, bob, cy;
  static int counter;

  @BeforeEach
  void data() {
    org = fixtures.organization("Bulk Co " + (++counter));
    news = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'News') returning id").param(org.id()).query(Long.class).single();
    offers = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'Offers') returning id").param(org.id()).query(Long.class).single();
    ann = subscribers.addToLists(org.id(), new Subscribers.Input("ann@example.com", null, null, List.of("vip")), List.of(news), SubscriptionStatus.SUBSCRIBED,
        Consent.Evidence.panel("o@x", "test", "127.0.0.1"), "test");
    bob = subscribers.addToLists(org.id(), new Subscribers.Input("bob@example.com", null, null, null), List.of(news), SubscriptionStatus.SUBSCRIBED,
        Consent.Evidence.panel("o@x", "test", "127.0.0.1"), "test");
    cy = subscribers.upsert(org.id(), new Subscribers.Input("cy@example.com", null, null, List.of("vip")), "test");
  }

  String status(long subscriber, long list) {
    return jdbc.sql("select status from subscription where subscriber_id = ? and list_id = ?").params(subscriber, list)
        .query(String.class).optional().orElse("none");
  }

  @Test
  void add_to_list_by_segment_records_consent_and_skips_people_who_complained() {
    jdbc.sql("update subscription set status = 'complained' where subscriber_id = ?").param(bob).update();
    long vip = segments.create(org.id(), "VIPs", new Segments.Conditions(SegmentMatch.ALL, List.of(new Segments.Rule("tag", "vip", "has", null)))).id();
    long added = bulk.apply(org.id(), new BulkActions.Request("add_to_list", null, vip, offers, null, "asked at the fair"), "o@x", "127.0.0.1");
    assertThat(added).isEqualTo(2);
    assertThat(status(ann, offers)).isEqualTo("subscribed");
    assertThat(status(cy, offers)).isEqualTo("subscribed");
    assertThat(jdbc.sql("select basis from consent_record where subscriber_id = ? and list_id = ?").params(cy, offers)
        .query(String.class).single()).isEqualTo("asked at the fair");
    long again = bulk.apply(org.id(), new BulkActions.Request("add_to_list", List.of(bob), null, offers, null, "x"), "o@x", "127.0.0.1");
    assertThat(again).as("complained on News: not added to Offers").isZero();
  }

  @Test
  void unsubscribe_tag_untag_remove_and_delete_by_selection() {
    assertThat(bulk.apply(org.id(), new BulkActions.Request("unsubscribe", List.of(ann, bob), null, news, null, null), "o", "ip")).isEqualTo(2);
    assertThat(status(ann, news)).isEqualTo("unsubscribed");
    assertThat(jdbc.sql("select count(*) from consent_record where list_id = ? and withdrawn_at is not null").param(news)
        .query(Long.class).single()).isEqualTo(2);
    assertThat(bulk.apply(org.id(), new BulkActions.Request("tag", List.of(ann, bob), null, null, "winter", null), "o", "ip")).isEqualTo(2);
    assertThat(bulk.apply(org.id(), new BulkActions.Request("tag", List.of(ann), null, null, "winter", null), "o", "ip")).as("once").isZero();
    assertThat(bulk.apply(org.id(), new BulkActions.Request("untag", List.of(ann), null, null, "winter", null), "o", "ip")).isEqualTo(1);
    assertThat(bulk.apply(org.id(), new BulkActions.Request("remove_from_list", List.of(bob), null, news, null, null), "o", "ip")).isEqualTo(1);
    assertThat(status(bob, news)).isEqualTo("none");
    assertThat(bulk.apply(org.id(), new BulkActions.Request("delete", List.of(cy), null, null, null, null), "o", "ip")).isEqualTo(1);
    assertThat(subscribers.find(org.id(), cy)).isEmpty();
  }

  @Test
  void another_organizations_subscribers_are_never_touched_and_bad_requests_name_the_field() throws Exception {
    TestOrganizations.Created other = fixtures.organization("Bulk Other " + counter);
    long theirs = subscribers.upsert(other.id(), new Subscribers.Input("them@example.com", null, null, null), "test");
    assertThat(bulk.apply(org.id(), new BulkActions.Request("delete", List.of(theirs), null, null, null, null), "o", "ip")).isZero();
    assertThat(subscribers.find(other.id(), theirs)).isPresent();

    assertThatThrownBy(() -> bulk.apply(org.id(), new BulkActions.Request("explode", List.of(ann), null, null, null, null), "o", "ip"))
        .extracting(e -> ((Refused) e).field()).isEqualTo("action");
    assertThatThrownBy(() -> bulk.apply(org.id(), new BulkActions.Request("add_to_list", List.of(ann), null, offers, null, " "), "o", "ip"))
        .extracting(e -> ((Refused) e).field()).isEqualTo("basis");
    assertThatThrownBy(() -> bulk.apply(org.id(), new BulkActions.Request("delete", null, null, null, null, null), "o", "ip"))
        .extracting(e -> ((Refused) e).field()).isEqualTo("subscriberIds");

    MockHttpServletResponse api = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/subscribers/bulk-actions")
        .contentType("application/json").content("{\"action\":\"tag\",\"tag\":\"api\",\"subscriberIds\":[" + ann + "," + bob + "]}")
        .header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
    assertThat(api.getStatus()).as(api.getContentAsString()).isEqualTo(200);
    assertThat(api.getContentAsString()).contains("\"affected\":2");
  }

  @Test
  void a_null_subscriber_id_is_a_422_instead_of_quietly_affecting_nobody() throws Exception {
    MockHttpServletResponse api = mvc.perform(post("/api/v1/orgs/" + org.slug() + "/subscribers/bulk-actions")
        .contentType("application/json").content("{\"action\":\"tag\",\"tag\":\"api\",\"subscriberIds\":[" + ann + ",null]}")
        .header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
    assertThat(api.getStatus()).as(api.getContentAsString()).isEqualTo(422);
    assertThat(api.getContentAsString()).contains("\"field\":\"subscriberIds\"");
    assertThat(subscribers.find(org.id(), ann).orElseThrow().tags()).doesNotContain("api");
    java.util.List<Long> withNull = new java.util.ArrayList<>(List.of(ann));
    withNull.add(null);
    assertThatThrownBy(() -> bulk.apply(org.id(), new BulkActions.Request("delete", withNull, null, null, null, null), "o", "ip"))
        .extracting(e -> ((Refused) e).field()).isEqualTo("subscriberIds");
    assertThatThrownBy(() -> bulk.apply(org.id(), new BulkActions.Request("add_to_list", List.of(ann), null, offers, null, "fair\u0000"), "o", "ip"))
        .extracting(e -> ((Refused) e).field()).isEqualTo("basis");
    assertThat(subscribers.find(org.id(), ann)).isPresent();
  }

  /** Regression: a member could subscribe someone who had unsubscribed again, in the panel, without their confirmation. */
  @Test
  void a_withdrawn_person_added_again_in_the_panel_must_confirm_by_mail() throws Exception {
    subscribers.unsubscribe(org.id(), ann, news, "test");
    var resubscribed = mvc.perform(post("/o/" + org.slug() + "/subscribers/" + ann + "/lists").with(organizations.asOwner(org)).with(csrf())
        .param("listId", Long.toString(news)).param("action", "subscribe").param("basis", "she asked on the phone")).andReturn().getResponse();
    assertThat(resubscribed.getStatus()).isEqualTo(302);
    assertThat(status(ann, news)).isEqualTo("unconfirmed");
    assertThat(ConfirmationMails.count(jdbc, "ann@example.com")).isEqualTo(1);

    var added = mvc.perform(post("/o/" + org.slug() + "/subscribers").with(organizations.asOwner(org)).with(csrf())
        .param("email", "ann@example.com").param("lists", Long.toString(offers)).param("basis", "signed the paper form")).andReturn().getResponse();
    assertThat(added.getStatus()).isEqualTo(302);
    assertThat(status(ann, offers)).as("withdrawn in the organization, so on every list").isEqualTo("unconfirmed");
    assertThat(ConfirmationMails.count(jdbc, "ann@example.com")).isEqualTo(2);

    long third = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'Third') returning id").param(org.id()).query(Long.class).single();
    var bulkAdded = mvc.perform(post("/o/" + org.slug() + "/subscribers/bulk").with(organizations.asOwner(org)).with(csrf())
        .param("target", "selected").param("ids", Long.toString(ann), Long.toString(bob)).param("action", "add_to_list")
        .param("listId", Long.toString(third)).param("basis", "asked at the fair")).andReturn().getResponse();
    assertThat(bulkAdded.getStatus()).isEqualTo(302);
    assertThat(status(bob, third)).isEqualTo("subscribed");
    assertThat(status(ann, third)).isEqualTo("unconfirmed");
    assertThat(jdbc.sql("select confirmed_at is null from consent_record where subscriber_id = ? and list_id = ?").params(ann, third)
        .query(Boolean.class).single()).as("her consent waits for the confirmation").isTrue();
    assertThat(ConfirmationMails.count(jdbc, "ann@example.com")).isEqualTo(3);
    assertThat(ConfirmationMails.count(jdbc, "bob@example.com")).isZero();
  }

  @Test
  void the_subscribers_page_applies_an_action_to_ticked_rows() throws Exception {
    String page = mvc.perform(get("/o/" + org.slug() + "/subscribers")
        .with(organizations.asOwner(org))).andReturn().getResponse().getContentAsString();
    assertThat(page).contains("form=\"bulk-form\"").contains("value=\"" + ann + "\"");
    var result = mvc.perform(post("/o/" + org.slug() + "/subscribers/bulk").with(organizations.asOwner(org)).with(csrf())
        .param("target", "selected").param("ids", Long.toString(ann), Long.toString(cy)).param("action", "tag").param("tag", "panel"))
        .andReturn();
    assertThat(result.getResponse().getStatus()).isEqualTo(302);
    assertThat(result.getFlashMap().get("notice")).isEqualTo("2 subscribers changed.");
    assertThat(jdbc.sql("select count(*) from subscriber where organization_id = ? and 'panel' = any(tags)").param(org.id())
        .query(Long.class).single()).isEqualTo(2);
  }
}
