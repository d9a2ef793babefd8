package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
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
 * The organization report and the deliverability panel on the overview in a real browser: the figures, the pause
 * notice, the chart drawn by Chart.js from the daily table without a Content-Security-Policy error, the table's numbers,
 * the deliverability lines, a 390 px phone. The mail, feedback and tracking rows are written straight into their
 * tables as those capabilities leave them (OrganizationReportTest makes them through the real paths).
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "herald.roles=web")
@Import({TestOrganizations.class, TestClock.class})
class OrganizationReportBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
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

  long message(long org) {
    return jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, subject, header_message_id, header_date, content)
        values (?, 'api', 'news@browser-report.example', 'Hello', ?, now(), ?) returning id""")
        .params(org, "<" + System.nanoTime() + "@browser-report.example>", "Subject: Hello\r\n\r\nHi\r\n".getBytes()).query(Long.class).single();
  }

  void recipient(long org, long message, String address, String state, Instant finished) {
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, finished_at)
        values (?, ?, 'to', ?, ?, 'example.net', ?, ?)""")
        .params(message, org, address, address, state, Timestamp.from(finished)).update();
  }

  void tracked(long org, long message, String kind, boolean machine, Instant at) {
    jdbc.sql("""
        insert into tracking_event (organization_id, kind, occurred_at, message_id, link_number, machine, machine_reason)
        values (?, ?, ?, ?, ?, ?, ?)""")
        .params(org, kind, Timestamp.from(at), message, kind.equals("click") ? 1 : null, machine, machine ? "apple_privacy" : null).update();
  }

  @Test
  void the_overview_shows_the_report_figures_and_pause_draws_its_chart_and_lists_the_deliverability_lines() {
    TestOrganizations.Created org = organizations.create("Report Browser Co", "reports:read");
    new TestSendingDomains(sendingDomains, jdbc).verified(org.id(), "browser-report.example");
    LocalDate today = LocalDate.ofInstant(clock.instant(), ZoneOffset.UTC);
    Instant threeAgo = today.minusDays(3).atTime(10, 0).toInstant(ZoneOffset.UTC);
    Instant todayEarly = today.atTime(0, 30).toInstant(ZoneOffset.UTC);
    long m = message(org.id());
    for (int i = 0; i < 4; i++) recipient(org.id(), m, "old" + i + "@example.net", "delivered", threeAgo);
    recipient(org.id(), m, "new1@example.net", "delivered", todayEarly);
    recipient(org.id(), m, "new2@example.net", "delivered", todayEarly);
    recipient(org.id(), m, "gone@example.net", "bounced", todayEarly);
    jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key)
        values (?, 'browser:1', ?, 'smtp', 'complaint', 'feedback', 'suppressed', 'old1@example.net', 'old1@example.net')""")
        .params(org.id(), Timestamp.from(threeAgo.plusSeconds(3600))).update();
    tracked(org.id(), m, "open", false, threeAgo.plusSeconds(60));
    tracked(org.id(), m, "open", false, threeAgo.plusSeconds(120));
    tracked(org.id(), m, "open", true, threeAgo.plusSeconds(5));
    tracked(org.id(), m, "click", false, todayEarly.plusSeconds(600));
    jdbc.sql("""
        insert into sender_alert (organization_id, level, metric, rate, threshold, sent, counted, raised_at)
        values (?, 'pause', 'complaints', 0.142857, 0.003, 7, 1, now())""").param(org.id()).update();

    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.consoleErrors();
    web.open("/o/" + org.slug());

    assertThat(web.visible(By.id("report-heading")).getText()).isEqualTo("Sending over the last 30 days");
    assertThat(web.visible(By.id("report-paused")).getText()).startsWith("Sending is paused for reputation.");
    assertThat(web.driver().findElement(By.id("report-sent")).getText()).isEqualTo("7\nmessages sent");
    assertThat(web.driver().findElement(By.id("report-delivered")).getText()).isEqualTo("6\ndelivered (85.7 %)");
    assertThat(web.driver().findElement(By.id("report-bounced")).getText()).isEqualTo("1\nbounce (14.29 %)");
    assertThat(web.driver().findElement(By.id("report-complaints")).getText()).isEqualTo("1\ncomplaint (14.29 %)");
    assertThat(web.driver().findElement(By.id("report-opens")).getText()).isEqualTo("2\nopens (and 1 by machines)");
    assertThat(web.driver().findElement(By.id("report-clicks")).getText()).isEqualTo("1\nclick (and 0 by machines)");
    List<String> complaints = web.driver().findElements(By.cssSelector("#protection-complaints td")).stream().map(WebElement::getText).toList();
    assertThat(complaints).containsExactly("1", "14.29 %", "0.1 %", "0.3 %", "Too few messages to judge");

    // The chart: Chart.js from the WebJar drew the table's numbers on a visible canvas.
    WebElement canvas = web.until(d -> d.findElement(By.cssSelector("canvas#report-chart[data-drawn=true]")));
    assertThat(canvas.isDisplayed()).isTrue();
    assertThat(canvas.getSize().getHeight()).isGreaterThan(100);
    @SuppressWarnings("unchecked")
    Map<String, Object> chart = (Map<String, Object>) web.js().executeScript("""
        var c = Chart.getChart(arguments[0]);
        var pixels = arguments[0].getContext('2d').getImageData(0, 0, arguments[0].width, arguments[0].height).data, painted = 0;
        for (var i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        return {labels: c.data.labels.length, names: c.data.datasets.map(function (d) { return d.label; }),
          sent: c.data.datasets[0].data, bounced: c.data.datasets[2].data, complaints: c.data.datasets[3].data,
          opens: c.data.datasets[4].data, clicks: c.data.datasets[5].data, painted: painted};""", canvas);
    assertThat(chart.get("labels")).isEqualTo(30L);
    assertThat(chart.get("names")).isEqualTo(List.of("Sent", "Delivered", "Bounced", "Complaints", "Opens", "Clicks"));
    assertThat(((List<?>) chart.get("sent")).get(26)).isEqualTo(4L);   // three days ago: the 27th of 30 days
    assertThat(((List<?>) chart.get("sent")).get(29)).isEqualTo(3L);   // today
    assertThat(((List<?>) chart.get("bounced")).get(29)).isEqualTo(1L);
    assertThat(((List<?>) chart.get("complaints")).get(26)).isEqualTo(1L);
    assertThat(((List<?>) chart.get("opens")).get(26)).isEqualTo(2L);
    assertThat(((List<?>) chart.get("clicks")).get(29)).isEqualTo(1L);
    assertThat(((List<?>) chart.get("sent")).stream().mapToLong(n -> (Long) n).sum()).isEqualTo(7);
    assertThat((Long) chart.get("painted")).as("pixels drawn on the canvas").isGreaterThan(1000);
    assertThat(web.js().executeScript("return !!Chart.getChart(document.getElementById('growth-chart'))"))
        .as("the audience's chart is drawn by the same Chart.js (one copy on the page)").isEqualTo(true);
    assertThat(web.driver().findElements(By.cssSelector("script[src*='chart.umd']"))).hasSize(1);

    // The table under it is folded away once drawn, and holds each day's numbers.
    assertThat(web.driver().findElement(By.cssSelector("details.report-days")).getAttribute("open")).isNull();
    assertThat(dayRow(today.minusDays(3))).containsExactly("4", "4", "0", "1", "2", "0");
    assertThat(dayRow(today)).containsExactly("3", "2", "1", "0", "0", "1");
    assertThat(web.driver().findElements(By.cssSelector("table[data-report-table] tbody tr"))).hasSize(30);

    // Deliverability: the domain's stored checks (DKIM only: the rest never checked) and the organization's lines.
    assertThat(web.visible(By.id("deliverability-state")).getText()).isEqualTo("Fails");
    WebElement domain = web.driver().findElement(By.cssSelector("table.deliverability-lines[id^='deliverability-']:not(#deliverability-organization-lines)"));
    assertThat(state(domain, "SPF")).isEqualTo("warn");
    assertThat(state(domain, "DKIM")).isEqualTo("ok");
    assertThat(state(domain, "DMARC")).isEqualTo("warn");
    WebElement organization = web.driver().findElement(By.id("deliverability-organization-lines"));
    assertThat(state(organization, "Complaint rate")).isEqualTo("fail");
    assertThat(organization.findElement(By.cssSelector("tr[data-rule='Complaint rate'] td.wrap")).getText())
        .startsWith("14.29 % (1 of 7 messages in the last 7 days)");
    assertThat(web.consoleErrors()).as("console errors (CSP violations among them)").isEmpty();

    // A phone: nothing wider than the screen, the chart included.
    web.driver().manage().window().setSize(new Dimension(390, 844));
    web.open("/o/" + org.slug());
    web.until(d -> d.findElement(By.cssSelector("canvas#report-chart[data-drawn=true]")));
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(scroll).isLessThanOrEqualTo(inner);
    assertThat(web.driver().findElement(By.id("report-chart")).getSize().getWidth()).isLessThan(390);
    assertThat(web.consoleErrors()).isEmpty();
  }

  private List<String> dayRow(LocalDate day) {
    WebElement row = web.driver().findElement(By.cssSelector("table[data-report-table] tr[data-day='" + day + "']"));
    return row.findElements(By.cssSelector("td.number")).stream().map(td -> td.getAttribute("textContent").trim()).toList();
  }

  private static String state(WebElement table, String rule) {
    return table.findElement(By.cssSelector("tr[data-rule='" + rule + "']")).getAttribute("data-state");
  }
}
