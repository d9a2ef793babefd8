package dev.herald.reports;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.io.IOException;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
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
 * A campaign's report page in a real browser: reached from the campaign's page, its figures, the timeline drawn by
 * Chart.js from the WebJar on a visible canvas from the table's numbers without a Content-Security-Policy error, the
 * clicks per link, the feedback and the domains; a 390 px phone. The sent campaign is written straight into the tables
 * as the send, tracking and feedback leave them (CampaignReportTest sends one for real).
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
class CampaignReportBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;

  private Browser web;

  @BeforeEach
  void startBrowser() throws IOException {
    web = Browser.start(port);
  }

  @AfterEach
  void stopBrowser() {
    if (web != null) web.close();
  }

  record Sent(long campaign, long message, List<Long> recipients) {}

  /**
   * A finished campaign started three hours ago to ann@ and bob@one.example (delivered two and one hours ago) and
   * cy@two.example (refused while sending an hour ago, a hard bounce), with two tracked links.
   */
  Sent sent(long org, Instant now) {
    Instant started = now.minus(3, ChronoUnit.HOURS);
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Readers', 'single') returning id")
        .param(org).query(Long.class).single();
    long message = jdbc.sql("""
        insert into outbound_message (organization_id, source, from_address, subject, header_message_id, header_date, track_opens, track_clicks)
        values (?, 'campaign', 'news@report.example', 'Spring', ?, ?, true, true) returning id""")
        .params(org, "<" + System.nanoTime() + "@report.example>", Timestamp.from(started)).query(Long.class).single();
    jdbc.sql("insert into outbound_link (message_id, link_number, url) values (?, 1, 'https://shop.example/spring'), (?, 2, 'https://shop.example/autumn')")
        .params(message, message).update();
    long campaign = jdbc.sql("""
        insert into campaign (organization_id, name, subject, from_address, state, message_id, recipients, started_at, finished_at)
        values (?, 'Spring browser report', 'Spring', 'news@report.example', 'finished', ?, 3, ?, ?) returning id""")
        .params(org, message, Timestamp.from(started), Timestamp.from(now.minus(1, ChronoUnit.HOURS))).query(Long.class).single();
    List<Object[]> people = List.of(new Object[] {"ann@one.example", "delivered", 2}, new Object[] {"bob@one.example", "delivered", 1},
        new Object[] {"cy@two.example", "bounced", 1});
    List<Long> recipients = new java.util.ArrayList<>();
    for (Object[] p : people) {
      String address = (String) p[0];
      long subscriber = jdbc.sql("insert into subscriber (organization_id, email, email_key) values (?, ?, ?) returning id")
          .params(org, address, address).query(Long.class).single();
      long ref = jdbc.sql("""
          insert into campaign_recipient (campaign_id, subscriber_id, list_id, address, address_key, state, handed_off_at)
          values (?, ?, ?, ?, ?, 'handed_off', ?) returning id""")
          .params(campaign, subscriber, list, address, address, Timestamp.from(started)).query(Long.class).single();
      recipients.add(jdbc.sql("""
          insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, source_ref, state, attempts,
            finished_at)
          values (?, ?, 'to', ?, ?, ?, ?, ?, 1, ?) returning id""")
          .params(message, org, address, address, address.substring(address.indexOf('@') + 1), ref, p[1],
              Timestamp.from(now.minus((Integer) p[2], ChronoUnit.HOURS)))
          .query(Long.class).single());
    }
    return new Sent(campaign, message, recipients);
  }

  void event(long org, Sent s, String kind, int recipient, Integer link, String machine, Instant at) {
    jdbc.sql("""
        insert into tracking_event (organization_id, kind, occurred_at, message_id, recipient_id, campaign_id, link_number, machine, machine_reason)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?)""")
        .params(org, kind, Timestamp.from(at), s.message(), s.recipients().get(recipient), s.campaign(), link, machine != null, machine)
        .update();
  }

  @Test
  void the_report_shows_the_campaigns_figures_and_draws_its_timeline_from_the_table() {
    TestOrganizations.Created org = organizations.create("Report Browser Co " + System.nanoTime(), "reports:read");
    Instant now = Instant.now();
    Sent s = sent(org.id(), now);
    Instant hourAgo = now.minus(1, ChronoUnit.HOURS);
    event(org.id(), s, "open", 0, null, null, hourAgo);
    event(org.id(), s, "open", 0, null, null, hourAgo);
    event(org.id(), s, "open", 1, null, null, now);
    event(org.id(), s, "open", 1, null, "apple_privacy", now);
    event(org.id(), s, "click", 0, 1, null, hourAgo);
    jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key,
          message_id, recipient_id, campaign_id)
        values (?, ?, ?, 'synchronous', 'hard', 'userunknown', 'suppressed', 'cy@two.example', 'cy@two.example', ?, ?, ?)""")
        .params(org.id(), "recipient:" + s.recipients().get(2) + ":hard", Timestamp.from(hourAgo), s.message(), s.recipients().get(2),
            s.campaign())
        .update();

    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.consoleErrors();
    web.open("/o/" + org.slug() + "/campaigns/" + s.campaign());
    web.visible(By.id("campaign-report-link")).click();
    web.waitForPath("/o/" + org.slug() + "/campaigns/" + s.campaign() + "/report");

    assertThat(figure("report-sent")).isEqualTo("3");
    assertThat(figure("report-delivered")).isEqualTo("2");
    assertThat(figure("report-bounced")).isEqualTo("1");
    assertThat(figure("report-opens-unique")).isEqualTo("2");
    assertThat(figure("report-opens-machine")).isEqualTo("1");
    assertThat(figure("report-clicks-unique")).isEqualTo("1");
    assertThat(figure("report-complaints")).isEqualTo("0");
    assertThat(web.bodyText()).contains("1 hard, 0 soft, 0 blocked", "1 bounce was refused while sending", "3 opens", "1 click");

    // The chart: Chart.js from the WebJar drew the timeline table's numbers on a visible canvas.
    WebElement canvas = web.until(d -> d.findElement(By.cssSelector("canvas#campaign-report-chart[data-drawn=true]")));
    assertThat(canvas.isDisplayed()).isTrue();
    assertThat(canvas.getSize().getHeight()).isGreaterThan(100);
    @SuppressWarnings("unchecked")
    Map<String, Object> chart = (Map<String, Object>) web.js().executeScript("""
        var c = Chart.getChart(arguments[0]);
        var pixels = arguments[0].getContext('2d').getImageData(0, 0, arguments[0].width, arguments[0].height).data, painted = 0;
        for (var i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) painted++;
        function sum(d) { return d.data.reduce(function (a, b) { return a + b; }, 0); }
        return {labels: c.data.labels.length, delivered: sum(c.data.datasets[0]), bounces: sum(c.data.datasets[1]),
                opens: sum(c.data.datasets[2]), clicks: sum(c.data.datasets[3]), painted: painted};""", canvas);
    assertThat(chart.get("labels")).as("hours from the start to now").isEqualTo(4L);
    assertThat(chart.get("delivered")).isEqualTo(2L);
    assertThat(chart.get("bounces")).isEqualTo(1L);
    assertThat(chart.get("opens")).as("people's opens").isEqualTo(3L);
    assertThat(chart.get("clicks")).isEqualTo(1L);
    assertThat((Long) chart.get("painted")).as("pixels drawn on the canvas").isGreaterThan(1000);
    assertThat(web.driver().findElement(By.cssSelector("details.growth-days")).getAttribute("open")).as("the table folded away").isNull();
    assertThat(web.driver().findElements(By.cssSelector("table[data-campaign-timeline] tbody tr"))).hasSize(4);

    assertThat(web.visible(By.id("report-links")).getText()).contains("https://shop.example/spring 1 1 0", "https://shop.example/autumn 0 0 0");
    assertThat(web.visible(By.id("report-feedback")).getText()).contains("hard Unknown user 1 1");
    assertThat(web.visible(By.id("report-domains")).getText()).contains("one.example 2 2 0 0 2 1", "two.example 1 0 1 0 0 0");
    assertThat(web.visible(By.id("report-csv")).getAttribute("href")).endsWith("/campaigns/" + s.campaign() + "/report/figures.csv");
    assertThat(web.consoleErrors()).as("console errors (CSP violations among them)").isEmpty();

    // A phone: nothing wider than the screen, the chart included.
    web.driver().manage().window().setSize(new Dimension(390, 844));
    web.open("/o/" + org.slug() + "/campaigns/" + s.campaign() + "/report");
    web.until(d -> d.findElement(By.cssSelector("canvas#campaign-report-chart[data-drawn=true]")));
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(scroll).isLessThanOrEqualTo(inner);
    assertThat(web.consoleErrors()).isEmpty();
  }

  private String figure(String id) {
    return web.visible(By.id(id)).getText();
  }
}
