package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.io.IOException;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The sent-messages pages in a real browser (headless Chromium), as the owner: the overview's figures lead to the
 * list, a state filter narrows it, a message shows its recipients and attempts, its source is readable text, the test
 * form names a refused sender beside its field and then queues the message, and every page fits a 390 px phone.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class MessagesBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
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

  @Test
  void list_filter_read_a_message_send_a_test_and_fit_a_phone() {
    TestOrganizations.Created org = organizations.create("Messages Browser Co", "send");
    new TestSendingDomains(sendingDomains, jdbc).verified(org.id(), "mail.browser.example");
    long welcome = outbound.accept(org.id(), new SendRequest("news@mail.browser.example", null, List.of("ann@one.example"), null, null, null,
        "Welcome <aboard>", "<p>Hello <b>Ann</b></p>", "Hello Ann", null, null, List.of("welcome"), null), null).id();
    long receipt = outbound.accept(org.id(), new SendRequest("shop@mail.browser.example", null, List.of("bob@two.example"), null, null, null,
        "Your receipt", null, "Thanks", null, null, List.of("receipt"), null), null).id();
    attempt(welcome, "deferred", 451, "4.7.1", "Greylisted, try again");
    attempt(welcome, "bounced", 550, "5.1.1", "No such user");

    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.open("/o/" + org.slug());
    assertThat(web.visible(By.id("sending-heading")).getText()).isEqualTo("Sending in the last 24 hours");
    assertThat(browser.findElement(By.cssSelector("#figure-bounced .figure")).getText()).isEqualTo("1");

    // 1. The list, newest first, in panel words; a state filter narrows it.
    web.clickNav("Messages");
    web.waitForPath("/o/" + org.slug() + "/messages");
    List<WebElement> rows = browser.findElements(By.cssSelector("main tbody tr"));
    assertThat(rows).extracting(r -> r.getDomAttribute("id")).containsExactly("message-" + receipt, "message-" + welcome);
    assertThat(rows.get(1).getText()).contains("Welcome <aboard>", "ann@one.example", "Bounced", "welcome");
    assertThat(rows.get(0).getText()).contains("Queued");
    new Select(browser.findElement(By.id("filter-state"))).selectByVisibleText("Bounced");
    web.submit("Filter");
    assertThat(browser.findElements(By.cssSelector("main tbody tr"))).extracting(r -> r.getDomAttribute("id"))
        .containsExactly("message-" + welcome);

    // 2. The message: headers, the recipient's state and its attempts oldest first; the source as plain text.
    browser.findElement(By.linkText("Welcome <aboard>")).click();
    web.waitForPath("/o/" + org.slug() + "/messages/" + welcome);
    String recipient = web.visible(By.cssSelector(".recipient-list li.card")).getText();
    assertThat(recipient).contains("ann@one.example", "Bounced", "550 5.1.1 No such user");
    List<String> attempts = browser.findElements(By.cssSelector(".timeline li")).stream().map(WebElement::getText).toList();
    assertThat(attempts).hasSize(2);
    assertThat(attempts.get(0)).contains("Deferred", "451 4.7.1 Greylisted, try again", "mx.one.example [192.0.2.1]");
    assertThat(attempts.get(1)).contains("Bounced", "550 5.1.1 No such user");
    browser.findElement(By.linkText("View source")).click();
    web.waitForPath("/o/" + org.slug() + "/messages/" + welcome + "/source");
    assertThat(web.visible(By.id("message-source")).getText()).contains("Subject: Welcome <aboard>", "<p>Hello <b>Ann</b></p>");
    assertThat(browser.findElements(By.cssSelector("#message-source b"))).as("the HTML is shown, not drawn").isEmpty();

    // 3. A test message: a sender on a domain that is not verified is named beside its field, then one goes out.
    web.open("/o/" + org.slug() + "/messages");
    browser.findElement(By.linkText("Send a test message")).click();
    web.waitForPath("/o/" + org.slug() + "/messages/test");
    assertThat(browser.findElement(By.id("test-from")).getDomProperty("value")).isEqualTo("test@mail.browser.example");
    web.fill("from", "test@elsewhere.example");
    web.fill("to", "cat@three.example");
    web.fill("text", "Just checking");
    web.submit("Send test message");
    assertThat(web.visible(By.id("test-from-error")).getText()).contains("verified sending domain");
    assertThat(browser.findElement(By.id("test-to")).getDomProperty("value")).isEqualTo("cat@three.example");
    web.fill("from", "test@mail.browser.example");
    web.submit("Send test message");
    String page = web.waitForPathMatching(Pattern.compile("/o/" + org.slug() + "/messages/\\d+"));
    assertThat(web.notice()).isEqualTo("Test message queued.");
    assertThat(web.visible(By.cssSelector(".recipient-list")).getText()).contains("cat@three.example", "Queued");
    assertThat(web.visible(By.cssSelector("main .card")).getText()).contains("test");

    // 4. Phone width: each page fits a 390 px screen without scrolling sideways.
    browser.manage().window().setSize(new Dimension(390, 844));
    for (String path : List.of("/o/" + org.slug() + "/messages", "/o/" + org.slug() + "/messages/" + welcome, page,
        "/o/" + org.slug() + "/messages/" + welcome + "/source", "/o/" + org.slug() + "/messages/test", "/o/" + org.slug())) {
      web.open(path);
      long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
      long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
      assertThat(scroll).as("width of %s at %dpx", path, inner).isLessThanOrEqualTo(inner);
    }
    assertThat(web.consoleErrors()).isEmpty();
  }

  /** One attempt of the worker on the message's only recipient, as the worker writes it. */
  private void attempt(long message, String outcome, int code, String enhanced, String text) {
    jdbc.sql("""
        update outbound_recipient set state = ?, attempts = attempts + 1, last_reply = ?, last_attempt_at = now(),
          next_attempt_at = now() + interval '5 minutes', finished_at = case when ? = 'bounced' then now() end
        where message_id = ?""").params(outcome, code + " " + enhanced + " " + text, outcome, message).update();
    jdbc.sql("""
        insert into outbound_attempt (recipient_id, message_id, organization_id, attempted_at, server_host, server_ip, reply_code,
          enhanced_code, reply_text, outcome)
        select id, message_id, organization_id, clock_timestamp(), 'mx.one.example', '192.0.2.1', ?, ?, ?, ? from outbound_recipient
        where message_id = ?""").params(code, enhanced, text, outcome, message).update();
  }
}
