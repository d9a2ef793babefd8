package dev.herald.tracking;

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
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The tracking privacy page in a real browser: reached from the organization navigation, it states the privacy-first
 * defaults and shows them chosen; the owner ties events to subscribers with truncated addresses, gives one campaign
 * tracking off, puts it back on the organization's setting; the page fits 390 px.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class TrackingSettingsBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired TrackingPrivacy privacy;
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
  void the_owner_reads_the_defaults_chooses_identified_tracking_and_gives_a_campaign_its_own_setting() {
    TestOrganizations.Created org = organizations.create("Privacy Co", "send");
    long campaign = jdbc.sql("insert into campaign (organization_id, name) values (?, 'Spring news') returning id").param(org.id())
        .query(Long.class).single();
    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.open("/o/" + org.slug());
    web.clickNav("Tracking");
    web.waitForPath("/o/" + org.slug() + "/tracking");
    assertThat(web.heading()).startsWith("Tracking privacy");
    assertThat(web.visible(By.id("defaults")).getText()).contains("counted anonymously").contains("No IP address").contains("No cookies")
        .contains("Do Not Track").contains("Global Privacy Control");
    assertThat(new Select(browser.findElement(By.id("mode"))).getFirstSelectedOption().getText()).isEqualTo("Anonymous counts");
    assertThat(new Select(browser.findElement(By.id("ip"))).getFirstSelectedOption().getText()).isEqualTo("Not stored");

    new Select(browser.findElement(By.id("mode"))).selectByValue("identified");
    new Select(browser.findElement(By.id("ip"))).selectByValue("truncated");
    web.submit("Save");
    web.waitForPath("/o/" + org.slug() + "/tracking");
    assertThat(web.notice()).isEqualTo("Tracking privacy saved.");
    assertThat(new Select(browser.findElement(By.id("mode"))).getFirstSelectedOption().getAttribute("value")).isEqualTo("identified");
    assertThat(privacy.organization(org.id())).isEqualTo(new TrackingPrivacy.Setting(TrackingMode.IDENTIFIED, IpStorage.TRUNCATED));

    new Select(browser.findElement(By.id("campaign"))).selectByVisibleText("Spring news");
    new Select(browser.findElement(By.id("campaign-mode"))).selectByValue("off");
    web.submit("Give the campaign its own setting");
    web.waitForPath("/o/" + org.slug() + "/tracking");
    assertThat(web.visible(By.id("override-" + campaign)).getText()).contains("Spring news").contains("Off: record nothing");
    assertThat(privacy.campaign(org.id(), campaign)).contains(new TrackingPrivacy.Setting(TrackingMode.OFF, IpStorage.NONE));
    assertThat(web.consoleErrors()).isEmpty();

    browser.manage().window().setSize(new Dimension(390, 844));
    web.open("/o/" + org.slug() + "/tracking");
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(scroll).as("the page at %dpx", inner).isLessThanOrEqualTo(inner);

    web.submit("Follow the organization");
    web.waitForPath("/o/" + org.slug() + "/tracking");
    assertThat(browser.findElements(By.id("override-" + campaign))).isEmpty();
    assertThat(privacy.campaign(org.id(), campaign)).isEmpty();
  }
}
