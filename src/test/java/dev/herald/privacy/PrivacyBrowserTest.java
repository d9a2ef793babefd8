package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Subscribers;
import dev.herald.suppression.Restrictions;
import dev.herald.suppression.RestrictionKind;
import dev.herald.tenancy.Role;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.openqa.selenium.By;
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
 * The privacy pages in a real browser (headless Chromium), as their users use them: a member works through data-subject
 * requests (access with its due date, extension and ZIP; erasure; restriction and its lift; each form's error beside its
 * field), the operator records a breach and a member acknowledges its banner, an owner closes and reopens the
 * organization and cannot delete their own account while its last owner, a person asks on the hosted page and confirms
 * from the mailed link (system mail goes to the sandbox mailbox here: no system sender is set), and retention schedules
 * are changed by the operator and shortened by an organization. Every page passes the panel's accessibility basics.
 * One Spring context and one Chromium for the whole class (each test signs in afresh): starting them is most of the time.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PrivacyBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired Subscribers subscribers;
  @Autowired Restrictions restrictions;
  @Autowired JdbcClient jdbc;

  private Browser web;
  private WebDriver browser;

  @BeforeAll
  void startBrowser() throws IOException {
    web = Browser.start(port);
    browser = web.driver();
  }

  @AfterAll
  void stopBrowser() {
    if (web != null) web.close();
  }

  /** Each flow begins signed out, with the window at its usual size. */
  @BeforeEach
  void signOut() {
    web.open("/login");
    browser.manage().deleteAllCookies();
    web.consoleErrors();
  }

  // ---- 1. data-subject requests -------------------------------------------------------------------------------

  @Test
  void a_member_works_through_access_erasure_and_restriction_requests() throws Exception {
    TestOrganizations.Created org = organizations.create("Privacy Browser Requests", "privacy");
    subscribers.upsert(org.id(), new Subscribers.Input("ann@example.com", "Ann", null, null), "test");
    subscribers.upsert(org.id(), new Subscribers.Input("bob@example.com", "Bob", null, null), "test");
    subscribers.upsert(org.id(), new Subscribers.Input("cy@example.com", "Cy", null, null), "test");
    web.signedIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.open("/o/" + org.slug());
    web.clickNav("Privacy requests");
    String list = "/o/" + org.slug() + "/privacy/requests";
    web.waitForPath(list);
    assertAccessible();
    assertThat(web.bodyText()).contains("No requests yet.");

    // The new-request form's errors, each beside its field: a bad address, then no kind chosen.
    web.fill("address", "not an address");
    new Select(browser.findElement(By.id("new-type"))).selectByValue("access");
    web.submit("Record request");
    assertThat(web.visible(By.id("new-address-error")).getText()).startsWith("Not a valid email address");
    assertThat(browser.findElement(By.id("new-address")).getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(browser.findElement(By.id("new-address")).getDomProperty("value")).isEqualTo("not an address");
    assertAccessible();
    web.fill("address", "ann@example.com");
    new Select(browser.findElement(By.id("new-type"))).selectByValue("");
    web.submit("Record request");
    assertThat(web.visible(By.id("new-type-error")).getText()).isEqualTo("Choose what the person asked for.");
    assertAccessible();

    // An access request: its due date one calendar month after receipt, on the page and in the list.
    web.fill("address", "ann@example.com");
    new Select(browser.findElement(By.id("new-type"))).selectByValue("access");
    web.submit("Record request");
    String access = web.waitForPathMatching(Pattern.compile(Pattern.quote(list) + "/\\d+"));
    long accessId = Long.parseLong(access.substring(access.lastIndexOf('/') + 1));
    Instant received = jdbc.sql("select received_at from privacy_request where id = ?").param(accessId).query(Instant.class).single();
    String due = dev.herald.platform.Dates.day(DueDates.due(received));
    assertThat(web.notice()).isEqualTo("Request recorded. It is due on " + due + ".");
    assertThat(web.heading()).isEqualTo("Access request from ann@example.com");
    assertThat(details("Due")).startsWith(due);
    assertAccessible();

    // Extending: without a reason, the message sits beside the reason; with one, the later date and the reason show.
    web.submit("Extend");
    WebElement reasonError = web.visible(By.id("extend-reason-error"));
    assertThat(reasonError.getText()).isEqualTo("Say why the request needs more time: the person is told the reason.");
    assertThat(browser.findElement(By.id("extend-reason")).getDomAttribute("aria-describedby")).isEqualTo("extend-reason-error");
    assertThat(browser.findElements(By.id("reject-reason-error"))).as("the reject form is not blamed").isEmpty();
    assertAccessible();
    web.fill("reason", "Many records in several systems");
    web.submit("Extend");
    web.waitForPath(access);
    String extendedDue = dev.herald.platform.Dates.day(DueDates.extended(received));
    assertThat(web.notice()).startsWith("Due date extended to " + extendedDue);
    assertThat(details("Due")).startsWith(extendedDue);
    assertThat(details("Extended")).contains("Many records in several systems");
    assertThat(browser.findElements(By.id("extend-heading"))).as("extended once only").isEmpty();

    // Rejecting without a reason: its own message beside its own field (the extension form is gone, so not there).
    web.submit("Reject request");
    assertThat(web.visible(By.id("reject-reason-error")).getText()).isEqualTo("Say why the request is rejected: the person is told the reason.");
    assertThat(details("Status")).isEqualTo("received");

    // Completing it builds the archive; the ZIP the browser downloads holds the summary, the JSON and the CSVs.
    web.submit("Complete request");
    web.waitForPath(access);
    assertThat(web.notice()).isEqualTo("Completed. The archive is ready to download below.");
    assertThat(details("Status")).isEqualTo("completed");
    WebElement download = web.visible(By.cssSelector("#archive-heading + p a"));
    assertThat(download.getText()).startsWith("Download ").endsWith(".zip");
    List<String> entries = zipEntries(fetch(download.getDomAttribute("href")));
    assertThat(entries).contains("summary.html", "data.json").anyMatch(e -> e.startsWith("csv/") && e.endsWith(".csv"));
    assertThat(new String(zipEntry(fetch(download.getDomAttribute("href")), "data.json"))).contains("ann@example.com");
    assertThat(history()).contains("received", "extended", "completed");
    assertAccessible();

    // An erasure request completed from the panel: refused until the box is ticked, then only counts stay.
    web.open(list);
    web.fill("address", "bob@example.com");
    new Select(browser.findElement(By.id("new-type"))).selectByValue("erasure");
    web.submit("Record request");
    String erasure = web.waitForPathMatching(Pattern.compile(Pattern.quote(list) + "/\\d+"));
    web.submit("Complete request");
    assertThat(web.visible(By.id("confirm-error")).getText()).isEqualTo("Tick the box to confirm the erasure.");
    assertThat(subscribers.findByEmail(org.id(), "bob@example.com")).isPresent();
    assertAccessible();
    web.tick("confirm");
    web.submit("Complete request");
    web.waitForPath(erasure);
    assertThat(web.notice()).startsWith("Completed. The person's data is erased in every part of Herald");
    assertThat(subscribers.findByEmail(org.id(), "bob@example.com")).isEmpty();
    assertThat(web.bodyText()).doesNotContain("bob@example.com");
    assertThat(web.visible(By.id("outcome")).getText()).doesNotContain("bob");

    // A restriction, in force once completed, and its lift.
    web.open(list);
    web.fill("address", "cy@example.com");
    new Select(browser.findElement(By.id("new-type"))).selectByValue("restriction");
    web.submit("Record request");
    String restriction = web.waitForPathMatching(Pattern.compile(Pattern.quote(list) + "/\\d+"));
    web.submit("Mark as in progress");
    web.waitForPath(restriction);
    assertThat(details("Status")).isEqualTo("in progress");
    web.submit("Complete request");
    web.waitForPath(restriction);
    assertThat(details("Status")).isEqualTo("completed");
    assertThat(restrictions.of(org.id(), "cy@example.com")).contains(RestrictionKind.RESTRICTION);
    assertAccessible();
    web.submit("Lift the restriction");
    web.waitForPath(restriction);
    assertThat(web.notice()).isEqualTo("Lifted.");
    assertThat(restrictions.of(org.id(), "cy@example.com")).isEmpty();
    assertThat(history()).contains("lifted");

    // The list: three requests, each with its kind, status and due date.
    web.open(list);
    String table = browser.findElement(By.cssSelector("main table")).getText();
    assertThat(table).contains("ann@example.com", "access", "cy@example.com", "restriction", "erasure", extendedDue)
        .doesNotContain("bob@example.com");
    assertThat(web.consoleErrors()).isEmpty();
  }

  // ---- 2. a breach ------------------------------------------------------------------------------------------------

  @Test
  void the_operator_records_a_breach_and_a_member_acknowledges_its_banner() {
    TestOrganizations.Created org = organizations.create("Privacy Browser Breach", "privacy");
    organizations.asNewOperator("ops@privacy-browser.test");
    web.signedIn("ops@privacy-browser.test", TestOrganizations.PASSWORD);
    web.open("/operator/breaches");
    assertAccessible();

    // No category ticked: the message beside the categories; what was typed is kept.
    web.fill("title", "Backup copy exposed");
    web.fill("description", "A database backup was readable from the internet for two hours.");
    dateTime("detectedAt", Instant.now().minus(Duration.ofHours(3)));
    new Select(browser.findElement(By.id("organizationIds"))).selectByVisibleText("Privacy Browser Breach (" + org.slug() + ")");
    web.submit("Record and notify");
    assertThat(web.visible(By.id("categories-error")).getText()).isEqualTo("Name at least one category of personal data concerned.");
    assertThat(browser.findElement(By.id("title")).getDomProperty("value")).isEqualTo("Backup copy exposed");
    assertAccessible();

    web.fill("description", "A database backup was readable from the internet for two hours.");
    dateTime("detectedAt", Instant.now().minus(Duration.ofHours(3)));
    new Select(browser.findElement(By.id("organizationIds"))).selectByVisibleText("Privacy Browser Breach (" + org.slug() + ")");
    browser.findElement(By.cssSelector("label[for='category-CONTACT']")).click();
    web.submit("Record and notify");
    String incident = web.waitForPathMatching(Pattern.compile("/operator/breaches/\\d+"));
    assertThat(web.notice()).isEqualTo("Incident recorded; 1 person in 1 organization was notified.");
    assertThat(web.visible(By.id("authority-clock")).getText()).startsWith("Not notified yet.").contains("left");
    assertThat(browser.findElement(By.id("notices")).getText()).contains(org.ownerEmail()).contains("not yet");
    assertAccessible();
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = ?").param(org.ownerEmail()).query(Integer.class).single())
        .as("the owner was mailed").isEqualTo(1);

    // The owner signs in: the banner is on every page until they press its button.
    browser.manage().deleteAllCookies();
    web.signedIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    WebElement banner = web.visible(By.cssSelector(".user-notice"));
    assertThat(banner.getText()).contains("Security incident", "Backup copy exposed");
    web.open("/o/" + org.slug() + "/lists");
    banner = web.visible(By.cssSelector(".user-notice"));
    WebElement button = banner.findElement(By.xpath(".//button[normalize-space()='I have read this']"));
    button.click();
    web.waitUntilGone(button);
    web.waitForPath("/o/" + org.slug() + "/breach-notices");
    assertThat(web.notice()).isEqualTo("Thank you: your acknowledgement is recorded.");
    assertThat(browser.findElements(By.cssSelector(".user-notice"))).isEmpty();
    assertThat(web.bodyText()).contains("You acknowledged this notice");
    assertAccessible();
    web.open("/o/" + org.slug());
    assertThat(browser.findElements(By.cssSelector(".user-notice"))).as("gone from every page").isEmpty();

    // The operator's page says who acknowledged and when.
    browser.manage().deleteAllCookies();
    web.signedIn("ops@privacy-browser.test", TestOrganizations.PASSWORD);
    web.open(incident);
    assertThat(web.bodyText()).contains("1 notified, 1 acknowledged.");
    String row = browser.findElement(By.id("notices")).getText();
    assertThat(row).contains(org.ownerEmail()).doesNotContain("not yet").contains(String.valueOf(java.time.Year.now().getValue()));
    assertThat(web.consoleErrors()).isEmpty();
  }

  // ---- 3. closing an account, deleting one's own ----------------------------------------------------------------

  @Test
  void an_owner_closes_and_reopens_the_organization_and_cannot_delete_their_account_while_its_last_owner() throws Exception {
    TestOrganizations.Created org = organizations.create("Privacy Browser Closure", "privacy");
    organizations.asNewMember(org, "viewer@privacy-browser-closure.test", Role.viewer);
    String api = "/api/v1/orgs/" + org.slug() + "/privacy/requests";
    assertThat(apiStatus(api, org.apiKey())).isEqualTo(200);
    web.signedIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.open("/o/" + org.slug());
    web.clickNav("Export and close");
    String page = "/o/" + org.slug() + "/closure";
    web.waitForPath(page);
    assertAccessible();

    // The slug mistyped: refused beside the field, nothing closed.
    web.fill("confirm", "something else");
    web.submit("Close the organization");
    assertThat(web.visible(By.id("confirm-error")).getText()).isNotBlank();
    assertThat(browser.findElements(By.id("closed"))).isEmpty();
    assertAccessible();

    // Closed: the grace period on the page; the API key refused at once.
    web.fill("confirm", org.slug());
    web.submit("Close the organization");
    web.waitForPath(page);
    assertThat(web.notice()).contains("is closed: its sending and API access have stopped. You can reopen it until");
    String closed = web.visible(By.id("closed")).getText();
    assertThat(closed).contains("This organization is closed").contains("queued mail are held").contains("deleted for good");
    Instant purgeAfter = jdbc.sql("select purge_after from organization where id = ?").param(org.id()).query(Instant.class).single();
    assertThat(closed).contains(dev.herald.platform.Dates.time(purgeAfter));
    assertThat(apiStatus(api, org.apiKey())).isIn(401, 403);
    assertAccessible();

    // Reopened: back to the overview, the API answers again.
    web.submit("Reopen the organization");
    web.waitForPath("/o/" + org.slug());
    assertThat(web.notice()).contains("is open again");
    assertThat(apiStatus(api, org.apiKey())).isEqualTo(200);

    // Deleting one's own account: a wrong password beside its field, then the last-owner refusal.
    web.open("/account");
    fillId("deletePassword", "not the password");
    web.submit("Delete my account");
    assertThat(web.visible(By.id("deletePassword-error")).getText()).isEqualTo("Your password is not correct; nothing was deleted.");
    fillId("deletePassword", TestOrganizations.PASSWORD);
    web.submit("Delete my account");
    assertThat(web.visible(By.id("account-error")).getText()).startsWith("You are the last owner of Privacy Browser Closure");
    assertAccessible();

    // Another member deletes theirs: signed out, and cannot sign in again.
    browser.manage().deleteAllCookies();
    web.signedIn("viewer@privacy-browser-closure.test", TestOrganizations.PASSWORD);
    web.open("/account");
    fillId("deletePassword", TestOrganizations.PASSWORD);
    web.submit("Delete my account");
    web.waitForPath("/login");
    assertThat(web.notice()).isEqualTo("Your account is deleted.");
    assertThat(web.consoleErrors()).isEmpty();
    web.signIn("viewer@privacy-browser-closure.test", TestOrganizations.PASSWORD);
    web.waitForPath("/login");
    assertThat(web.visible(By.id("login-error")).getText()).isNotBlank();
  }

  // ---- 4. self-service on the public origin -----------------------------------------------------------------------

  @Test
  void a_person_asks_on_the_hosted_page_and_confirms_from_the_mailed_link() {
    TestOrganizations.Created org = organizations.create("Privacy Browser Self", "privacy");
    subscribers.upsert(org.id(), new Subscribers.Input("known@example.com", "Known", null, null), "test");
    String form = "/p/privacy/o/" + org.slug();

    // A malformed address is refused beside its field (that says nothing about the organization's data).
    web.open(form);
    assertAccessible();
    web.fill("email", "not-an-address");
    browser.findElement(By.cssSelector("label[for='type-access']")).click();
    web.submit("Send me the link");
    assertThat(web.visible(By.id("email-error")).getText()).isNotBlank();
    assertAccessible();
    web.consoleErrors(); // the refused form's 422, which the console reports as a failed load

    String known = ask(form, "known@example.com");
    String unknown = ask(form, "stranger@example.com");
    assertThat(known.replace("known@example.com", "X")).as("the same answer").isEqualTo(unknown.replace("stranger@example.com", "X"));
    assertThat(known).contains("If known@example.com is your address, we have sent it a link");
    assertAccessible();

    // The link in the mail: a page with a button (mail scanners open links), then the request is received.
    String mail = mailTo("known@example.com");
    assertThat(mailTo("stranger@example.com")).contains("/p/privacy/confirm?token=");
    Matcher link = Pattern.compile("https?://\\S+/p/privacy/confirm\\?token=[A-Za-z0-9_\\-.]+").matcher(mail);
    assertThat(link.find()).as(mail).isTrue();
    web.openLink(link.group());
    assertThat(web.visible(By.id("state-pending")).getText()).startsWith("Confirm that you ask Privacy Browser Self for a copy of your data.");
    assertAccessible();
    web.submit("Confirm my request");
    String received = web.visible(By.id("state-received")).getText();
    assertThat(received).startsWith("Thank you: Privacy Browser Self received your request and will answer by");
    assertAccessible();
    assertThat(jdbc.sql("select count(*) from privacy_request where organization_id = ? and channel = 'self_service'")
        .param(org.id()).query(Integer.class).single()).isEqualTo(1);
    assertThat(web.consoleErrors()).isEmpty();
  }

  // ---- 5. retention ----------------------------------------------------------------------------------------------

  @Test
  void the_operator_changes_a_schedule_and_an_organization_may_only_shorten_it() {
    TestOrganizations.Created org = organizations.create("Privacy Browser Retention", "privacy");
    organizations.asNewOperator("ops@privacy-browser-retention.test");
    web.signedIn("ops@privacy-browser-retention.test", TestOrganizations.PASSWORD);
    web.open("/operator/retention");
    assertAccessible();
    setSchedule("audit log", "nonsense", "Set");
    assertThat(web.visible(By.id("period-error")).getText()).isNotBlank();
    assertAccessible();
    setSchedule("audit log", "6 months", "Set");
    web.waitForPath("/operator/retention");
    assertThat(web.notice()).isEqualTo("The schedule of audit log is now 6 months.");
    assertThat(row("audit log").getText()).contains("6 months");

    browser.manage().deleteAllCookies();
    web.signedIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.open("/o/" + org.slug());
    web.clickNav("Data retention");
    web.waitForPath("/o/" + org.slug() + "/privacy/retention");
    assertThat(row("audit log").getText()).contains("6 months");
    assertAccessible();
    setSchedule("audit log", "1 year", "Shorten");
    assertThat(web.visible(By.id("period-error")).getText())
        .isEqualTo("period for audit log must be less than the installation's 6 months; 1 year was given."
            + " An organization may shorten a schedule, not lengthen it.");
    assertAccessible();
    setSchedule("audit log", "3 months", "Shorten");
    assertThat(web.notice()).isEqualTo("This organization's schedule of audit log is now 3 months.");
    assertThat(row("audit log").findElements(By.tagName("td")).get(3).getText()).isEqualTo("3 months");
    row("audit log").findElement(By.xpath(".//button[normalize-space()=\"Use the installation's\"]")).click();
    web.until(d -> web.notice().startsWith("The installation's schedule of audit log applies again"));
    assertThat(row("audit log").findElements(By.tagName("td")).get(3).getText()).isEqualTo("6 months");
    assertThat(web.consoleErrors()).isEmpty();
  }

  // ---- helpers -----------------------------------------------------------------------------------------------------

  /**
   * The panel's accessibility basics on the page in the browser: one h1, headings in main that skip no level, every
   * field with a label, unique ids, aria references that name elements on the page, buttons with words.
   */
  private void assertAccessible() {
    @SuppressWarnings("unchecked")
    List<String> problems = (List<String>) web.js().executeScript("""
        const problems = [];
        const h1 = document.querySelectorAll('h1').length;
        if (h1 !== 1) problems.push(h1 + ' h1 elements');
        let level = 1;
        for (const h of document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')) {
          const l = Number(h.tagName[1]);
          if (l > level + 1) problems.push('heading ' + h.tagName + ' "' + h.textContent.trim() + '" skips a level');
          level = l;
        }
        const seen = new Set();
        for (const e of document.querySelectorAll('[id]')) {
          if (seen.has(e.id)) problems.push('id "' + e.id + '" used twice');
          seen.add(e.id);
        }
        for (const e of document.querySelectorAll('input, select, textarea')) {
          if (e.type === 'hidden' || e.closest('.hp')) continue;
          const labelled = (e.id && document.querySelector('label[for="' + CSS.escape(e.id) + '"]')) || e.closest('label')
              || e.getAttribute('aria-label') || e.getAttribute('aria-labelledby');
          if (!labelled) problems.push('no label for ' + e.outerHTML.slice(0, 100));
        }
        for (const attr of ['aria-describedby', 'aria-labelledby']) {
          for (const e of document.querySelectorAll('[' + attr + ']')) {
            for (const id of e.getAttribute(attr).split(/\\s+/).filter(s => s)) {
              if (!document.getElementById(id)) problems.push(attr + ' names no element: ' + id + ' on ' + e.outerHTML.slice(0, 80));
            }
          }
        }
        for (const b of document.querySelectorAll('button')) {
          if (!b.textContent.trim() && !b.getAttribute('aria-label')) problems.push('button without words');
        }
        return problems;
        """);
    assertThat(problems).as("accessibility basics of %s", web.currentPath()).isEmpty();
  }

  /** The value of one entry of the request page's details. */
  private String details(String term) {
    return browser.findElement(By.xpath("//dl[@id='request-details']/dt[normalize-space()='" + term + "']/following-sibling::dd[1]"))
        .getText();
  }

  /** A field by its id: the account page has several forms with a password field. */
  private void fillId(String id, String value) {
    WebElement field = web.visible(By.id(id));
    field.clear();
    field.sendKeys(value);
  }

  private String history() {
    return browser.findElement(By.id("history")).getText();
  }

  /** A datetime-local field: typed keys depend on the browser's locale, so the value is set as a date picker would. */
  private void dateTime(String id, Instant at) {
    String value = java.time.LocalDateTime.ofInstant(at, java.time.ZoneOffset.UTC).withSecond(0).withNano(0).toString();
    web.js().executeScript("arguments[0].value = arguments[1]", browser.findElement(By.id(id)), value);
  }

  /** A file the page links to, fetched by the browser itself (its session cookie), as bytes. */
  private byte[] fetch(String path) {
    Object base64 = web.js().executeAsyncScript("""
        const done = arguments[arguments.length - 1];
        fetch(arguments[0]).then(r => r.ok ? r.arrayBuffer() : Promise.reject(r.status))
          .then(b => { let s = ''; for (const x of new Uint8Array(b)) s += String.fromCharCode(x); done(btoa(s)); })
          .catch(e => done('failed: ' + e));
        """, path);
    assertThat((String) base64).as("download of %s", path).doesNotStartWith("failed");
    return Base64.getDecoder().decode((String) base64);
  }

  private static List<String> zipEntries(byte[] zip) throws IOException {
    List<String> names = new ArrayList<>();
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null && names.size() < 1000; e = in.getNextEntry()) names.add(e.getName());
    }
    return names;
  }

  private static byte[] zipEntry(byte[] zip, String name) throws IOException {
    try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
      for (ZipEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        if (e.getName().equals(name)) return in.readAllBytes();
      }
    }
    throw new AssertionError(name + " is not in the archive");
  }

  private int apiStatus(String path, String key) throws Exception {
    try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()) {
      return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(20))
          .header("Authorization", "Bearer " + key).GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
  }

  /** Asks on the hosted page for a copy of one's data; answers the page's text. */
  private String ask(String form, String email) {
    web.open(form);
    web.fill("email", email);
    browser.findElement(By.cssSelector("label[for='type-access']")).click();
    web.submit("Send me the link");
    return web.visible(By.tagName("main")).getText();
  }

  /** The text of the latest system mail to this address in the sandbox mailbox, waiting up to 15 s for it. */
  private String mailTo(String address) {
    return web.until(d -> {
      Optional<String> body = jdbc.sql("select body_text from sandbox_message where lower(recipient) = lower(?) order by id desc limit 1")
          .param(address).query(String.class).optional();
      return body.orElse(null);
    });
  }

  private WebElement row(String category) {
    return web.visible(By.cssSelector("#schedules tr[data-category='" + category + "']"));
  }

  private void setSchedule(String category, String period, String button) {
    WebElement row = row(category);
    WebElement field = row.findElement(By.name("period"));
    field.clear();
    field.sendKeys(period);
    WebElement submit = row.findElement(By.xpath(".//button[normalize-space()='" + button + "']"));
    submit.click();
    web.waitUntilGone(submit);
  }
}
