package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The organization overview's audience figures (issue 9: "the organization overview shows no numbers"): subscribers by
 * status per list, new subscribers and unsubscribes on each of the last 30 UTC days with 0 on quiet days, the latest
 * imports; the same figures from {@code GET /api/v1/orgs/{org}/audience/summary}. Seeded on known days of a fixed clock.
 */
@SpringBootTest
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class, TestClock.class})
class AudienceOverviewTest {
  @Autowired MockMvc mvc;
  @Autowired AudienceFixtures fixtures;
  @Autowired TestOrganizations organizations;
  @Autowired AudienceSummaries summaries;
  @Autowired Subscribers subscribers;
  @Autowired MailingLists lists;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired MutableClock clock;
  @Autowired AudienceOverviewSection section;

  private static final Consent.Evidence PANEL = Consent.Evidence.panel("owner@example.com", "asked in person", "127.0.0.1");

  private long list(long orgId, String name) {
    return lists.create(orgId, new MailingLists.ListForm(name, "", null, "single", null, null, List.of())).id();
  }

  /** A subscriber added to the organization at {@code createdAt}, subscribed to these lists. */
  private long subscriber(long orgId, String email, Instant createdAt, long... listIds) {
    long id = subscribers.upsert(orgId, new Subscribers.Input(email, "", null, null), "test");
    for (long listId : listIds) subscribers.subscribe(orgId, id, listId, SubscriptionStatus.SUBSCRIBED, PANEL);
    jdbc.sql("update subscriber set created_at = ? where id = ?").params(Timestamp.from(createdAt), id).update();
    return id;
  }

  private void unsubscribe(long orgId, long subscriberId, long listId, Instant at) {
    assertThat(subscribers.unsubscribe(orgId, subscriberId, listId, "test")).isTrue();
    jdbc.sql("update subscription set unsubscribed_at = ? where subscriber_id = ? and list_id = ?")
        .params(Timestamp.from(at), subscriberId, listId).update();
  }

  private void setStatus(long subscriberId, long listId, SubscriptionStatus status) {
    jdbc.sql("update subscription set status = ? where subscriber_id = ? and list_id = ?").params(status.text(), subscriberId, listId)
        .update();
  }

  private LocalDate today() {
    return LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
  }

  private static Instant at(LocalDate day, int hour, int minute) {
    return day.atTime(hour, minute).toInstant(ZoneOffset.UTC);
  }

  @Test
  void growth_counts_new_subscribers_and_unsubscribes_on_their_utc_days_and_zero_on_quiet_days() {
    var org = fixtures.organization("Growth Co");
    long news = list(org.id(), "News");
    long offers = list(org.id(), "Offers");
    LocalDate today = today();
    LocalDate threeAgo = today.minusDays(3), twoAgo = today.minusDays(2), first = today.minusDays(29);

    // Late on one UTC day and just after midnight on the next: two different days.
    long ada = subscriber(org.id(), "ada@example.com", at(threeAgo, 23, 59), news, offers);
    long bob = subscriber(org.id(), "bob@example.com", at(twoAgo, 0, 1), news);
    subscriber(org.id(), "cy@example.com", at(twoAgo, 12, 0), news);
    // The first day of the window counts; the day before it does not.
    subscriber(org.id(), "dee@example.com", at(first, 0, 0), news);
    long old = subscriber(org.id(), "old@example.com", at(first.minusDays(1), 23, 59), news);
    // Ada leaves both lists on one day: one person. Bob and the old subscriber leave today.
    unsubscribe(org.id(), ada, news, at(twoAgo, 8, 0));
    unsubscribe(org.id(), ada, offers, at(twoAgo, 9, 0));
    unsubscribe(org.id(), bob, news, at(today, 0, 30));
    unsubscribe(org.id(), old, news, at(today, 1, 0));

    // Another organization's people on the same days count only there.
    var other = fixtures.organization("Growth Other Co");
    long otherList = list(other.id(), "Elsewhere");
    long stranger = subscriber(other.id(), "ada@example.com", at(threeAgo, 10, 0), otherList);
    unsubscribe(other.id(), stranger, otherList, at(twoAgo, 8, 0));

    AudienceSummaries.Growth growth = summaries.summary(org.id()).growth();
    assertThat(growth.timeZone()).isEqualTo("UTC");
    assertThat(growth.from()).isEqualTo(first);
    assertThat(growth.to()).isEqualTo(today);
    assertThat(growth.days()).hasSize(30);
    assertThat(growth.days()).extracting(AudienceSummaries.Day::day).isEqualTo(first.datesUntil(today.plusDays(1)).toList());
    Map<LocalDate, AudienceSummaries.Day> byDay = growth.days().stream()
        .collect(Collectors.toMap(AudienceSummaries.Day::day, d -> d));
    assertThat(byDay.get(threeAgo)).isEqualTo(new AudienceSummaries.Day(threeAgo, 1, 0));
    assertThat(byDay.get(twoAgo)).isEqualTo(new AudienceSummaries.Day(twoAgo, 2, 1));
    assertThat(byDay.get(first)).isEqualTo(new AudienceSummaries.Day(first, 1, 0));
    assertThat(byDay.get(today)).isEqualTo(new AudienceSummaries.Day(today, 0, 2));
    assertThat(growth.days()).filteredOn(d -> !List.of(threeAgo, twoAgo, first, today).contains(d.day()))
        .allMatch(d -> d.newSubscribers() == 0 && d.unsubscribes() == 0);
    assertThat(growth.newSubscribers()).isEqualTo(4);
    assertThat(growth.unsubscribes()).isEqualTo(3);

    // A day later the window moves: the first day leaves it.
    clock.advance(java.time.Duration.ofDays(1));
    AudienceSummaries.Growth tomorrow = summaries.summary(org.id()).growth();
    assertThat(tomorrow.from()).isEqualTo(first.plusDays(1));
    assertThat(tomorrow.newSubscribers()).isEqualTo(3);
    clock.advance(java.time.Duration.ofDays(-1));
  }

  @Test
  void statuses_are_counted_on_each_list_and_over_all_lists() {
    var org = fixtures.organization("Status Co");
    long news = list(org.id(), "News");
    long offers = list(org.id(), "Offers");
    list(org.id(), "Empty");
    Instant now = clock.instant();
    long a = subscriber(org.id(), "a@example.com", now, news, offers);
    long b = subscriber(org.id(), "b@example.com", now, news);
    long c = subscriber(org.id(), "c@example.com", now, news);
    long d = subscriber(org.id(), "d@example.com", now, news);
    subscriber(org.id(), "nolist@example.com", now);
    setStatus(b, news, SubscriptionStatus.UNCONFIRMED);
    setStatus(c, news, SubscriptionStatus.BOUNCED);
    setStatus(d, news, SubscriptionStatus.COMPLAINED);
    unsubscribe(org.id(), a, offers, now);

    AudienceSummaries.Summary s = summaries.summary(org.id());
    assertThat(s.subscribers()).isEqualTo(5);
    assertThat(s.subscriptions()).isEqualTo(5);
    assertThat(s.statuses()).extracting(x -> x.status().text() + "=" + x.subscriptions())
        .containsExactly("subscribed=1", "unconfirmed=1", "unsubscribed=1", "bounced=1", "complained=1");
    assertThat(s.lists()).extracting(AudienceSummaries.ListCounts::name).containsExactly("Empty", "News", "Offers");
    assertThat(s.lists().get(1).counts()).containsExactly(Map.entry("subscribed", 1L), Map.entry("unconfirmed", 1L),
        Map.entry("unsubscribed", 0L), Map.entry("bounced", 1L), Map.entry("complained", 1L));
    assertThat(s.lists().get(1).total()).isEqualTo(4);
    assertThat(s.lists().get(0).total()).isZero();
    assertThat(s.lists().get(2).counts().get("unsubscribed")).isEqualTo(1);
  }

  @Test
  void the_five_latest_imports_are_listed_newest_first_with_how_many_there_are() {
    var org = fixtures.organization("Imports Co");
    long news = list(org.id(), "News");
    for (int i = 1; i <= 7; i++) {
      jdbc.sql("""
          insert into import_job (organization_id, list_id, file_name, format, consent_basis, status, total_rows, inserted, updated, skipped)
          values (?, ?, ?, 'csv', 'form', ?, 10, ?, 2, 1)""")
          .params(org.id(), news, "file-" + i + ".csv", i == 7 ? "failed" : "finished", i).update();
    }
    AudienceSummaries.Summary s = summaries.summary(org.id());
    assertThat(s.imports()).isEqualTo(7);
    assertThat(s.recentImports()).extracting(AudienceSummaries.RecentImport::fileName)
        .containsExactly("file-7.csv", "file-6.csv", "file-5.csv", "file-4.csv", "file-3.csv");
    assertThat(s.recentImports().getFirst().status()).isEqualTo(ImportStatus.FAILED);
    assertThat(s.recentImports().get(1).inserted()).isEqualTo(6);
  }

  @Test
  void the_overview_page_shows_counts_by_status_with_links_to_the_filtered_subscribers_and_the_days_without_scripts() throws Exception {
    var org = fixtures.organization("Page Co");
    long news = list(org.id(), "News");
    LocalDate today = today();
    long a = subscriber(org.id(), "a@example.com", at(today.minusDays(1), 10, 0), news);
    subscriber(org.id(), "b@example.com", at(today.minusDays(1), 11, 0), news);
    long c = subscriber(org.id(), "c@example.com", at(today, 9, 0), news);
    setStatus(c, news, SubscriptionStatus.BOUNCED);
    unsubscribe(org.id(), a, news, at(today, 10, 0));

    String html = mvc.perform(get("/o/" + org.slug()).with(organizations.asOwner(org))).andReturn().getResponse().getContentAsString();
    String slug = org.slug();
    assertThat(html).contains("<h2 id=\"audience-heading\">Audience</h2>");
    assertThat(html).contains("href=\"/o/" + slug + "/subscribers?list=" + news + "&amp;status=subscribed\">1</a>");
    assertThat(html).contains("href=\"/o/" + slug + "/subscribers?list=" + news + "&amp;status=unsubscribed\">1</a>");
    assertThat(html).contains("href=\"/o/" + slug + "/subscribers?list=" + news + "&amp;status=bounced\">1</a>");
    assertThat(html).contains("href=\"/o/" + slug + "/subscribers?list=" + news + "\">3</a>");
    // Every day of the window is a row of the table, with its numbers as text and for the chart.
    assertThat(html).contains("data-day=\"" + today.minusDays(1) + "\" data-new=\"2\" data-unsubscribes=\"0\"");
    assertThat(html).contains("data-day=\"" + today + "\" data-new=\"1\" data-unsubscribes=\"1\"");
    assertThat(html).contains("data-day=\"" + today.minusDays(29) + "\" data-new=\"0\" data-unsubscribes=\"0\"");
    assertThat(html.split("data-new=", -1)).as("the growth table's rows (other sections have days too)").hasSize(31);
    assertThat(html).contains("<details class=\"growth-days\" open>");
    assertThat(html).contains("src=\"/assets/growth-chart.js\"");
    var chartSrc = java.util.regex.Pattern.compile("src=\"(/webjars/chart\\.js/[^\"]*/dist/chart\\.umd\\.min\\.js)\"").matcher(html);
    assertThat(chartSrc.find()).as("the page loads Chart.js from its WebJar").isTrue();

    // The script the page names is served.
    MockHttpServletResponse chartJs = mvc.perform(get(chartSrc.group(1))).andReturn().getResponse();
    assertThat(chartJs.getStatus()).isEqualTo(200);
    assertThat(chartJs.getContentAsString()).contains("Chart.js v4");
  }

  @Test
  void the_section_is_left_out_for_whoever_may_not_read_lists() {
    var org = fixtures.organization("Quiet Co");
    // Every role reads lists today; a group-less context without the permission stands for what a future role may be.
    var without = new dev.herald.tenancy.OrganizationContext(org.id(), org.slug(), "Quiet Co",
        java.util.EnumSet.of(dev.herald.tenancy.Permission.MEMBERS_READ));
    var with = new dev.herald.tenancy.OrganizationContext(org.id(), org.slug(), "Quiet Co",
        java.util.EnumSet.of(dev.herald.tenancy.Permission.LISTS_READ));
    assertThat(section.draw(without)).isEmpty();
    assertThat(section.draw(with)).get().extracting(dev.herald.tenancy.OverviewSection.Drawn::template).isEqualTo("audiences/overview");
  }

  @Test
  void the_summary_api_answers_the_page_figures_and_needs_lists_read() throws Exception {
    var org = fixtures.organization("Api Summary Co");
    long news = list(org.id(), "News");
    LocalDate today = today();
    long a = subscriber(org.id(), "a@example.com", at(today, 1, 0), news);
    subscriber(org.id(), "b@example.com", at(today.minusDays(5), 1, 0), news);
    unsubscribe(org.id(), a, news, at(today, 2, 0));

    MockHttpServletResponse response = mvc.perform(get("/api/v1/orgs/" + org.slug() + "/audience/summary")
        .header("Authorization", "Bearer " + org.apiKey())).andReturn().getResponse();
    assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(200);
    JsonNode body = json.readTree(response.getContentAsString());
    assertThat(body.get("subscribers").asLong()).isEqualTo(2);
    assertThat(body.get("statuses").toString()).contains("{\"status\":\"subscribed\",\"subscriptions\":1}",
        "{\"status\":\"unsubscribed\",\"subscriptions\":1}");
    assertThat(body.get("lists").get(0).get("name").asString()).isEqualTo("News");
    assertThat(body.get("lists").get(0).get("counts").get("subscribed").asLong()).isEqualTo(1);
    JsonNode growth = body.get("growth");
    assertThat(growth.get("timeZone").asString()).isEqualTo("UTC");
    assertThat(growth.get("from").asString()).isEqualTo(today.minusDays(29).toString());
    assertThat(growth.get("to").asString()).isEqualTo(today.toString());
    assertThat(growth.get("days")).hasSize(30);
    assertThat(growth.get("days").get(29).toString())
        .isEqualTo("{\"day\":\"" + today + "\",\"newSubscribers\":1,\"unsubscribes\":1}");
    assertThat(growth.get("days").get(24).get("newSubscribers").asLong()).isEqualTo(1);
    assertThat(growth.get("newSubscribers").asLong()).isEqualTo(2);
    assertThat(body.get("recentImports")).isEmpty();

    // A key without lists:read is refused, and so is another organization's key.
    var noLists = organizations.create("Api Summary Keys Co", "members:read");
    assertThat(mvc.perform(get("/api/v1/orgs/" + noLists.slug() + "/audience/summary")
        .header("Authorization", "Bearer " + noLists.apiKey())).andReturn().getResponse().getStatus()).isEqualTo(403);
    MockHttpServletResponse foreign = mvc.perform(get("/api/v1/orgs/" + org.slug() + "/audience/summary")
        .header("Authorization", "Bearer " + noLists.apiKey())).andReturn().getResponse();
    assertThat(foreign.getStatus()).isEqualTo(403);
    assertThat(foreign.getContentAsString()).doesNotContain("subscribers\"");
  }
}
