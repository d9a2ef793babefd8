package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.io.IOException;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The hosted pages in a real browser (headless Chromium), as a visitor without an account: the sign-up form of a
 * public double opt-in list (consent required, shown beside the box), the confirmation mail, the confirmation page
 * whose button (not the link) confirms, the preference centre reached from there (unticking one list, then
 * unsubscribing from all), and no cookie set by any of these pages. Every page names the organization; a used
 * confirmation link says it is confirmed already, an expired one says so and sends a new one; someone who left every
 * list must confirm by mail even on a single opt-in list.
 *
 * <p>Links Herald writes name its configured base URL, not the test server's random port, so the test opens their
 * path and query on the test server.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({TestOrganizations.class})
@DirtiesContext
class SubscriptionFormBrowserTest {
  private static final Pattern CONFIRM_LINK = Pattern.compile("https?://\\S+/p/confirm\\?token=[A-Za-z0-9_.-]+");
  private static final String EMAIL = "rosalind@example.com";
  private static final String NAME = "Rosalind Franklin";

  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired MailingLists lists;
  @Autowired JdbcClient jdbc;
  @Autowired dev.herald.platform.SignedLinks links;

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
  void sign_up_confirm_by_button_then_leave_one_list_and_all_in_the_preference_centre_without_cookies() {
    TestOrganizations.Created org = organizations.create("Form Browser Co", "lists:read");
    MailingLists.MailingList weeklyList = lists.create(org.id(), new MailingLists.ListForm("Weekly News", "Our news, every Monday.",
        "public", "double", null, null, List.of()));
    MailingLists.MailingList offersList = lists.create(org.id(), new MailingLists.ListForm("Offers", "", "public", "single", null, null,
        List.of()));
    long weekly = weeklyList.id();
    long offers = offersList.id();

    // 1. The hosted form of the double opt-in list.
    web.open("/p/subscribe/" + weeklyList.publicId());
    assertThat(browser.getTitle()).isEqualTo("Subscribe to Weekly News · Form Browser Co");
    assertThat(web.heading()).isEqualTo("Subscribe to Weekly News");
    assertThat(browser.findElement(By.cssSelector("main")).getText())
        .contains("Our news, every Monday.", "We will email you a link to confirm your subscription.");
    assertThat(browser.findElement(By.cssSelector("label[for=consent]")).getText())
        .isEqualTo("Yes, send me Weekly News by email from Form Browser Co. I can unsubscribe at any time with the link in every email.");
    assertThat(browser.manage().getCookies()).as("cookies after the form").isEmpty();

    // 2. Without the consent box ticked: refused, the error beside the box, what was typed kept, nothing stored.
    web.fill("email", EMAIL);
    web.fill("name", NAME);
    web.submit("Subscribe");
    WebElement consentError = web.visible(By.id("consent-error"));
    assertThat(consentError.getText()).isEqualTo("Tick the box to say you want to receive these emails.");
    assertThat(consentError.findElement(By.xpath("..")).findElements(By.id("consent"))).as("error and box in one field").hasSize(1);
    WebElement consent = browser.findElement(By.id("consent"));
    assertThat(consent.getDomAttribute("aria-invalid")).isEqualTo("true");
    assertThat(consent.getDomAttribute("aria-describedby")).isEqualTo("consent-error");
    assertThat(consent.isSelected()).isFalse();
    assertThat(browser.findElement(By.id("email")).getDomProperty("value")).isEqualTo(EMAIL);
    assertThat(browser.findElement(By.id("name")).getDomProperty("value")).isEqualTo(NAME);
    assertThat(browser.findElements(By.id("email-error"))).isEmpty();
    assertThat(jdbc.sql("select count(*) from subscriber where email = ?").param(EMAIL).query(Long.class).single()).isZero();

    // 3. With it: the thank-you page asks to confirm by email; the subscription waits, unconfirmed.
    web.tick("consent");
    web.submit("Subscribe");
    assertThat(browser.getTitle()).isEqualTo("Check your inbox · Weekly News");
    assertThat(web.heading()).isEqualTo("Check your inbox");
    assertThat(browser.findElement(By.cssSelector("main [role=status]")).getText()).isEqualTo("If " + EMAIL
        + " can receive our mail and is not on Weekly News yet, we have sent it an email: open it and confirm your subscription.");
    assertThat(status(weekly)).isEqualTo("unconfirmed");

    // 4. The confirmation mail (captured by the sandbox) holds the link.
    ConfirmationMails.settle(jdbc);
    var mail = jdbc.sql("select subject, body_text from sandbox_message where recipient = ? and purpose = 'double_opt_in'").param(EMAIL)
        .query((rs, n) -> List.of(rs.getString(1), rs.getString(2))).single();
    assertThat(mail.get(0)).isEqualTo("Confirm your subscription to Weekly News");
    Matcher link = CONFIRM_LINK.matcher(mail.get(1));
    assertThat(link.find()).as("confirmation link in:\n%s", mail.get(1)).isTrue();

    // 5. Opening the link only shows a button: mail scanners open links, so opening must not confirm.
    web.openLink(link.group());
    assertThat(browser.getTitle()).isEqualTo("Confirm your subscription · Form Browser Co");
    assertThat(brand()).as("the page names the organization, not Herald").isEqualTo("Form Browser Co");
    assertThat(web.heading()).isEqualTo("Confirm your subscription");
    assertThat(browser.findElement(By.cssSelector("main")).getText())
        .contains("Please confirm that you want to receive Weekly News by email from Form Browser Co.");
    assertThat(status(weekly)).as("after opening the link").isEqualTo("unconfirmed");

    // 6. The button confirms; the page links to the preference centre.
    web.submit("Confirm subscription");
    assertThat(browser.getTitle()).isEqualTo("Subscription confirmed · Form Browser Co");
    assertThat(brand()).isEqualTo("Form Browser Co");
    assertThat(web.heading()).isEqualTo("You're subscribed");
    assertThat(browser.findElement(By.cssSelector("main [role=status]")).getText())
        .isEqualTo("Thank you: your subscription to Weekly News is confirmed.");
    assertThat(status(weekly)).isEqualTo("subscribed");
    String preferencesLink = browser.findElement(By.linkText("manage your subscriptions")).getDomAttribute("href");
    assertThat(preferencesLink).contains("/p/preferences?token=");

    // 6b. The used link, opened again, says the subscription is confirmed already (no second "Confirm" button).
    web.openLink(link.group());
    assertThat(web.heading()).isEqualTo("Already confirmed");
    assertThat(browser.findElement(By.cssSelector("main [role=status]")).getText())
        .isEqualTo("Your subscription to Weekly News is confirmed already: there is nothing more to do.");
    assertThat(browser.findElements(By.xpath("//button[normalize-space()='Confirm subscription']"))).isEmpty();

    // 7. The same person signs up for the single opt-in list too: subscribed at once, no mail.
    signUp(offersList);
    assertThat(web.heading()).isEqualTo("Thank you");
    assertThat(browser.findElement(By.cssSelector("main [role=status]")).getText()).isEqualTo(OFFERS_ANSWER);
    assertThat(status(offers)).isEqualTo("subscribed");
    ConfirmationMails.settle(jdbc);
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = ?").param(EMAIL).query(Long.class).single())
        .as("mails to the subscriber").isEqualTo(1);

    // 8. The preference centre, from the confirmation page's link: both lists ticked.
    web.openLink(preferencesLink);
    assertThat(browser.getTitle()).isEqualTo("Your subscriptions · Form Browser Co");
    assertThat(brand()).isEqualTo("Form Browser Co");
    assertThat(web.heading()).isEqualTo("Your subscriptions");
    assertThat(browser.findElement(By.cssSelector("main")).getText())
        .contains("Your subscriptions to the lists of Form Browser Co, for " + EMAIL);
    assertThat(browser.findElement(By.id("name")).getDomProperty("value")).isEqualTo(NAME);
    assertThat(listBox(weekly).isSelected()).isTrue();
    assertThat(listBox(offers).isSelected()).isTrue();
    assertThat(browser.findElement(By.cssSelector("label[for=list-" + weekly + "]")).getText()).isEqualTo("Weekly News");

    // 9. Unticking Weekly News and saving unsubscribes from that list only.
    listBox(weekly).click();
    assertThat(listBox(weekly).isSelected()).isFalse();
    web.submit("Save preferences");
    assertThat(notice()).isEqualTo("Your preferences are saved.");
    assertThat(listBox(weekly).isSelected()).as("Weekly News ticked after saving").isFalse();
    assertThat(listBox(offers).isSelected()).as("Offers ticked after saving").isTrue();
    assertThat(status(weekly)).isEqualTo("unsubscribed");
    assertThat(status(offers)).isEqualTo("subscribed");

    // 10. "Unsubscribe from all" leaves the other list too, and the consent of both is recorded as withdrawn.
    web.submit("Unsubscribe from all");
    assertThat(notice()).isEqualTo("You are unsubscribed from every list.");
    assertThat(listBox(weekly).isSelected()).isFalse();
    assertThat(listBox(offers).isSelected()).isFalse();
    assertThat(status(weekly)).isEqualTo("unsubscribed");
    assertThat(status(offers)).isEqualTo("unsubscribed");
    assertThat(jdbc.sql("""
        select count(*) from consent_record c join subscriber s on s.id = c.subscriber_id
        where s.email = ? and c.withdrawn_at is not null""").param(EMAIL).query(Long.class).single()).isEqualTo(2);

    // 11. Someone (anyone) signs the address up again on the single opt-in list: the same answer as before, but the
    // person left, so only their mailbox can bring them back: the subscription waits and a confirmation mail goes out.
    signUp(offersList);
    assertThat(web.heading()).isEqualTo("Thank you");
    assertThat(browser.findElement(By.cssSelector("main [role=status]")).getText()).isEqualTo(OFFERS_ANSWER);
    assertThat(status(offers)).as("after leaving every list").isEqualTo("unconfirmed");
    ConfirmationMails.settle(jdbc);
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = ? and subject = 'Confirm your subscription to Offers'")
        .param(EMAIL).query(Long.class).single()).isEqualTo(1);

    // 12. An expired confirmation link says so, and its button sends a new one.
    long subscriber = jdbc.sql("select id from subscriber where email = ?").param(EMAIL).query(Long.class).single();
    String expired = links.sign("confirm", java.time.Duration.ofDays(-1), Long.toString(org.id()), Long.toString(subscriber),
        Long.toString(offers));
    web.open("/p/confirm?token=" + expired);
    assertThat(browser.getTitle()).isEqualTo("Link expired · Form Browser Co");
    assertThat(web.heading()).isEqualTo("This link has expired");
    web.submit("Send me a new link");
    assertThat(web.heading()).isEqualTo("Check your inbox");
    ConfirmationMails.settle(jdbc);
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = ? and subject = 'Confirm your subscription to Offers'")
        .param(EMAIL).query(Long.class).single()).isEqualTo(2);
    assertThat(status(offers)).isEqualTo("unconfirmed");

    // 13. None of these pages set a cookie.
    assertThat(browser.manage().getCookies()).as("cookies after the hosted pages").isEmpty();
  }

  private static final String OFFERS_ANSWER = "If " + EMAIL + " can receive our mail, it is on Offers from Form Browser Co. If we need"
      + " you to confirm first (for instance because you unsubscribed before), we have sent you an email: check your inbox.";

  private void signUp(MailingLists.MailingList list) {
    web.open("/p/subscribe/" + list.publicId());
    web.fill("email", EMAIL);
    web.tick("consent");
    web.submit("Subscribe");
  }

  private String brand() {
    return browser.findElement(By.cssSelector("header .brand")).getText();
  }

  private String status(long listId) {
    return jdbc.sql("select x.status from subscription x join subscriber s on s.id = x.subscriber_id where s.email = ? and x.list_id = ?")
        .params(EMAIL, listId).query(String.class).optional().orElse("none");
  }

  private WebElement listBox(long listId) {
    return web.visible(By.id("list-" + listId));
  }

  private String notice() {
    return web.visible(By.cssSelector("main .alert-success[role=status]")).getText();
  }
}
