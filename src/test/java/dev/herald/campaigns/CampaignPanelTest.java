package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.audiences.Subscribers;
import dev.herald.content.ContentFormat;
import dev.herald.content.PreviewFrames;
import dev.herald.content.TemplateKind;
import dev.herald.content.Templates;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.Role;
import dev.herald.tenancy.TestOrganizations;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The campaign pages' previews and sends: the preview as a chosen subscriber in a sandboxed frame whose document is
 * served under the sandbox policy, the text part, a template error with its place instead of the frame; a test send
 * through the queue marked as a test, refused beside its field for bad addresses or a sender that cannot send; the web
 * version for a ledger row (404 for a bad signature); the subscriber's "campaigns sent".
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class CampaignPanelTest {
  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired Campaigns campaigns;
  @Autowired Subscribers subscribers;
  @Autowired WebVersions webVersions;
  @Autowired JdbcClient jdbc;
  @Autowired Templates templates;

  TestOrganizations.Created acme;
  RequestPostProcessor owner;
  String domain;
  long ann;
  static int counter;

  @BeforeEach
  void organization() {
    counter++;
    acme = organizations.create("Campaign Panel " + counter, "campaigns:read");
    owner = organizations.asOwner(acme);
    domain = "panel-" + counter + ".example";
    new TestSendingDomains(sendingDomains, jdbc).verified(acme.id(), domain);
    ann = subscribers.upsert(acme.id(), new Subscribers.Input("ann@one.example", "Ann", Map.of(), List.of()), "test");
  }

  Campaign campaign(String from, String subject, String body) {
    return campaigns.create(acme.id(), new CampaignForm("Spring news " + counter, List.of("news"), subject, "Fresh this week", from,
        "Acme", "", null, body, "html", true, true, Campaign.Audience.none()));
  }

  String base(Campaign c) {
    return "/o/" + acme.slug() + "/campaigns/" + c.id();
  }

  String page(String path) throws Exception {
    MockHttpServletResponse r = mvc.perform(get(path).with(owner)).andReturn().getResponse();
    assertThat(r.getStatus()).as(path).isEqualTo(200);
    return r.getContentAsString();
  }

  static String frameLink(String html) {
    Matcher m = Pattern.compile("<iframe[^>]* sandbox=\"\"[^>]* src=\"([^\"]+)\"").matcher(html);
    assertThat(m.find()).as("a sandboxed frame in %s", html).isTrue();
    return m.group(1).replace("&amp;", "&");
  }

  @Test
  void preview_as_a_subscriber_is_a_sandboxed_frame_and_the_text_part() throws Exception {
    Campaign c = campaign("news@" + domain, "Hello {{ subscriber.name }}",
        "<p>Dear {{ subscriber.name | default: 'friend' }}</p><script>alert(1)</script>");

    String html = page(base(c) + "/preview?subscriber=" + ann);
    assertThat(html).contains("ann@one.example", "Hello Ann").doesNotContain("allow-scripts", "allow-same-origin");
    assertThat(html).containsPattern("id=\"preview-text\"[^>]*>[^<]*Dear Ann");
    URI frame = URI.create(frameLink(html));
    assertThat(frame.getPath()).isEqualTo("/p/preview/campaign");

    MockHttpServletResponse doc = mvc.perform(get(frame.getPath() + "?" + frame.getRawQuery())).andReturn().getResponse();
    assertThat(doc.getStatus()).isEqualTo(200);
    assertThat(doc.getHeader("Content-Security-Policy")).startsWith(PreviewFrames.SANDBOX_POLICY + "; frame-ancestors 'self' ");
    assertThat(doc.getHeaders("Content-Security-Policy")).hasSize(1);
    assertThat(doc.getContentAsString()).contains("<p>Dear Ann</p>", "Fresh this week");

    // Without a subscriber: a sample person; a search by email offers the organization's matches.
    assertThat(page(base(c) + "/preview")).contains("a sample subscriber", "Hello Sam Sample");
    assertThat(page(base(c) + "/preview?q=ann@one")).contains("/preview?subscriber=" + ann);

    // A ticket changed by one character, or of another kind, is nobody's.
    String query = frame.getRawQuery();
    // The second-to-last character changes (the last one may carry unused bits): to B when it is an A, else to A.
    char changed = query.charAt(query.length() - 2) == 'A' ? 'B' : 'A';
    String tampered = query.substring(0, query.length() - 2) + changed + query.charAt(query.length() - 1);
    assertThat(tampered).isNotEqualTo(query);
    assertThat(mvc.perform(get("/p/preview/campaign?" + tampered)).andReturn().getResponse().getStatus()).isEqualTo(404);
  }

  @Test
  void the_preview_includes_the_organization_s_own_snippets_stored_as_templates() throws Exception {
    templates.create(acme.id(), new Templates.Draft("footer", TemplateKind.SNIPPET, null, ContentFormat.HTML, "<p>Acme footer</p>"));
    TestOrganizations.Created other = organizations.create("Campaign Panel other " + counter, "campaigns:read");
    templates.create(other.id(), new Templates.Draft("sign-off", TemplateKind.SNIPPET, null, ContentFormat.HTML, "<p>Other's</p>"));

    assertThat(page(base(campaign("news@" + domain, "Hi", "<p>Hello</p>{% include 'footer' %}")) + "/preview"))
        .containsPattern("id=\"preview-text\"[^>]*>[^<]*Hello\\s+Acme footer");
    // another organization's snippet is not found by its name
    assertThat(page(base(campaign("news@" + domain, "Hi", "<p>Hello</p>{% include 'sign-off' %}")) + "/preview"))
        .contains("id=\"preview-error\"").doesNotContain("Other's");
  }

  @Test
  void a_template_error_is_shown_with_its_line_and_column_instead_of_the_frame() throws Exception {
    Campaign c = campaign("news@" + domain, "Hi", "<p>one</p>\n<p>{% if %}</p>");
    String html = page(base(c) + "/preview");
    assertThat(html).contains("id=\"preview-error\"").containsPattern("In the body, line 2, column \\d+").doesNotContain("<iframe");
  }

  @Test
  void a_test_send_goes_through_the_queue_marked_as_a_test() throws Exception {
    Campaign c = campaign("news@" + domain, "Hello {{ subscriber.name }}", "<p>Hi {{ subscriber.name }}</p>");
    MvcResult sent = mvc.perform(post(base(c) + "/test").param("to", "cat@three.example, dog@four.example")
        .param("subscriber", Long.toString(ann)).with(owner).with(csrf())).andReturn();
    assertThat(sent.getResponse().getRedirectedUrl()).isEqualTo(base(c) + "/preview?subscriber=" + ann);
    assertThat(sent.getFlashMap().get("notice")).isEqualTo("Test sent to cat@three.example, dog@four.example.");
    List<String> queued = jdbc.sql("""
        select m.subject || ' ' || array_to_string(m.tags, ',') || ' ' || r.address from outbound_message m
        join outbound_recipient r on r.message_id = m.id where m.organization_id = ? order by r.address""")
        .param(acme.id()).query(String.class).list();
    assertThat(queued).containsExactly("[Test] Hello Ann test,campaign-" + c.id() + " cat@three.example",
        "[Test] Hello Ann test,campaign-" + c.id() + " dog@four.example");
  }

  @Test
  void a_test_send_names_a_bad_address_too_many_or_a_sender_that_cannot_send() throws Exception {
    Campaign c = campaign("news@" + domain, "Hi", "<p>Hi</p>");
    assertThat(refusedTo(c, "cat@three.example, bob@")).contains("bob@");
    assertThat(refusedTo(c, "a@x.example, b@x.example, c@x.example, d@x.example, e@x.example, f@x.example")).contains("at most 5");
    assertThat(refusedTo(c, " ")).isEqualTo("Enter the address to send the test to.");
    Campaign elsewhere = campaign("news@unverified-" + counter + ".example", "Hi", "<p>Hi</p>");
    assertThat(refusedTo(elsewhere, "cat@three.example")).contains("news@unverified-" + counter + ".example", "verified");
    assertThat(jdbc.sql("select count(*) from outbound_message where organization_id = ?").param(acme.id()).query(Long.class).single())
        .isZero();

    RequestPostProcessor viewer = organizations.asNewMember(acme, "viewer-" + counter + "@panel.test", Role.viewer);
    assertThat(mvc.perform(post(base(c) + "/test").param("to", "cat@three.example").with(viewer).with(csrf())).andReturn().getResponse()
        .getStatus()).isEqualTo(403);
  }

  private String refusedTo(Campaign c, String to) throws Exception {
    MvcResult r = mvc.perform(post(base(c) + "/test").param("to", to).with(owner).with(csrf())).andReturn();
    assertThat(r.getResponse().getRedirectedUrl()).startsWith(base(c) + "/preview");
    return ((Map<?, ?>) r.getFlashMap().get("errors")).get("to").toString();
  }

  @Test
  void the_web_version_is_the_recipients_rendering_under_the_sandbox_policy() throws Exception {
    Campaign c = campaign("news@" + domain, "Hello", "<p>For {{ subscriber.email }}</p><p><a href=\"{{ web_version_url }}\">web</a></p>");
    long row = ledgerRow(c, ann, "ann@one.example");
    URI link = URI.create(webVersions.link(c.id(), row, java.time.Instant.now()));
    assertThat(link.getPath()).isEqualTo("/p/web");

    MockHttpServletResponse r = mvc.perform(get("/p/web?" + link.getRawQuery())).andReturn().getResponse();
    assertThat(r.getStatus()).isEqualTo(200);
    assertThat(r.getHeader("Content-Security-Policy")).isEqualTo(PreviewFrames.SANDBOX_POLICY + "; frame-ancestors 'none'");
    assertThat(r.getContentAsString()).contains("<p>For ann@one.example</p>", "/p/web?token=");

    assertThat(mvc.perform(get("/p/web?token=" + link.getRawQuery().substring(6) + "x")).andReturn().getResponse().getStatus()).isEqualTo(404);
    assertThat(mvc.perform(get("/p/web?token=nonsense")).andReturn().getResponse().getStatus()).isEqualTo(404);
    // A row of another campaign under this campaign's id is not a web version either.
    Campaign other = campaign("news@" + domain, "Other", "<p>x</p>");
    assertThat(mvc.perform(get("/p/web?" + URI.create(webVersions.link(other.id(), row, java.time.Instant.now())).getRawQuery())).andReturn().getResponse()
        .getStatus()).isEqualTo(404);
  }

  @Test
  void the_subscriber_page_lists_the_campaigns_sent_to_them() throws Exception {
    Campaign c = campaign("news@" + domain, "Hello", "<p>x</p>");
    assertThat(page("/o/" + acme.slug() + "/subscribers/" + ann)).contains("No campaign has been sent to this subscriber.");
    long row = ledgerRow(c, ann, "ann@one.example");
    jdbc.sql("update campaign_recipient set state = 'handed_off', handed_off_at = now() where id = ?").param(row).update();
    assertThat(page("/o/" + acme.slug() + "/subscribers/" + ann)).contains("Campaigns sent", "id=\"sent-campaign-" + c.id() + "\"",
        c.name());
  }

  /** A personalized subject is shown as this person got it, not as the template it was written in. */
  @Test
  void the_subscriber_page_shows_the_subject_as_the_person_got_it() throws Exception {
    Campaign c = campaign("news@" + domain, "News for {{ subscriber.name | default: 'you' }} from {{ organization.name }}", "<p>x</p>");
    long row = ledgerRow(c, ann, "ann@one.example");
    jdbc.sql("update campaign_recipient set state = 'handed_off', handed_off_at = now() where id = ?").param(row).update();
    assertThat(page("/o/" + acme.slug() + "/subscribers/" + ann)).contains("News for Ann from Campaign Panel " + counter)
        .doesNotContain("{{ subscriber.name");
  }

  @Test
  void the_list_and_the_campaign_page_show_state_and_progress() throws Exception {
    Campaign c = campaign("news@" + domain, "Hello", "<p>x</p>");
    long row = ledgerRow(c, ann, "ann@one.example");
    long bob = ledgerRow(c, subscribers.upsert(acme.id(), new Subscribers.Input("bob@two.example", "Bob", Map.of(), List.of()), "test"),
        "bob@two.example");
    jdbc.sql("update campaign_recipient set state = 'handed_off', handed_off_at = now() where id = ?").param(row).update();
    jdbc.sql("update campaign_recipient set state = 'skipped', reason = 'test' where id = ?").param(bob).update();
    assertThat(page(base(c))).as("a draft has no progress to show").contains("Not started")
        .doesNotContain("id=\"count-total\"", "id=\"campaign-percent\"");
    jdbc.sql("update campaign set state = 'sending', started_at = now() where id = ?").param(c.id()).update();
    assertThat(page("/o/" + acme.slug() + "/campaigns")).contains(c.name(), "Sending", "1 of 2", "news");
    String show = page(base(c));
    // progress is what ended: bob (skipped); ann is only handed off (no queue here), so nothing was sent in the last minute
    assertThat(show).contains("id=\"count-total\">2<", "id=\"count-handed\">1<", "id=\"count-rate\">0 / min<",
        "id=\"campaign-percent\">50 %<");
    assertThat(page(base(c) + "/live")).contains("id=\"campaign-live\"").doesNotContain("<html");
  }

  @Test
  void a_schedule_in_an_unreadable_or_past_time_is_named_in_the_schedule_box() throws Exception {
    Campaign c = campaign("news@" + domain, "Hello", "<p>x</p>");
    MvcResult r = mvc.perform(post(base(c) + "/schedule").param("when", "later").param("date", "tomorrow").param("time", "09:00")
        .param("zone", "Europe/Paris").with(owner).with(csrf())).andReturn();
    assertThat(r.getResponse().getRedirectedUrl()).isEqualTo(base(c) + "#schedule");
    assertThat(((Map<?, ?>) r.getFlashMap().get("errors")).get("schedule").toString()).contains("YYYY-MM-DD");
  }

  /** A ledger row as the campaign's start writes it. */
  private long ledgerRow(Campaign c, long subscriberId, String address) {
    return jdbc.sql("insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key) values (?, ?, 0, ?, lower(?)) returning id")
        .params(c.id(), subscriberId, address, address).query(Long.class).single();
  }
}
