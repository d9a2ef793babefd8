package dev.herald.campaigns;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.Consent;
import dev.herald.audiences.MailingLists;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.content.MediaLibrary;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import dev.herald.testsupport.SmtpSink;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
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
import org.openqa.selenium.support.ui.WebDriverWait;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A campaign from first word to last delivery in a real browser (headless Chromium), as the owner: written in the form
 * (the body typed in the rich-text editor, an image inserted from the media library),
 * previewed as a subscriber found by email (the HTML in a sandboxed frame, the text beside it), sent as a test, started,
 * watched on its live page until it finished, delivered over the static route to smtp-sink; a duplicate with a template
 * error shows the error's line instead of the frame; every page fits a 390 px phone.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static"})
@Import(TestOrganizations.class)
@DirtiesContext
class CampaignsBrowserTest {
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired MailingLists lists;
  @Autowired Subscribers subscribers;
  @Autowired JdbcClient jdbc;
  @Autowired MediaLibrary media;

  private Browser web;
  private WebDriver browser;

  @BeforeEach
  void startBrowser() throws Exception {
    web = Browser.start(port);
    browser = web.driver();
  }

  @AfterEach
  void stopBrowser() {
    if (web != null) web.close();
  }

  @Test
  void write_preview_test_send_schedule_and_watch_a_campaign_finish() throws Exception {
    TestOrganizations.Created org = organizations.create("Campaign Browser Co", "campaigns:read");
    new TestSendingDomains(sendingDomains, jdbc).verified(org.id(), "mail.campaign.example");
    long list = lists.create(org.id(), new MailingLists.ListForm("Weekly", "", null, "single", null, null, List.of())).id();
    for (String[] person : List.of(new String[] {"ann@one.example", "Ann"}, new String[] {"bob@two.example", "Bob"})) {
      long id = subscribers.upsert(org.id(), new Subscribers.Input(person[0], person[1], Map.of(), List.of()), "test");
      subscribers.subscribe(org.id(), id, list, SubscriptionStatus.SUBSCRIBED, Consent.Evidence.panel(org.ownerEmail(), "test", "127.0.0.1"));
    }
    String slug = org.slug();

    MediaLibrary.Item logo = media.add(org.id(), "logo.png", png()).item();

    web.signedIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.open("/o/" + slug);

    // 1. Write it.
    web.clickNav("Campaigns");
    web.waitForPath("/o/" + slug + "/campaigns");
    browser.findElement(By.id("new-campaign")).click();
    web.waitForPath("/o/" + slug + "/campaigns/new");
    web.fill("name", "Spring news");
    web.fill("subject", "Hello {{ subscriber.name }}");
    web.fill("fromLocal", "news");
    new Select(browser.findElement(By.id("c-from-domain"))).selectByVisibleText("mail.campaign.example");
    // The body in the rich-text editor, with an image from the media library after the words.
    WebElement rich = web.visible(By.cssSelector("#richtext-editor .ql-editor"));
    rich.click();
    rich.sendKeys("Dear {{ subscriber.name | default: 'friend' }}, spring is here.");
    browser.findElement(By.id("insert-image")).click();
    web.visible(By.cssSelector("#image-picker-list .image-choice")).click();
    assertThat(browser.findElement(By.id("image-picker")).isDisplayed()).isFalse();
    String body = (String) web.js().executeScript("return document.getElementById('template-source').value");
    assertThat(body).isEqualTo("<p>Dear {{ subscriber.name | default: 'friend' }}, spring is here.<img src=\"" + logo.url() + "\" alt=\"logo.png\"></p>");
    assertThat(web.visible(By.id("audience-estimate")).getText()).startsWith("Nobody yet");
    browser.findElement(By.xpath("//fieldset[legend='Send to lists']//label[normalize-space()='Weekly']/input")).click();
    // the audience's size, asked again on every tick: both subscribers
    web.until(d -> text(d, By.id("audience-estimate")).equals("2 people would get it if it started now."));
    web.submit("Save campaign");
    String page = web.waitForPathMatching(Pattern.compile("/o/" + slug + "/campaigns/\\d+"));
    assertThat(web.notice()).isEqualTo("Campaign saved as a draft.");
    assertThat(web.visible(By.id("campaign-state")).getText()).isEqualTo("Draft");
    assertThat(web.visible(By.id("campaign-audience")).getText()).contains("Weekly");
    // a draft has no progress to show (a card of zeros said nothing): the counts appear once it started
    assertThat(web.visible(By.id("progress-heading")).getText()).isEqualTo("Not started");
    assertThat(browser.findElements(By.cssSelector("#campaign-progress, #count-total, #count-handed, #delivery-states"))).isEmpty();

    // 2. Preview as Ann, found by her address: the HTML in the sandboxed frame, the text part beside it.
    browser.findElement(By.linkText("Preview and test")).click();
    web.waitForPath(page + "/preview");
    web.fill("q", "ann@one");
    web.submit("Find");
    browser.findElement(By.linkText("ann@one.example")).click();
    web.until(d -> d.findElement(By.id("preview-person")).getText().equals("ann@one.example"));
    assertThat(web.visible(By.id("preview-subject")).getText()).isEqualTo("Hello Ann");
    assertThat(web.visible(By.id("preview-text")).getText()).contains("Dear Ann, spring is here.");
    WebElement frame = web.visible(By.id("preview-frame"));
    assertThat(frame.getDomAttribute("sandbox")).isEmpty();
    browser.switchTo().frame(frame);
    String framed = web.until(d -> d.findElement(By.tagName("body")).getText());
    assertThat(framed).contains("Dear Ann, spring is here.");
    assertThat(browser.findElement(By.tagName("img")).getDomAttribute("src")).isEqualTo(logo.url());
    browser.switchTo().defaultContent();

    // 3. A test: a bad address is named beside the field, then it goes out through the queue to the sink, marked.
    web.fill("to", "cat@three.example, nobody@");
    web.submit("Send test");
    assertThat(web.visible(By.id("test-to-error")).getText()).contains("nobody@");
    web.fill("to", "cat@three.example");
    web.submit("Send test");
    assertThat(web.notice()).isEqualTo("Test sent to cat@three.example.");
    assertThat(messageTo("cat@three.example")).contains("Subject: [Test] Hello Ann");

    // 4. Start it and watch it send and finish on the live page.
    web.open(page);
    web.submit("Schedule");
    assertThat(web.notice()).isEqualTo("The campaign starts now.");
    // Started by the scheduler, handed off, delivered and found finished by the campaign's job: a longer bound than a click's.
    new WebDriverWait(browser, Duration.ofSeconds(90)).until(d -> text(d, By.id("live-state")).equals("Finished"));
    // the page was loaded again when the state changed: its heading and controls are the finished campaign's
    web.until(d -> text(d, By.id("campaign-state")).equals("Finished"));
    assertThat(browser.findElements(By.id("unschedule-campaign"))).isEmpty();
    assertThat(web.visible(By.id("progress-heading")).getText()).isEqualTo("Progress");
    assertThat(web.visible(By.id("count-total")).getText()).isEqualTo("2");
    assertThat(web.visible(By.id("campaign-percent")).getText()).isEqualTo("100 %");
    assertThat(messageTo("ann@one.example")).contains("Subject: Hello Ann");
    assertThat(messageTo("bob@two.example")).contains("Subject: Hello Bob");
    web.open(page);
    assertThat(web.visible(By.id("recipient-table")).getText()).contains("ann@one.example Delivered", "bob@two.example Delivered");

    // 5. A duplicate with a template error: the preview names its line instead of drawing a frame.
    browser.findElement(By.id("duplicate-campaign")).click();
    String copy = web.waitForPathMatching(Pattern.compile("/o/" + slug + "/campaigns/\\d+/edit"));
    // To Markdown (it keeps paragraphs and images: no warning); the picker writes Markdown's image at the cursor.
    Select format = new Select(browser.findElement(By.id("template-format")));
    format.selectByValue("markdown");
    web.visible(By.cssSelector(".CodeMirror"));
    assertThat(browser.findElement(By.id("format-warning")).isDisplayed()).isFalse();
    assertThat(codeMirrorValue()).contains("Dear {{ subscriber.name", "![logo.png](" + logo.url() + ")");
    web.js().executeScript("const cm = document.querySelector('.CodeMirror').CodeMirror; cm.focus(); cm.setCursor({line: 0, ch: 0});");
    browser.findElement(By.id("insert-image")).click();
    web.visible(By.cssSelector("#image-picker-list .image-choice")).click();
    assertThat(codeMirrorValue()).startsWith("![logo.png](" + logo.url() + ")Dear");
    // To plain text the images would be lost: the warning says so, and keeping Markdown changes nothing.
    format.selectByValue("text");
    assertThat(web.visible(By.id("format-warning-text")).getText()).contains("formatting is lost", "<img>");
    browser.findElement(By.id("format-cancel")).click();
    assertThat(format.getFirstSelectedOption().getDomProperty("value")).isEqualTo("markdown");
    // To HTML, then the error written in the code editor.
    format.selectByValue("html");
    web.until(d -> codeMirrorValue().startsWith("<p><img"));
    assertThat(browser.findElement(By.id("format-warning")).isDisplayed()).isFalse();
    web.js().executeScript("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])", "<p>Dear friend,</p>\n<p>{% if %}</p>");
    web.submit("Save campaign");
    String copyPage = web.waitForPathMatching(Pattern.compile("/o/" + slug + "/campaigns/\\d+"));
    web.open(copyPage + "/preview");
    assertThat(web.visible(By.id("preview-error-place")).getText()).startsWith("In the body, line 2, column");
    assertThat(browser.findElements(By.id("preview-frame"))).isEmpty();

    // 6. Phone width: each page fits a 390 px screen without scrolling sideways.
    browser.manage().window().setSize(new Dimension(390, 844));
    for (String path : List.of("/o/" + slug + "/campaigns", "/o/" + slug + "/campaigns/new", page, page + "/preview?subscriber="
        + subscriberId(org.id(), "ann@one.example"), copy, copyPage + "/preview")) {
      web.open(path);
      long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
      long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
      assertThat(scroll).as("width of %s at %dpx", path, inner).isLessThanOrEqualTo(inner);
    }
    // 7. The copy is not wanted after all: deleted from its page.
    browser.manage().window().setSize(new Dimension(1280, 900));
    web.open(copyPage);
    browser.findElement(By.xpath("//button[normalize-space()='Delete this campaign']")).click();
    web.waitForPath("/o/" + slug + "/campaigns");
    assertThat(web.notice()).startsWith("Campaign Copy of Spring news deleted");
    // the image is on the public origin, which the test server does not answer under that name
    assertThat(web.consoleErrors()).filteredOn(e -> !e.contains("/m/")).isEmpty();
  }

  private String codeMirrorValue() {
    return (String) web.js().executeScript("return document.querySelector('.CodeMirror').CodeMirror.getValue()");
  }

  private static byte[] png() throws Exception {
    var out = new java.io.ByteArrayOutputStream();
    javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(30, 20, java.awt.image.BufferedImage.TYPE_INT_RGB), "png", out);
    return out.toByteArray();
  }

  private static String text(WebDriver d, By by) {
    try {
      List<WebElement> found = d.findElements(by);
      return found.isEmpty() ? "" : found.getFirst().getText();
    } catch (StaleElementReferenceException e) {
      return "";
    }
  }

  private long subscriberId(long orgId, String email) {
    return subscribers.findByEmail(orgId, email).orElseThrow().id();
  }

  /** The one message the sink took for this recipient, waiting for it within the browser's bound. */
  private String messageTo(String recipient) {
    return web.until(d -> {
      try {
        List<String> sent = sink.sentTo(recipient);
        return sent.isEmpty() ? null : sent.getFirst();
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
  }
}
