package dev.herald.delivery;

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
import org.springframework.test.annotation.DirtiesContext;

/**
 * The operator's IP pools and delivery servers pages and the organization's Sending page in a real browser (headless
 * Chromium): a pool made, an address refused then added, the pool assigned; a server added with a password that the
 * page never shows, assigned; the organization sees both; every page fits 390 px without sideways scrolling.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class DeliveryServersBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;

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

  void fitsPhone(String path) {
    web.open(path);
    long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
    long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
    assertThat(scroll).as("%s at %dpx", path, inner).isLessThanOrEqualTo(inner);
  }

  @Test
  void pools_and_servers_set_up_by_the_operator_and_seen_by_the_organization_at_any_width() {
    TestOrganizations.Created org = organizations.create("Browser Relay Co", "domains:read");
    organizations.asNewOperator("operator@browser-relay.test");
    web.signIn("operator@browser-relay.test", TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");

    // 1. A pool: made, an address that is not this machine's refused beside the form, then one that is, assigned.
    web.open("/operator/ip-pools");
    assertThat(web.heading()).isEqualTo("IP pools");
    web.fill("name", "Dedicated");
    web.submit("Create pool");
    assertThat(web.notice()).isEqualTo("Pool Dedicated created. Add its addresses below.");
    long pool = Long.parseLong(browser.findElement(By.xpath("//section[.//h2[contains(., 'Dedicated')]]"))
        .getDomAttribute("id").replace("pool-", ""));
    browser.findElement(By.id("address-" + pool)).sendKeys("192.0.2.55");
    browser.findElement(By.id("ehlo-" + pool)).sendKeys("mta.relay.test");
    var refused = browser.findElement(By.xpath("//button[@aria-label='Add an address to Dedicated']"));
    refused.click();
    web.waitUntilGone(refused);
    assertThat(web.visible(By.id("pool-" + pool + "-error")).getText()).startsWith("192.0.2.55 is not an address of this machine");
    browser.findElement(By.id("address-" + pool)).sendKeys("127.0.0.8");
    browser.findElement(By.id("ehlo-" + pool)).sendKeys("mta8.relay.test");
    var add = browser.findElement(By.xpath("//button[@aria-label='Add an address to Dedicated']"));
    add.click();
    web.waitUntilGone(add);
    assertThat(web.notice()).isEqualTo("127.0.0.8 added as mta8.relay.test.");
    web.fill("organization", org.slug());
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("assign-pool"))).selectByVisibleText("Dedicated");
    web.submit("Assign");
    assertThat(web.notice()).isEqualTo(org.slug() + " now sends from Dedicated.");

    // 2. A delivery server with a password, which the page never shows again, then assigned to the organization.
    browser.findElement(By.xpath("//nav[@aria-label='Operator pages']/a[normalize-space()='Delivery servers']")).click();
    web.waitForPath("/operator/delivery-servers");
    web.fill("name", "Office relay");
    web.fill("host", "smtp.office.test");
    web.fill("authUser", "relay-login-7");
    web.fill("password", "never-shown-9");
    web.fill("hourlyLimit", "100");
    web.submit("Add server");
    assertThat(web.heading()).isEqualTo("Office relay");
    assertThat(browser.getPageSource()).doesNotContain("never-shown-9");
    assertThat(web.bodyText()).contains("A password is stored (encrypted)", "0 of 100 messages");
    web.fill("organization", org.slug());
    web.submit("Assign");
    assertThat(web.notice()).isEqualTo("Mail of Browser Relay Co now goes through Office relay.");
    String serverPath = web.currentPath();

    // 3. Every page fits a phone.
    browser.manage().window().setSize(new Dimension(390, 844));
    fitsPhone("/operator/ip-pools");
    fitsPhone("/operator/delivery-servers");
    fitsPhone(serverPath);

    // 4. The organization's owner sees its pool and server, read-only.
    web.open("/logout");
    browser.manage().deleteAllCookies();
    browser.manage().window().setSize(new Dimension(1280, 900));
    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.open("/o/" + org.slug());
    web.clickNav("Sending");
    web.waitForPath("/o/" + org.slug() + "/sending");
    assertThat(web.bodyText()).contains("Dedicated", "127.0.0.8", "mta8.relay.test", "Office relay", "smtp.office.test:587",
        "STARTTLS required").doesNotContain("relay-login-7");
    assertThat(browser.findElements(By.cssSelector("main form"))).isEmpty();
    browser.manage().window().setSize(new Dimension(390, 844));
    fitsPhone("/o/" + org.slug() + "/sending");
  }
}
