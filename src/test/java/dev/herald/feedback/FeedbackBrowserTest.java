package dev.herald.feedback;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The feedback pages in a real browser (headless Chromium): the owner finds recent bounces from the organization's
 * navigation and filters them; adds a mailbox monitor (a bad port refused beside its field, the password not put back),
 * polls it now, changes and deletes it; sees the banner while the organization is paused; the operator lifts the pause
 * from the sender alerts page and the banner is gone. And the pages at phone width. No worker role: nothing polls.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = "herald.roles=web")
@Import(TestOrganizations.class)
@DirtiesContext
class FeedbackBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;

  private Browser web;
  private WebDriver browser;

  @BeforeEach
  void startBrowser() throws IOException {
    web = Browser.start(port);
    browser = web.driver();
  }

  @AfterEach
  void stopBrowser() {
    if (web != null) web.close();
  }

  void event(long org, String address, String feedbackClass, String reason, String action) {
    jdbc.sql("""
        insert into feedback_event (organization_id, dedupe_key, occurred_at, source, feedback_class, reason, action, address, address_key,
          status, diagnostic)
        values (?, ?, now(), 'mailbox', ?, ?, ?, ?, ?, '5.1.1', '550 5.1.1 User unknown')""")
        .params(org, "test:" + address, feedbackClass, reason, action, address, address).update();
  }

  void fitsAPhone(String path) {
    browser.manage().window().setSize(new Dimension(375, 800));
    web.open(path);
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(scroll).as("width of %s at %dpx", path, inner).isLessThanOrEqualTo(inner);
    browser.manage().window().setSize(new Dimension(1280, 900));
  }

  @Test
  void read_feedback_manage_a_mailbox_monitor_and_have_a_pause_lifted() {
    TestOrganizations.Created org = organizations.create("Feedback Browser Co", "suppressions:read");
    event(org.id(), "gone@receiver.example", "hard", "userunknown", "suppressed");
    event(org.id(), "angry@elsewhere.example", "complaint", "feedback", "suppressed");
    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.open("/o/" + org.slug());

    // 1. Recent feedback from the navigation, filtered by a part of the address.
    web.clickNav("Bounces");
    web.waitForPath("/o/" + org.slug() + "/feedback");
    assertThat(browser.findElement(By.id("feedback-events")).getText()).contains("gone@receiver.example", "angry@elsewhere.example");
    web.fill("address", "elsewhere");
    web.submit("Filter");
    assertThat(browser.findElement(By.id("feedback-events")).getText()).contains("angry@elsewhere.example", "complaint")
        .doesNotContain("gone@receiver.example");

    // 2. A mailbox monitor: a bad port is refused beside its field and the password is not put back; then added.
    browser.findElement(By.linkText("Mailbox monitors")).click();
    web.waitForPath("/o/" + org.slug() + "/feedback/mailboxes");
    web.fill("name", "Returns");
    web.fill("host", "imap.example.net");
    web.fill("port", "99999");
    web.fill("username", "returns");
    web.fill("password", "browser-pass-1");
    web.submit("Add mailbox monitor");
    assertThat(web.visible(By.id("mailbox-port-error")).getText()).contains("port from 1 to 65535");
    assertThat(browser.findElement(By.id("mailbox-name")).getDomProperty("value")).isEqualTo("Returns");
    assertThat(browser.findElement(By.id("mailbox-password")).getDomProperty("value")).isEmpty();
    web.fill("port", "");
    web.fill("password", "browser-pass-1");
    web.submit("Add mailbox monitor");
    assertThat(web.notice()).startsWith("Mailbox monitor Returns added");
    String row = browser.findElement(By.id("mailboxes")).getText();
    assertThat(row).contains("Returns", "IMAP imap.example.net:993", "Not yet").doesNotContain("browser-pass-1");
    assertThat(browser.getPageSource()).doesNotContain("browser-pass-1");

    // 3. Poll now, then change it (no new password: the stored one stays), then delete it.
    long id = jdbc.sql("select id from feedback_mailbox where organization_id = ?").param(org.id()).query(Long.class).single();
    jdbc.sql("update feedback_mailbox set next_poll_at = now() + interval '1 hour' where id = ?").param(id).update();
    web.submit("Poll now");
    assertThat(web.notice()).startsWith("Returns is polled within seconds");
    assertThat(jdbc.sql("select next_poll_at <= now() from feedback_mailbox where id = ?").param(id).query(Boolean.class).single()).isTrue();
    browser.findElement(By.linkText("Returns")).click();
    web.waitForPath("/o/" + org.slug() + "/feedback/mailboxes/" + id);
    assertThat(web.bodyText()).contains("A password is stored");
    web.fill("name", "Returns (POP3)");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("mailbox-protocol"))).selectByValue("pop3");
    web.submit("Save mailbox monitor");
    assertThat(web.notice()).startsWith("Mailbox monitor Returns (POP3) saved");
    assertThat(browser.findElement(By.id("mailboxes")).getText()).contains("POP3 imap.example.net:993");
    web.submit("Delete");
    assertThat(web.notice()).startsWith("Mailbox monitor deleted");
    assertThat(web.bodyText()).contains("No mailbox monitors yet.");
    assertThat(web.consoleErrors()).isEmpty();
    fitsAPhone("/o/" + org.slug() + "/feedback/mailboxes");
    fitsAPhone("/o/" + org.slug() + "/feedback");

    // 4. Paused: every page of the organization says so and why.
    jdbc.sql("""
        insert into sender_alert (organization_id, level, metric, rate, threshold, sent, counted, raised_at)
        values (?, 'pause', 'hard_bounces', 0.061, 0.05, 2000, 122, now())""").param(org.id()).update();
    web.open("/o/" + org.slug() + "/suppressions");
    assertThat(web.visible(By.cssSelector(".org-notice")).getText()).contains("Sending is paused to protect your reputation.",
        "hard-bounce rate reached 6.10 % (122 of 2000 messages");

    // 5. The operator lifts it from the sender alerts page; the banner is gone.
    browser.findElement(By.xpath("//header//button[normalize-space()='Sign out']")).click();
    web.waitForPath("/login");
    organizations.asNewOperator("operator@feedback-browser.test");
    web.signIn("operator@feedback-browser.test", TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.open("/operator");
    assertThat(web.bodyText()).contains("1 organization is paused");
    browser.findElement(By.xpath("//nav[@class='sub-nav']/a[normalize-space()='Sender alerts']")).click();
    web.waitForPath("/operator/sender-alerts");
    assertThat(browser.findElement(By.id("open-alerts")).getText()).contains("Feedback Browser Co", "Hard bounces 6.10 %", "5.00 %",
        "122 of 2000 messages");
    web.button("Lift the pause").click();
    assertThat(web.notice()).isEqualTo("The pause of Feedback Browser Co is lifted: its queued mail goes out again.");
    assertThat(web.bodyText()).contains("No organization is paused or warned.");
    assertThat(browser.findElement(By.id("lifted-alerts")).getText()).contains("operator@feedback-browser.test");
    fitsAPhone("/operator/sender-alerts");
    assertThat(web.consoleErrors()).isEmpty();
    browser.findElement(By.xpath("//header//button[normalize-space()='Sign out']")).click();
    web.waitForPath("/login");
    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.open("/o/" + org.slug() + "/suppressions");
    assertThat(browser.findElements(By.cssSelector(".org-notice"))).isEmpty();
  }
}
