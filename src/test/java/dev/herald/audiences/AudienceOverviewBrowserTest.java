package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The organization overview in a real browser (issue 9: "the organization overview shows no numbers"): counts by status
 * for seeded subscribers, the growth chart drawn by Chart.js from the WebJar without a Content-Security-Policy error, the
 * table under it holding the seeded days' numbers, a 390 px phone; and the audit log's pager keeping a filter.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({AudienceFixtures.class, TestOrganizations.class, TestClock.class})
class AudienceOverviewBrowserTest {
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired Subscribers subscribers;
  @Autowired MailingLists lists;
  @Autowired JdbcClient jdbc;
  @Autowired MutableClock clock;

  private Browser web;

  @BeforeEach
  void startBrowser() throws IOException {
    web = Browser.start(port);
  }

  @AfterEach
  void stopBrowser() {
    if (web != null) web.close();
  }

  private static final Consent.Evidence PANEL = Consent.Evidence.panel("owner@example.com", "asked in person", "127.0.0.1");

  private long subscriber(long orgId, String email, Instant createdAt, long listId, SubscriptionStatus status) {
    long id = subscribers.upsert(orgId, new Subscribers.Input(email, "", null, null), "test");
    subscribers.subscribe(orgId, id, listId, SubscriptionStatus.SUBSCRIBED, PANEL);
    jdbc.sql("update subscriber set created_at = ? where id = ?").params(Timestamp.from(createdAt), id).update();
    jdbc.sql("update subscription set status = ?, unsubscribed_at = case when ? = 'unsubscribed' then ?::timestamptz end"
        + " where subscriber_id = ? and list_id = ?")
        .params(status.text(), status.text(), Timestamp.from(createdAt.plusSeconds(3600)), id, listId).update();
    return id;
  }

  @Test
  void the_overview_shows_counts_by_status_and_draws_the_growth_chart_with_its_table() {
    var org = fixtures.organization("Overview Browser Co");
    long news = lists.create(org.id(), new MailingLists.ListForm("News", "", null, "single", null, null, List.of())).id();
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    LocalDate fiveAgo = today.minusDays(5), twoAgo = today.minusDays(2);
    Instant fiveAgoNoon = fiveAgo.atTime(12, 0).toInstant(ZoneOffset.UTC);
    Instant twoAgoNoon = twoAgo.atTime(12, 0).toInstant(ZoneOffset.UTC);
    for (int i = 0; i < 4; i++) subscriber(org.id(), "sub" + i + "@example.com", fiveAgoNoon, news, SubscriptionStatus.SUBSCRIBED);
    subscriber(org.id(), "wait@example.com", twoAgoNoon, news, SubscriptionStatus.UNCONFIRMED);
    subscriber(org.id(), "left1@example.com", twoAgoNoon, news, SubscriptionStatus.UNSUBSCRIBED);
    subscriber(org.id(), "left2@example.com", twoAgoNoon, news, SubscriptionStatus.UNSUBSCRIBED);
    subscriber(org.id(), "bounce@example.com", fiveAgoNoon, news, SubscriptionStatus.BOUNCED);

    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.consoleErrors();
    web.open("/o/" + org.slug());

    // Counts by status, in the status table's row for the list, each linking to the filtered subscribers.
    WebElement row = web.visible(By.xpath("//table[contains(@class,'status-counts')]//tr[th[normalize-space()='News']]"));
    List<String> cells = row.findElements(By.tagName("td")).stream().map(WebElement::getText).toList();
    List<String> heads = web.driver().findElements(By.cssSelector("table.status-counts thead th")).stream().map(WebElement::getText).toList();
    assertThat(heads).containsExactly("List", "Subscribed", "Unconfirmed", "Unsubscribed", "Bounced", "Complained", "All");
    assertThat(cells).containsExactly("4", "1", "2", "1", "0", "8");
    assertThat(row.findElement(By.linkText("4")).getAttribute("href"))
        .endsWith("/o/" + org.slug() + "/subscribers?list=" + news + "&status=subscribed");
    assertThat(web.driver().findElement(By.cssSelector(".figures")).getText()).contains("8\nsubscribers", "8\nnew in the last 30 days",
        "2\nunsubscribes in the last 30 days");

    // The chart: Chart.js from the WebJar drew the table's numbers on a visible canvas.
    WebElement canvas = web.until(d -> d.findElement(By.cssSelector("canvas#growth-chart[data-drawn=true]")));
    assertThat(canvas.isDisplayed()).isTrue();
    assertThat(canvas.getSize().getHeight()).isGreaterThan(100);
    @SuppressWarnings("unchecked")
    Map<String, Object> chart = (Map<String, Object>) web.js().executeScript("""
        var c = Chart.getChart(arguments[0]);
        var pixels = arguments[0].getContext('2d').getImageData(0, 0, arguments[0].width, arguments[0].height).data, painted = 0;
        for (var i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return {labels: c.data.labels.length, added: c.data.datasets[0].data, left: c.data.datasets[1].data, painted: painted};""",
        canvas);
    assertThat(chart.get("labels")).isEqualTo(30L);
    assertThat(((List<?>) chart.get("added")).get(24)).isEqualTo(5L);   // five days ago: the 25th of 30 days
    assertThat(((List<?>) chart.get("added")).get(27)).isEqualTo(3L);   // two days ago
    assertThat(((List<?>) chart.get("left")).get(27)).isEqualTo(2L);
    assertThat(((List<?>) chart.get("added")).stream().mapToLong(n -> (Long) n).sum()).isEqualTo(8);
    assertThat((Long) chart.get("painted")).as("pixels drawn on the canvas").isGreaterThan(1000);

    // The table under the chart is folded away once the chart is drawn, and holds each day's numbers.
    assertThat(web.driver().findElement(By.cssSelector("details.growth-days")).getAttribute("open")).isNull();
    assertThat(dayRow(fiveAgo)).containsExactly("5", "0");
    assertThat(dayRow(twoAgo)).containsExactly("3", "2");
    assertThat(dayRow(today)).containsExactly("0", "0");
    assertThat(web.driver().findElements(By.cssSelector("table[data-growth-table] tbody tr"))).hasSize(30);
    web.driver().findElement(By.cssSelector("details.growth-days > summary")).click();
    assertThat(web.visible(By.cssSelector("table[data-growth-table]")).getText()).contains(dayText(fiveAgo) + " 5 0");

    assertThat(web.consoleErrors()).as("console errors (CSP violations among them)").isEmpty();

    // A phone: nothing wider than the screen, the chart included.
    web.driver().manage().window().setSize(new Dimension(390, 844));
    web.open("/o/" + org.slug());
    web.until(d -> d.findElement(By.cssSelector("canvas#growth-chart[data-drawn=true]")));
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(scroll).isLessThanOrEqualTo(inner);
    assertThat(web.driver().findElement(By.id("growth-chart")).getSize().getWidth()).isLessThan(390);
    assertThat(web.consoleErrors()).isEmpty();

    // The console check sees what it is meant to: an inline script is refused by the policy, and logged.
    web.js().executeScript("var s = document.createElement('script'); s.textContent = 'window.inlineRan = true'; document.body.appendChild(s);");
    assertThat(web.js().executeScript("return window.inlineRan === true")).isEqualTo(false);
    assertThat(web.consoleErrors()).anyMatch(m -> m.contains("Content Security Policy"));
  }

  /** The growth table's numbers (new, unsubscribes) for a day, read whether or not its details are open. */
  private List<String> dayRow(LocalDate day) {
    WebElement row = web.driver().findElement(By.cssSelector("table[data-growth-table] tr[data-day='" + day + "']"));
    return row.findElements(By.cssSelector("td.number")).stream().map(td -> td.getAttribute("textContent").trim()).toList();
  }

  private static String dayText(LocalDate day) {
    return dev.herald.platform.Dates.day(day);
  }

  @Test
  void the_audit_logs_next_page_keeps_the_filter() {
    var org = fixtures.organization("Audit Browser Co");
    Instant newest = clock.instant().minusSeconds(60);
    for (int i = 1; i <= 205; i++) {
      jdbc.sql("insert into audit_event (organization_id, actor, action, object_type, detail, at) values (?, ?, ?, 'list', ?, ?)")
          .params(org.id(), "ada+pages@example.com", "list.created", "row " + i, Timestamp.from(newest.minusSeconds(i))).update();
      jdbc.sql("insert into audit_event (organization_id, actor, action, object_type, detail, at) values (?, ?, ?, 'list', ?, ?)")
          .params(org.id(), "bob@example.com", "list.created", "other " + i, Timestamp.from(newest.minusSeconds(i))).update();
    }
    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.open("/o/" + org.slug() + "/audit");
    web.fill("actor", "ada+pages");
    web.submit("Filter");
    assertThat(web.visible(By.cssSelector("nav.pager")).getText()).contains("Page 1 of 2 · 205 entries");
    web.driver().findElement(By.linkText("Next →")).click();
    web.until(d -> d.findElement(By.cssSelector("nav.pager")).getText().contains("Page 2 of 2"));
    assertThat(web.driver().findElement(By.id("actor")).getAttribute("value")).isEqualTo("ada+pages");
    List<String> details = web.driver().findElements(By.cssSelector("table.audit tbody tr td:nth-child(5)")).stream()
        .map(WebElement::getText).toList();
    assertThat(details).containsExactly("row 201", "row 202", "row 203", "row 204", "row 205");
  }
}
