package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The operator's queue page in a real browser: reached from the operator navigation, destinations largest first with
 * their last reply, numbers that change without a page load (htmx polling), pause and resume of a destination and of
 * the whole queue, deleting a destination's waiting mail with a reason, and the page at 390 px.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class QueueBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
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

  void send(long org, String from, String... to) {
    outbound.accept(org, new SendRequest(from, null, List.of(to), null, null, null, "Hello", null, "Hi", null, null, null, null), null);
  }

  /** Clicks a button of the polled part of the page, again if a refresh replaced it first, and waits for the notice. */
  String click(By button, String notice) {
    web.until(d -> {
      try {
        d.findElement(button).click();
        return true;
      } catch (StaleElementReferenceException e) {
        return null;
      }
    });
    return web.until(d -> {
      List<WebElement> found = d.findElements(By.cssSelector(".flash [role=status]"));
      return !found.isEmpty() && found.getFirst().getText().contains(notice) ? found.getFirst().getText() : null;
    });
  }

  String row(String domain) {
    return web.until(d -> {
      List<WebElement> rows = d.findElements(By.cssSelector("#destinations tr[data-domain='" + domain + "']"));
      try {
        return rows.isEmpty() ? null : rows.getFirst().getText();
      } catch (StaleElementReferenceException e) {
        return null;
      }
    });
  }

  @Test
  void see_the_queue_live_pause_resume_delete_and_fit_a_phone() {
    TestOrganizations.Created org = organizations.create("Queue Browser Co", "send");
    new TestSendingDomains(sendingDomains, jdbc).verified(org.id(), "queue-browser.example");
    String from = "news@queue-browser.example";
    send(org.id(), from, "a1@big.example", "a2@big.example", "a3@big.example");
    send(org.id(), from, "b1@small.example");
    jdbc.sql("update outbound_recipient set state = 'deferred', last_reply = '451 4.7.1 greylisted', last_attempt_at = now(), "
        + "next_attempt_at = now() + interval '1 hour' where address = 'b1@small.example'").update();
    organizations.asNewOperator("operator@queue-browser.test");
    web.signedIn("operator@queue-browser.test", TestOrganizations.PASSWORD);

    // 1. From the operator pages' navigation; largest destination first, the deferred one with its reply.
    web.open("/operator");
    web.until(d -> d.findElement(By.xpath("//nav[@class='sub-nav']/a[normalize-space()='Queue']"))).click();
    web.waitForPath("/operator/queue");
    List<String> domains = web.driver().findElements(By.cssSelector("#destinations tbody tr")).stream()
        .map(r -> r.getDomAttribute("data-domain")).toList();
    assertThat(domains).containsExactly("big.example", "small.example");
    assertThat(row("small.example")).contains("451 4.7.1 greylisted");
    assertThat(web.driver().findElement(By.id("total-queued")).getText()).isEqualTo("3");

    // 2. New mail shows up without a page load: the page's own marker survives the refresh.
    web.js().executeScript("window.queueMarker = 'same page'");
    send(org.id(), from, "c1@new.example");
    assertThat(row("new.example")).contains("new.example");
    web.until(d -> "4".equals(d.findElement(By.id("total-queued")).getText()) ? true : null);
    assertThat(web.js().executeScript("return window.queueMarker")).isEqualTo("same page");
    // A paused campaign's held mail: its own column and total, brought by the refresh too.
    send(org.id(), from, "h1@held.example");
    jdbc.sql("update outbound_recipient set state = 'held' where address = 'h1@held.example'").update();
    assertThat(row("held.example")).contains("all held");
    web.until(d -> "1".equals(d.findElement(By.id("total-held")).getText()) ? true : null);

    // 3. Pause one destination, then the whole queue; both shown; resume both.
    assertThat(click(By.cssSelector("button[aria-label='Pause big.example']"), "big.example is paused")).isNotEmpty();
    assertThat(row("big.example")).contains("Paused");
    assertThat(web.driver().findElement(By.id("paused-destinations")).getText()).contains("big.example");
    click(By.id("pause-queue"), "The whole queue is paused");
    assertThat(web.driver().findElement(By.id("queue-state")).getText()).isEqualTo("Paused");
    click(By.id("resume-queue"), "The queue is running again");
    assertThat(web.driver().findElement(By.id("queue-state")).getText()).isEqualTo("Running");
    click(By.cssSelector("button[aria-label='Resume big.example']"), "big.example is delivered to again");
    assertThat(jdbc.sql("select count(*) from queue_pause").query(Long.class).single()).isZero();

    // 4. Delete a destination's waiting mail with a reason.
    web.driver().findElement(By.id("delete-domain")).sendKeys("big.example");
    web.driver().findElement(By.id("delete-reason")).sendKeys("Mailbox provider closed");
    click(By.xpath("//button[normalize-space()='Delete waiting recipients'][ancestor::section[@id='delete-destination']]"),
        "Deleted 3 waiting recipients of big.example");
    assertThat(web.driver().findElements(By.cssSelector("#destinations tr[data-domain='big.example']"))).isEmpty();
    assertThat(jdbc.sql("select distinct state || ' ' || last_reply from outbound_recipient where domain = 'big.example'")
        .query(String.class).list()).containsExactly("deleted Deleted from the queue by the operator: Mailbox provider closed");
    assertThat(web.consoleErrors()).isEmpty();

    // 5. A phone: nothing to scroll sideways to (the table scrolls in its own box).
    web.driver().manage().window().setSize(new Dimension(390, 844));
    web.open("/operator/queue");
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(scroll).as("page width at %dpx", inner).isLessThanOrEqualTo(inner);
  }
}
