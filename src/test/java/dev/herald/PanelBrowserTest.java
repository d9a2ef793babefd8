package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.MailingLists;
import dev.herald.audiences.Subscribers;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import dev.herald.testsupport.TestDns;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The panel as a new user saw it (issue 9), in a real browser (headless Chromium): boxes and radio buttons at the
 * start of their labels, select-all on the subscribers page, the panel's own words for bulk refusals, the groups
 * page's permission labels, one operator sub-navigation, named sessions and dates for people, the suppression
 * form's expiry, and every page fitting a 390 px phone. Positions and sizes are measured, not only texts read.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class PanelBrowserTest {
  /** DNS for the sending-domain pages: records the test publishes, on loopback. */
  static final TestDns dns = TestDns.start();

  @DynamicPropertySource
  static void dnsSettings(DynamicPropertyRegistry registry) {
    registry.add("herald.dns.resolvers", dns::address);
    registry.add("herald.sending.spf-include", () -> "_spf.herald.example");
    registry.add("herald.sending.bounce-host", () -> "bounce.herald.example");
  }

  @AfterAll
  static void stopDns() {
    dns.close();
  }

  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired Subscribers subscribers;
  @Autowired MailingLists lists;
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

  /** An organization whose owner is also the operator, with a list, a segment and three subscribers; signed in. */
  private record Setup(TestOrganizations.Created org, long listId, long segmentId, List<Long> subscriberIds) {}

  private Setup signedInOwner(String name) {
    TestOrganizations.Created org = organizations.create(name, "lists:read");
    jdbc.sql("update app_user set operator = true where email = ?").param(org.ownerEmail()).update();
    long list = lists.create(org.id(), new MailingLists.ListForm("Newsletter", "", null, null, null, null, List.of())).id();
    List<Long> ids = new ArrayList<>();
    for (String email : List.of("ada.lovelace-long-address@example.com", "bob@example.com", "cy@example.com")) {
      ids.add(subscribers.upsert(org.id(), new Subscribers.Input(email, "Someone", null, null), "test"));
    }
    web.signIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.waitForPath("/dashboard");
    web.open("/o/" + org.slug() + "/segments");
    web.fill("name", "Everyone");
    web.submit("Create and add conditions");
    String segmentPath = web.waitForPathMatching(java.util.regex.Pattern.compile("/o/[^/]+/segments/\\d+"));
    long segment = Long.parseLong(segmentPath.substring(segmentPath.lastIndexOf('/') + 1));
    return new Setup(org, list, segment, ids);
  }

  @Test
  void boxes_and_radios_sit_at_the_start_of_their_labels_and_select_all_ticks_every_row() {
    Setup s = signedInOwner("Boxes Co");
    String slug = s.org().slug();
    web.open("/o/" + slug + "/subscribers");
    assertSitsBeforeItsLabel("bulk-target-selected");
    assertSitsBeforeItsLabel("bulk-target-segment");
    web.open("/o/" + slug + "/subscribers/" + s.subscriberIds().getFirst());
    assertSitsBeforeItsLabel("erase-confirm");
    web.open("/o/" + slug + "/fields");
    assertSitsBeforeItsLabel("field-editable");

    // Select-all in the table head ticks and unticks every row.
    web.open("/o/" + slug + "/subscribers");
    WebElement all = web.visible(By.id("select-all"));
    all.click();
    assertThat(browser.findElements(By.cssSelector("input[name=ids]"))).hasSize(3).allMatch(WebElement::isSelected);
    all.click();
    assertThat(browser.findElements(By.cssSelector("input[name=ids]"))).noneMatch(WebElement::isSelected);
    // Ticking every row by hand ticks select-all too.
    browser.findElements(By.cssSelector("input[name=ids]")).forEach(WebElement::click);
    assertThat(all.isSelected()).isTrue();
    all.click();

    // Applying with nobody chosen answers in the panel's words, not the API's field names.
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("bulk-action"))).selectByValue("tag");
    web.fill("tag", "vip");
    web.submit("Apply");
    String error = web.visible(By.id("bulk-who-error")).getText();
    assertThat(error).contains("Tick").doesNotContain("subscriberIds", "segmentId");

    // With select-all the action reaches all three.
    web.visible(By.id("select-all")).click();
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("bulk-action"))).selectByValue("tag");
    web.fill("tag", "vip");
    web.submit("Apply");
    assertThat(web.notice()).isEqualTo("3 subscribers changed.");
  }

  private void assertSitsBeforeItsLabel(String inputId) {
    WebElement input = web.visible(By.id(inputId));
    WebElement label = browser.findElement(By.cssSelector("label[for='" + inputId + "']"));
    var box = input.getRect();
    var text = label.getRect();
    assertThat(box.getX() + box.getWidth()).as("%s ends before its label starts", inputId).isLessThanOrEqualTo(text.getX());
    assertThat(text.getX() - (box.getX() + box.getWidth())).as("%s is next to its label", inputId).isLessThan(20);
    // On the label's first line: its top is within the first line of the label.
    assertThat(box.getY()).as("%s on the label's first line", inputId).isBetween(text.getY() - 8, text.getY() + 16);
  }

  @Test
  void groups_show_permission_labels_by_capability_without_breaking_words() {
    Setup s = signedInOwner("Groups Co");
    String slug = s.org().slug();
    web.open("/o/" + slug + "/groups");
    web.fill("name", "Editors");
    browser.findElement(By.xpath("//label[normalize-space()='Read suppression lists']")).click();
    web.submit("Create group");
    web.waitForPath("/o/" + slug + "/groups");

    String page = browser.findElement(By.tagName("main")).getText();
    assertThat(page).contains("Read suppression lists", "Audiences", "Suppressions", "Sending domains", "Change sending domains",
            "Campaigns", "Change campaigns")
        .doesNotContain("suppressions:read", "campaigns:", "billing", "Billing", "templates:");
    // The codes stay the form's values: what the API and the database know.
    assertThat(browser.findElements(By.cssSelector("input[name=permissions][value='suppressions:read']:checked"))).hasSize(1);

    for (int width : new int[] {1280, 390}) {
      browser.manage().window().setSize(new Dimension(width, 900));
      web.open("/o/" + slug + "/groups");
      @SuppressWarnings("unchecked")
      List<String> broken = (List<String>) web.js().executeScript("""
          const broken = [];
          for (const label of document.querySelectorAll('main fieldset label')) {
            const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
            for (let node = walker.nextNode(); node; node = walker.nextNode()) {
              const re = /\\S+/g; let m;
              while ((m = re.exec(node.nodeValue)) !== null) {
                const range = document.createRange();
                range.setStart(node, m.index); range.setEnd(node, m.index + m[0].length);
                const lines = new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top)));
                if (lines.size > 1) broken.push(m[0]);
              }
            }
          }
          return broken;""");
      assertThat(broken).as("words broken across lines at %d px", width).isEmpty();
    }
  }

  @Test
  void every_operator_page_has_the_same_sub_navigation_listing_every_operator_page() {
    signedInOwner("Operator Co");
    List<String> pages = List.of("/operator", "/operator/organizations", "/operator/users", "/operator/audit", "/operator/sandbox-mailbox",
        "/operator/suppressions", "/operator/ip-pools", "/operator/delivery-servers");
    List<String> first = null;
    for (String page : pages) {
      web.open(page);
      List<WebElement> links = browser.findElements(By.cssSelector("main nav[aria-label='Operator pages'] a"));
      List<String> hrefs = links.stream().map(a -> java.net.URI.create(a.getDomAttribute("href")).getPath()).toList();
      assertThat(hrefs).as("operator links on %s", page).containsAll(pages);
      if (first == null) first = links.stream().map(WebElement::getText).toList();
      assertThat(links.stream().map(WebElement::getText).toList()).as("the same navigation on %s", page).isEqualTo(first);
      assertThat(browser.findElements(By.cssSelector("main nav[aria-label='Operator pages'] a[aria-current=page]")))
          .as("current page marked on %s", page).hasSize(1)
          .allMatch(a -> java.net.URI.create(a.getDomAttribute("href")).getPath().equals(page));
    }
  }

  @Test
  void sessions_are_named_by_browser_and_dates_are_written_for_people() {
    Setup s = signedInOwner("Sessions Co");
    web.open("/account");
    String sessions = browser.findElement(By.id("sessions")).getText();
    assertThat(sessions).contains("Chrome on Linux").doesNotContain("Mozilla/5.0", "Unknown —");

    // The invitation mail says until when in words.
    web.open("/o/" + s.org().slug() + "/members");
    web.fill("email", "newcomer@example.com");
    web.submit("Send invitation");
    web.open("/operator/sandbox-mailbox");
    String mail = web.visible(By.cssSelector("article.message pre.mail-body")).getText();
    assertThat(mail).containsPattern("valid until \\d{1,2} [A-Z][a-z]+ \\d{4}, \\d{2}:\\d{2} UTC\\)")
        .doesNotContainPattern("\\d{4}-\\d{2}-\\d{2}T");
    // And pages write dates the same way.
    web.open("/o/" + s.org().slug() + "/members");
    assertThat(browser.findElement(By.tagName("main")).getText())
        .containsPattern("\\d{1,2} [A-Z][a-z]+ \\d{4}, \\d{2}:\\d{2}");
  }

  @Test
  void a_suppression_can_be_added_until_a_date() {
    Setup s = signedInOwner("Expiry Co");
    web.open("/o/" + s.org().slug() + "/suppressions");
    web.fill("entries", "later@example.com");
    web.js().executeScript("document.getElementById('add-expires').value = '2099-03-01'");
    web.submit("Add to the list");
    assertThat(web.notice()).startsWith("1 added");
    String row = browser.findElement(By.cssSelector("main table tbody tr")).getText();
    assertThat(row).contains("later@example.com", "1 March 2099");
    assertThat(jdbc.sql("select expires_at is not null from suppression where address = 'later@example.com'")
        .query(Boolean.class).single()).isTrue();

    // A date in the past is refused in the panel's words.
    web.fill("entries", "sooner@example.com");
    web.js().executeScript("document.getElementById('add-expires').value = '2000-01-01'");
    web.submit("Add to the list");
    assertThat(web.visible(By.id("add-expires-error")).getText()).contains("future").doesNotContain("expiresAt");
  }

  @Test
  void every_page_fits_a_390_px_phone() {
    Setup s = signedInOwner("A Rather Long Organization Name For Phones");
    String o = "/o/" + s.org().slug();
    // Long words that cannot break at a space: a list name, a tag, an address, a mail in the sandbox mailbox.
    lists.create(s.org().id(), new MailingLists.ListForm("Monthly-newsletter-for-customers-and-partners-2026", "", null, null, null,
        null, List.of("a-rather-long-tag-without-spaces")));
    subscribers.upsert(s.org().id(), new Subscribers.Input("firstname.middlename.lastname.department@subdomain.example.com",
        "Someone With A Long Name", null, List.of("customer-since-the-very-beginning")), "test");
    web.open(o + "/members");
    web.fill("email", "a.new.colleague.with.a.long.address@subdomain.example.com");
    web.submit("Send invitation");
    web.open(o + "/groups");
    web.fill("name", "Editors-of-the-monthly-newsletter");
    web.submit("Create group");
    web.open(o + "/domains");
    web.fill("name", "a-rather-long-sending-domain-name-for-phones.example");
    web.submit("Add domain");
    String domain = web.waitForPathMatching(java.util.regex.Pattern.compile("/o/[^/]+/domains/\\d+"));
    checkNow();
    List<String> pages = List.of(o + "/domains", domain, "/dashboard", "/account", o, o + "/lists", o + "/lists/" + s.listId(), o + "/subscribers",
        o + "/subscribers/" + s.subscriberIds().getFirst(), o + "/fields", o + "/segments", o + "/segments/" + s.segmentId(),
        o + "/imports", o + "/suppressions", o + "/members", o + "/groups", o + "/api-keys", o + "/audit",
        "/operator", "/operator/organizations", "/operator/users", "/operator/audit", "/operator/sandbox-mailbox", "/operator/suppressions");
    browser.manage().window().setSize(new Dimension(390, 844));
    Map<String, Long> tooWide = new java.util.LinkedHashMap<>();
    for (String page : pages) {
      web.open(page);
      long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
      long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
      assertThat(inner).isLessThanOrEqualTo(390);
      if (scroll > inner) tooWide.put(page, scroll);
    }
    assertThat(tooWide).as("pages wider than the phone").isEmpty();
  }

  @Test
  void a_domain_is_added_and_shows_its_records_to_copy_then_each_records_state_after_a_check() {
    Setup s = signedInOwner("Domains Co");
    String o = "/o/" + s.org().slug();
    web.open(o + "/domains");
    web.fill("name", "not a domain");
    web.submit("Add domain");
    assertThat(web.visible(By.id("domain-name-error")).getText()).contains("domain name only");

    web.fill("name", "shop.domains-co.example");
    web.submit("Add domain");
    web.waitForPathMatching(java.util.regex.Pattern.compile("/o/[^/]+/domains/\\d+"));
    assertThat(web.notice()).contains("shop.domains-co.example added");
    assertThat(web.visible(By.id("domain-status")).getText()).isEqualTo("not verified");

    // Each record: its host and value as text to copy, with a copy button, and "not checked" before any check.
    String month = java.time.YearMonth.now(java.time.ZoneOffset.UTC).toString().replace("-", "");
    WebElement dkim = web.visible(By.id("record-dkim:hr" + month + "r"));
    List<WebElement> values = dkim.findElements(By.cssSelector("code.dns-value"));
    assertThat(values.get(0).getText()).isEqualTo("hr" + month + "r._domainkey.shop.domains-co.example");
    String dkimValue = values.get(1).getText();
    assertThat(dkimValue).startsWith("v=DKIM1; k=rsa; p=MII");
    assertThat(values.get(2).getText()).as("zone file form in 255-octet strings").startsWith("\"v=DKIM1").contains("\" \"");
    assertThat(dkim.findElements(By.cssSelector("button.copy-button"))).hasSize(3).allMatch(WebElement::isDisplayed);
    assertThat(dkim.findElement(By.cssSelector(".dns-state")).getText()).isEqualTo("Not checked");
    // The keys in words: it showed "rsa", "ed25519" and "active", the API's codes.
    assertThat(browser.findElement(By.id("key-hr" + month + "r")).getText()).contains("RSA-2048", "Signing").doesNotContain("rsa").doesNotContain("active");
    assertThat(browser.findElement(By.id("key-hr" + month + "e")).getText()).contains("Ed25519").doesNotContain("ed25519");
    WebElement mx = browser.findElement(By.id("record-return_path_mx"));
    assertThat(mx.findElements(By.cssSelector("code.dns-value")).get(1).getText()).isEqualTo("10 bounce.herald.example.");

    // Publish the DKIM key as shown, the return path MX pointing elsewhere, and nothing else; then check.
    dns.txt("hr" + month + "r._domainkey.shop.domains-co.example", dkimValue);
    dns.mx("bounces.shop.domains-co.example", 10, "mx.elsewhere.example");
    checkNow();
    assertThat(web.notice()).contains("not right yet");
    assertThat(state("record-dkim:hr" + month + "r")).isEqualTo("OK");
    assertThat(state("record-dkim:hr" + month + "e")).isEqualTo("Missing");
    assertThat(state("record-return_path_mx")).isEqualTo("Wrong value");
    assertThat(browser.findElement(By.id("record-return_path_mx")).findElement(By.cssSelector(".dns-found")).getText())
        .isEqualTo("10 mx.elsewhere.example");
    assertThat(state("record-return_path_spf")).isEqualTo("Missing");
    assertThat(state("record-dmarc")).isEqualTo("Missing");
    assertThat(web.visible(By.id("domain-status")).getText()).isEqualTo("not verified");

    // Fixed: the MX and the return path's SPF published, the domain is verified.
    dns.remove("bounces.shop.domains-co.example").mx("bounces.shop.domains-co.example", 10, "bounce.herald.example")
        .txt("bounces.shop.domains-co.example", "v=spf1 include:_spf.herald.example -all").txt("_spf.herald.example", "v=spf1 -all");
    checkNow();
    assertThat(state("record-return_path_mx")).isEqualTo("OK");
    assertThat(web.visible(By.id("domain-status")).getText()).isEqualTo("verified");
    web.open(o + "/domains");
    assertThat(web.bodyText()).contains("shop.domains-co.example", "verified");
  }

  /** Clicks the check button and waits for the page it leads back to. */
  private void checkNow() {
    WebElement button = web.button("Check DNS records");
    button.click();
    web.waitUntilGone(button);
    web.visible(By.id("domain-status"));
  }

  private String state(String recordId) {
    return browser.findElement(By.id(recordId)).findElement(By.cssSelector(".dns-state")).getText();
  }
}
