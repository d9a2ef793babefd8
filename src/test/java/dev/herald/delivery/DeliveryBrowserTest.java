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
 * The operator's Delivery page in a real browser: reached from the operator navigation, sandbox by default, real
 * delivery switched on with a system sender (whose domain is added for the operator to verify, and linked), a wrong
 * sender refused beside its field, the warning while system mail stays in the sandbox, and both pages at 390 px.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class DeliveryBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired dev.herald.platform.SystemMail systemMail;

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
  void the_operator_turns_on_real_delivery_names_a_system_sender_and_is_warned_until_it_is_verified() {
    organizations.asNewOperator("ops@delivery-browser.test");
    web.signIn("ops@delivery-browser.test", TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.open("/operator");
    assertThat(browser.findElements(By.cssSelector(".operator-warning"))).as("sandbox: nothing to warn about").isEmpty();

    // 1. The operator navigation leads to the page; a new installation is in sandbox mode.
    browser.findElement(By.xpath("//nav[@aria-label='Operator pages']/a[normalize-space()='Delivery']")).click();
    web.waitForPath("/operator/delivery");
    assertThat(web.heading()).isEqualTo("Delivery");
    assertThat(browser.findElement(By.id("mode-sandbox")).isSelected()).isTrue();
    assertThat(web.visible(By.id("system-mail")).getText()).startsWith("Kept in the sandbox mailbox");
    assertThat(web.bodyText()).contains("What real delivery requires").contains("a system sender on a verified domain");
    assertThat(browser.findElements(By.id("static-route"))).isEmpty();

    // 2. A sender that is not an address: refused beside its field, nothing changed.
    browser.findElement(By.id("mode-mx")).click();
    web.fill("systemSender", "not an address");
    web.submit("Save");
    assertThat(web.visible(By.id("systemSender-error")).getText()).contains("Enter the address system mail comes from");
    web.open("/operator/delivery");
    assertThat(browser.findElement(By.id("mode-sandbox")).isSelected()).isTrue();

    // 3. Real delivery with a sender on a domain not verified yet: saved, and the warning says system mail stays sandboxed.
    browser.findElement(By.id("mode-mx")).click();
    web.fill("systemSender", "herald@mail.delivery-browser.example");
    web.submit("Save");
    web.waitForPath("/operator/delivery");
    assertThat(web.notice()).startsWith("Saved.").contains("stays in the sandbox mailbox");
    assertThat(browser.findElement(By.id("mode-mx")).isSelected()).isTrue();
    assertThat(web.visible(By.id("fallback-warning")).getText()).contains("no system sender on a verified domain");
    assertThat(browser.findElement(By.id("current-mode")).getText()).isEqualTo("Delivered to the recipients’ mail servers");
    assertThat(browser.findElement(By.id("sender-requirement")).getText()).contains("mail.delivery-browser.example").contains("not verified");

    // A password reset meanwhile stays in the sandbox mailbox, and the page says it will not be sent later.
    systemMail.send(new dev.herald.platform.SystemMail.SystemMessage("waiting@people.example", "Reset your Herald password",
        "Open this link to choose a new password.", "password_reset"));
    web.open("/operator/delivery");
    assertThat(web.visible(By.id("fallback-kept")).getText()).startsWith("1 message of Herald's own mail")
        .contains("not sent later").contains("should ask again");

    // 4. The overview warns too, with a link back here.
    web.open("/operator");
    assertThat(web.visible(By.cssSelector(".operator-warning")).getText()).contains("stays in the sandbox mailbox");

    // 5. The sender's domain: its records to publish, in the operator area.
    web.open("/operator/delivery");
    browser.findElement(By.id("sender-domain")).click();
    String domainPath = web.waitForPathMatching(java.util.regex.Pattern.compile("/operator/domains/\\d+"));
    assertThat(web.heading()).contains("mail.delivery-browser.example").contains("not verified");
    assertThat(browser.findElement(By.id("installation-domain")).getText()).contains("Herald signs its own mail");
    assertThat(browser.findElements(By.cssSelector(".dns-record"))).hasSizeGreaterThanOrEqualTo(4);
    assertThat(browser.findElement(By.xpath("//nav[@aria-label='Operator pages']/a[@aria-current='page']")).getText()).isEqualTo("Delivery");
    web.submit("Check DNS records");
    web.waitForPath(domainPath);
    assertThat(web.notice()).isEqualTo("Checked: some records are not right yet.");
    assertThat(web.consoleErrors()).isEmpty();

    // 6. Phone width: both pages fit 390 px without scrolling sideways.
    browser.manage().window().setSize(new Dimension(390, 844));
    for (String page : new String[] {"/operator/delivery", domainPath}) {
      web.open(page);
      long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
      long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
      assertThat(scroll).as("%s at %dpx", page, inner).isLessThanOrEqualTo(inner);
    }
  }
}
