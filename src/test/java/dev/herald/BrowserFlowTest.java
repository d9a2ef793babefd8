package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.testsupport.Browser;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The control panel in a real browser (headless Chromium): first-start setup, sign-out and sign-in,
 * inviting a teammate as viewer, accepting the invitation from the sandbox mailbox, and what the
 * viewer's role lets them see, ending with a phone-sized layout check.
 *
 * <p>The context is closed right after the class (while the test PostgreSQL server still runs) rather than
 * by a JVM shutdown hook racing the test database's own shutdown hook.
 */
@Tag("browser")
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@DirtiesContext
class BrowserFlowTest {
  private static final Pattern SETUP_LINK = Pattern.compile("/setup\\?token=[A-Za-z0-9_-]{43}");
  private static final Pattern INVITATION_LINK = Pattern.compile("/invitations/accept\\?token=[A-Za-z0-9_-]+");
  private static final Pattern ORG_PATH = Pattern.compile("^/o/([a-z0-9-]+)$");

  private static final String OPERATOR_EMAIL = "ops@example.com";
  private static final String OPERATOR_PASSWORD = "a long enough passphrase";
  private static final String TEAMMATE_EMAIL = "viewer@example.com";
  private static final String TEAMMATE_PASSWORD = "another long passphrase";

  @LocalServerPort int port;

  private Browser web;
  private WebDriver browser;
  private WebDriverWait wait;

  @BeforeEach
  void startBrowser() throws IOException {
    web = Browser.start(port);
    browser = web.driver();
    wait = web.waiting();
  }

  @AfterEach
  void stopBrowser() {
    if (web != null) web.close();
  }

  @Test
  void setup_sign_in_invite_accept_and_the_viewer_role_limits_what_the_teammate_sees(CapturedOutput output) {
    // 1. First start: the one-time setup link is printed in the log.
    Matcher setupLink = SETUP_LINK.matcher(output.getAll());
    assertThat(setupLink.find()).as("setup link in the log").isTrue();

    // 2. Setup creates the operator and a first organization, and signs the operator in.
    open(setupLink.group());
    assertThat(browser.getTitle()).isEqualTo("Set up Herald");
    fill("displayName", "Olivia Operator");
    fill("email", OPERATOR_EMAIL);
    fill("password", OPERATOR_PASSWORD);
    tick("ageConfirmed");
    tick("termsAccepted");
    fill("organizationName", "Example Corp");
    submit("Create operator account");
    waitForPath("/dashboard");
    assertThat(heading()).isEqualTo("Your organizations");
    assertThat(navLinks()).contains("Operator", "Account");

    signOut();
    signIn(OPERATOR_EMAIL, OPERATOR_PASSWORD);
    waitForPath("/dashboard");
    assertThat(navLinks()).contains("Operator");

    // 3. Open the organization, then invite a teammate as viewer on its Members page.
    browser.findElement(By.cssSelector("main a.card-title")).click();
    String orgPath = waitForPathMatching(ORG_PATH);
    clickNav("Members");
    waitForPath(orgPath + "/members");
    fill("email", TEAMMATE_EMAIL);
    new Select(browser.findElement(By.id("invite-role"))).selectByValue("viewer");
    submit("Send invitation");
    assertThat(notice()).isEqualTo("Invitation sent to " + TEAMMATE_EMAIL + ".");
    assertThat(browser.findElement(By.cssSelector("section[aria-labelledby='invitations-heading']")).getText())
        .contains(TEAMMATE_EMAIL, "viewer");

    // The segment list is drawn without counts; each row then fetches its own (htmx, on load).
    clickNav("Segments");
    waitForPath(orgPath + "/segments");
    fill("name", "Everyone");
    submit("Create and add conditions");
    clickNav("Segments");
    waitForPath(orgPath + "/segments");
    wait.until(ExpectedConditions.textToBe(By.cssSelector("td.num > span"), "0"));

    // 4. The invitation mail lands in the operator's sandbox mailbox.
    open("/operator/sandbox-mailbox");
    WebElement mail = wait.until(ExpectedConditions.visibilityOfElementLocated(By.cssSelector("article.message")));
    assertThat(mail.getText()).contains(TEAMMATE_EMAIL, "You are invited to Example Corp on Herald");
    Matcher invitationLink = INVITATION_LINK.matcher(mail.findElement(By.cssSelector("pre.mail-body")).getText());
    assertThat(invitationLink.find()).as("invitation link in the mail").isTrue();

    // 5. Signed out, the teammate opens the link, creates an account and joins.
    signOut();
    open(invitationLink.group());
    assertThat(browser.findElement(By.cssSelector("main .lead")).getText())
        .isEqualTo("You are invited to join Example Corp as viewer.");
    assertThat(browser.findElement(By.name("email")).getDomProperty("value")).isEqualTo(TEAMMATE_EMAIL);
    fill("displayName", "Vera Viewer");
    fill("password", TEAMMATE_PASSWORD);
    tick("ageConfirmed");
    tick("termsAccepted");
    submit("Create account and join");
    waitForPath(orgPath);

    // 6. The viewer sees members, but neither API keys nor the audit log, and cannot invite.
    assertThat(navLinks()).contains("Overview", "Members", "Account").doesNotContain("API keys", "Audit log", "Operator");
    clickNav("Members");
    waitForPath(orgPath + "/members");
    assertThat(browser.findElement(By.cssSelector("table.members")).getText())
        .contains("Olivia Operator", "Vera Viewer", TEAMMATE_EMAIL);
    assertThat(browser.findElements(By.id("invite-heading"))).as("invite form for a viewer").isEmpty();
    assertThat(browser.findElements(By.id("invite-email"))).isEmpty();
    assertThat(browser.findElements(By.cssSelector("select[name=role]"))).as("role changes for a viewer").isEmpty();

    // Typing the addresses is refused too (403): no API keys page, no form to create a key, no audit log.
    open(orgPath + "/api-keys");
    assertThat(browser.getTitle()).isNotEqualTo("API keys · Herald");
    assertThat(browser.findElements(By.id("key-name"))).as("API key form for a viewer").isEmpty();
    assertThat(bodyText()).doesNotContain("Create an API key").containsAnyOf("403", "Forbidden");
    open(orgPath + "/audit");
    assertThat(browser.getTitle()).doesNotContain("Audit");
    assertThat(bodyText()).containsAnyOf("403", "Forbidden");

    // 7. Phone-sized: the Members page fits a 375px wide screen without scrolling sideways.
    browser.manage().window().setSize(new Dimension(375, 800));
    open(orgPath + "/members");
    assertThat(innerWidth()).as("viewport width").isLessThanOrEqualTo(375);
    assertThat(scrollWidth()).as("page width at %dpx", innerWidth()).isLessThanOrEqualTo(innerWidth());
  }

  // ---- helpers (the common ones are Browser's) ------------------------------------------------

  private void open(String pathAndQuery) {
    web.open(pathAndQuery);
  }

  private void fill(String name, String value) {
    web.fill(name, value);
  }

  private void tick(String name) {
    web.tick(name);
  }

  private void submit(String buttonText) {
    web.submit(buttonText);
  }

  private void clickNav(String text) {
    web.clickNav(text);
  }

  private void signIn(String email, String password) {
    web.signIn(email, password);
  }

  private void signOut() {
    WebElement button = wait.until(ExpectedConditions.elementToBeClickable(
        By.xpath("//header//form[contains(@action,'/logout')]/button[normalize-space()='Sign out']")));
    button.click();
    waitForPath("/login");
    assertThat(browser.findElement(By.cssSelector("main .alert-success")).getText()).isEqualTo("You are signed out.");
    assertThat(navLinks()).contains("Sign in").doesNotContain("Account");
  }

  private void waitForPath(String path) {
    web.waitForPath(path);
  }

  private String waitForPathMatching(Pattern pattern) {
    return web.waitForPathMatching(pattern);
  }

  private String bodyText() {
    return web.bodyText();
  }

  private String heading() {
    return web.heading();
  }

  private String notice() {
    return web.notice();
  }

  private List<String> navLinks() {
    return web.navLinks();
  }

  private long scrollWidth() {
    return ((Number) js().executeScript("return document.documentElement.scrollWidth")).longValue();
  }

  private long innerWidth() {
    return ((Number) js().executeScript("return window.innerWidth")).longValue();
  }

  private JavascriptExecutor js() {
    return web.js();
  }
}
