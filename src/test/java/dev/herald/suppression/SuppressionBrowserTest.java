package dev.herald.suppression;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Subscribers;
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
 * The suppression page and the erasure of a person in a real browser (headless Chromium), as the organization's
 * owner: adding lines where one is bad (the bad one named by its line and kept for correcting, the good ones
 * added), checking an address in place (htmx, no page load), erasing a subscriber from their page (only with the
 * box ticked), which leaves an erased entry without an address, and the page at phone width.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class SuppressionBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired Subscribers subscribers;
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
  void add_lines_check_an_address_erase_a_person_and_fit_a_phone() {
    TestOrganizations.Created org = organizations.create("Suppression Browser Co", "lists:read");
    long subscriber = subscribers.upsert(org.id(), new Subscribers.Input("erin@example.com", "Erin", null, null), "test");
    web.signedIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.open("/o/" + org.slug());

    // 1. Three lines, the second not an address: named by its line and kept in the box; the other two added.
    web.clickNav("Suppressions");
    web.waitForPath("/o/" + org.slug() + "/suppressions");
    web.fill("entries", "ann@example.com\nnot an address\n@blocked.example");
    web.submit("Add to the list");
    assertThat(web.visible(By.id("add-entries-error")).getText()).contains("Line 2 (not an address)");
    assertThat(browser.findElement(By.id("add-entries")).getDomProperty("value")).isEqualTo("not an address");
    assertThat(browser.findElement(By.cssSelector("main table")).getText()).contains("ann@example.com", "blocked.example");

    // 2. Checking an address answers in place: the same page, the result in the live region.
    web.fill("address", "Someone@BLOCKED.example");
    web.button("Check").click();
    String result = web.until(d -> {
      var found = d.findElements(By.id("check-result"));
      return found.isEmpty() || found.getFirst().getText().isBlank() ? null : found.getFirst().getText();
    });
    assertThat(result).contains("someone@blocked.example is suppressed").contains("domain blocked.example");
    assertThat(web.currentPath()).isEqualTo("/o/" + org.slug() + "/suppressions");

    // 3. Erasing a person: refused without the box ticked, then done; only a hash stays.
    String page = "/o/" + org.slug() + "/subscribers/" + subscriber;
    web.open(page);
    web.submit("Erase person");
    assertThat(web.visible(By.id("erase-confirm-error")).getText()).isEqualTo("Tick the box to confirm the erasure.");
    assertThat(subscribers.find(org.id(), subscriber)).isPresent();
    web.tick("confirm");
    web.submit("Erase person");
    web.waitForPath("/o/" + org.slug() + "/subscribers");
    assertThat(web.notice()).startsWith("Subscriber erased in every part of Herald");
    assertThat(subscribers.find(org.id(), subscriber)).isEmpty();
    web.open("/o/" + org.slug() + "/suppressions?reason=erased");
    String erased = browser.findElement(By.cssSelector("main table")).getText();
    assertThat(erased).contains("erased").doesNotContain("erin@example.com");

    // 4. Phone width: the page fits a 375px screen without scrolling sideways.
    browser.manage().window().setSize(new Dimension(375, 800));
    web.open("/o/" + org.slug() + "/suppressions");
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(scroll).as("page width at %dpx", inner).isLessThanOrEqualTo(inner);
  }
}
