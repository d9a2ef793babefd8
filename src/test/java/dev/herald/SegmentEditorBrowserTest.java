package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Subscribers;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The segment editor as a new user saw it (issue 9): operators as eq/neq/gt for every field, a choice field's value
 * typed as free text, "1 subscribers match". In a real browser (headless Chromium), with htmx bringing a row back
 * when its field changes, and at the width of a phone.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class SegmentEditorBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired Subscribers subscribers;

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
  void segment_editor_offers_only_operators_of_the_field_type_a_select_of_choices_and_counts_in_correct_plurals() {
    TestOrganizations.Created org = organizations.create("Plans Co", "lists:read");
    String o = "/o/" + org.slug();
    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");

    // A choice field, made in the panel.
    web.open(o + "/fields");
    web.fill("key", "plan");
    web.fill("label", "Plan");
    new Select(browser.findElement(By.id("field-type"))).selectByValue("choice");
    web.fill("choices", "free, pro, enterprise-with-a-rather-long-name");
    web.submit("Add field");
    subscribers.upsert(org.id(), new Subscribers.Input("ann@example.com", "Ann", Map.of("plan", "pro"), List.of()), "test");
    subscribers.upsert(org.id(), new Subscribers.Input("bob@example.com", "Bob", Map.of("plan", "free"), List.of()), "test");
    subscribers.upsert(org.id(), new Subscribers.Input("cy@example.com", "Cy", Map.of("plan", "free"), List.of()), "test");
    subscribers.upsert(org.id(), new Subscribers.Input("dee@example.com", "Dee", null, List.of()), "test");

    web.open(o + "/segments");
    web.fill("name", "Pro customers");
    web.submit("Create and add conditions");
    web.waitForPathMatching(java.util.regex.Pattern.compile("/o/[^/]+/segments/\\d+"));
    String editor = web.currentPath();
    web.submit("Add condition");

    // A new row is about the email address: text comparisons, in words.
    assertThat(options("rule-0-op")).containsExactly("is", "is not", "contains", "does not contain", "starts with");
    assertThat(options("rule-0-subject")).contains("Email address", "Date added", "Plan").doesNotContain("email", "created_at");

    // Picking Plan brings the row back with a choice field's comparisons and a select of its choices.
    new Select(web.visible(By.id("rule-0-subject"))).selectByVisibleText("Plan");
    web.until(d -> options("rule-0-op").equals(List.of("is", "is not", "is not empty", "is empty")));
    assertThat(browser.findElement(By.id("rule-0-value")).getTagName()).isEqualTo("select");
    assertThat(options("rule-0-value")).containsExactly("free", "pro", "enterprise-with-a-rather-long-name");
    assertThat(new Select(browser.findElement(By.id("rule-0-subject"))).getFirstSelectedOption().getText()).isEqualTo("Plan");
    waitForCount("2 subscribers match now."); // "is free": Bob and Cy

    select("rule-0-value", "pro");
    waitForCount("1 subscriber matches now.");
    select("rule-0-op", "is not");
    waitForCount("3 subscribers match now."); // Bob, Cy, and Dee who has no plan
    select("rule-0-op", "is empty");
    waitForCount("1 subscriber matches now.");
    assertThat(browser.findElements(By.id("rule-0-value"))).as("is empty asks for no value").isEmpty();
    select("rule-0-op", "is");
    waitForCount("2 subscribers match now.");
    select("rule-0-value", "pro");
    waitForCount("1 subscriber matches now.");

    web.submit("Save segment");
    assertThat(web.notice()).isEqualTo("Segment saved.");
    assertThat(web.currentPath()).isEqualTo(editor);
    assertThat(new Select(web.visible(By.id("rule-0-value"))).getFirstSelectedOption().getText()).isEqualTo("pro");
    assertThat(countText()).isEqualTo("1 subscriber matches now.");

    // The match in words, and no subscribers at all said so.
    assertThat(options("match")).containsExactly("all of the conditions", "any of the conditions");
    web.submit("Add condition");
    select("rule-1-subject", "Name");
    web.until(d -> options("rule-1-op").contains("starts with"));
    WebElement name = web.visible(By.id("rule-1-value"));
    name.sendKeys("Nobody");
    waitForCount("No subscribers match now.");

    web.open(o + "/segments");
    assertThat(browser.findElement(By.cssSelector("main table")).getText()).contains("Pro customers", "1 condition");

    // At the width of a phone the rows wrap: no sideways scrolling.
    browser.manage().window().setSize(new Dimension(390, 844));
    web.open(editor);
    web.submit("Add condition");
    select("rule-1-type", "List");
    web.until(d -> options("rule-1-value").contains("as waiting for confirmation"));
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(inner).isLessThanOrEqualTo(390);
    assertThat(scroll).as("the editor's width at 390 px").isLessThanOrEqualTo(inner);
  }

  /** The texts of a select's options (none when it is not a select), read again if htmx swapped the form meanwhile. */
  private List<String> options(String id) {
    for (int attempt = 0; ; attempt++) {
      try {
        WebElement element = web.visible(By.id(id));
        if (!element.getTagName().equals("select")) return List.of();
        return new Select(element).getOptions().stream().map(WebElement::getText).toList();
      } catch (StaleElementReferenceException e) {
        if (attempt == 5) throw e;
      }
    }
  }

  private void select(String id, String text) {
    new Select(web.visible(By.id(id))).selectByVisibleText(text);
  }

  private String countText() {
    return browser.findElement(By.id("live-count")).getText().replaceAll("\\s+", " ").strip();
  }

  private void waitForCount(String expected) {
    try {
      web.until(d -> {
        try {
          return countText().equals(expected);
        } catch (StaleElementReferenceException e) {
          return false;
        }
      });
    } catch (org.openqa.selenium.TimeoutException e) {
      throw new AssertionError("live count: expected '" + expected + "' but it says '" + countText() + "'", e);
    }
  }
}
