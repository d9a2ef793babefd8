package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.io.IOException;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.test.annotation.DirtiesContext;

/**
 * The template editor in a real browser (headless Chromium) as the organization's owner: writing in the rich-text
 * editor, switching to HTML (converted at once: nothing is lost), asking for plain text (the warning names what
 * would be lost and nothing changes until confirmed), saving a template with an error (shown with its line, the line
 * marked in the code editor), fixing it, inserting an image from the media library, and the pages at phone width, all without a script or style refused by the
 * Content-Security-Policy.
 */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(TestOrganizations.class)
@DirtiesContext
class TemplatesBrowserTest {
  @LocalServerPort int port;
  @Autowired TestOrganizations organizations;
  @Autowired Templates templates;
  @Autowired MediaLibrary media;

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
  void write_in_rich_text_switch_formats_see_a_template_error_by_its_line_and_fit_a_phone() {
    TestOrganizations.Created org = organizations.create("Template Browser Co", "campaigns:read");
    web.signedIn(org.ownerEmail(), TestOrganizations.PASSWORD);
    web.open("/o/" + org.slug());
    web.clickNav("Templates");
    web.waitForPath("/o/" + org.slug() + "/templates");
    browser.findElement(By.linkText("New campaign template")).click();
    web.waitForPath("/o/" + org.slug() + "/templates/new");
    web.fill("name", "Spring letter");

    // 1. Rich text: the starter HTML goes into Quill; write a bold greeting above the body.
    new Select(browser.findElement(By.id("template-format"))).selectByValue("richtext");
    WebElement editor = web.visible(By.cssSelector("#richtext-editor .ql-editor"));
    editor.click();
    web.js().executeScript("const q = Quill.find(document.getElementById('richtext-editor')); q.setSelection(0, 0);");
    browser.findElement(By.cssSelector(".ql-toolbar .ql-bold")).click();
    editor.sendKeys("Hello {{ subscriber.name }}");
    assertThat(editor.findElement(By.tagName("strong")).getText()).isEqualTo("Hello {{ subscriber.name }}");

    // 2. To HTML: nothing is lost, so it switches at once; CodeMirror shows the HTML.
    new Select(browser.findElement(By.id("template-format"))).selectByValue("html");
    web.visible(By.cssSelector(".CodeMirror"));
    String html = codeMirrorValue();
    assertThat(html).contains("<strong>Hello {{ subscriber.name }}</strong>", "{{ content }}", "{{ unsubscribe_url }}");
    assertThat(browser.findElement(By.id("format-warning")).isDisplayed()).isFalse();

    // 3. To plain text: the warning says what is lost; keeping HTML leaves everything as it was.
    new Select(browser.findElement(By.id("template-format"))).selectByValue("text");
    String warning = web.visible(By.id("format-warning-text")).getText();
    assertThat(warning).contains("formatting is lost", "<strong>");
    assertThat(new Select(browser.findElement(By.id("template-format"))).getFirstSelectedOption().getDomProperty("value")).isEqualTo("html");
    browser.findElement(By.id("format-cancel")).click();
    assertThat(browser.findElement(By.id("format-warning")).isDisplayed()).isFalse();
    assertThat(codeMirrorValue()).isEqualTo(html);
    assertThat(web.consoleErrors()).as("Quill, CodeMirror and the editor's script under the CSP").isEmpty();

    // 4. An unknown tag on line 3: refused with its line, shown beside the editor, the line marked.
    setCodeMirrorValue("<p>Hi</p>\n{{ content }}\n<p>{% bogus %}</p>\n");
    web.submit("Save");
    String error = web.visible(By.id("template-source-error")).getText();
    assertThat(error).startsWith("Line 3, column");
    assertThat(browser.findElements(By.cssSelector(".CodeMirror .editor-error-line"))).hasSize(1);
    assertThat(browser.findElement(By.cssSelector(".CodeMirror .editor-error-line")).getText()).contains("bogus");
    assertThat(templates.list(org.id(), TemplateKind.CAMPAIGN)).isEmpty();

    // 5. Fixed: saved, and the editor opens it again in HTML.
    setCodeMirrorValue("<p>Hi</p>\n{{ content }}\n");
    web.submit("Save");
    web.waitForPathMatching(Pattern.compile("/o/" + org.slug() + "/templates/\\d+"));
    assertThat(web.notice()).isEqualTo("Campaign template Spring letter saved.");
    Templates.Template saved = templates.list(org.id(), TemplateKind.CAMPAIGN).getFirst();
    assertThat(saved.format()).isEqualTo(ContentFormat.HTML);
    assertThat(saved.source()).isEqualTo("<p>Hi</p>\n{{ content }}\n");

    // 6. Insert image: the picker lists the media library; a choice goes into the HTML at the cursor.
    MediaLibrary.Item logo = media.add(org.id(), "logo.png", MediaImages.image("png", 30, 20, java.awt.Color.GREEN)).item();
    web.js().executeScript("const cm = document.querySelector('.CodeMirror').CodeMirror; cm.focus(); cm.setCursor({line: 0, ch: 0});");
    browser.findElement(By.id("insert-image")).click();
    web.visible(By.cssSelector("#image-picker-list .image-choice")).click();
    assertThat(codeMirrorValue()).startsWith("<img src=\"" + logo.url() + "\" alt=\"logo.png\"><p>Hi</p>");
    assertThat(browser.findElement(By.id("image-picker")).isDisplayed()).isFalse();

    // 7. Phone width: the editor and the list fit 390px without scrolling sideways.
    browser.manage().window().setSize(new Dimension(390, 844));
    for (String page : new String[] {"/o/" + org.slug() + "/templates/" + saved.id(), "/o/" + org.slug() + "/templates",
        "/o/" + org.slug() + "/template-categories"}) {
      web.open(page);
      long inner = ((Number) web.js().executeScript("return window.innerWidth")).longValue();
      long scroll = ((Number) web.js().executeScript("return document.documentElement.scrollWidth")).longValue();
      assertThat(scroll).as("width of %s at %dpx", page, inner).isLessThanOrEqualTo(inner);
    }
    // the refused save answered 422 (the page says why); the image's thumbnail is on the public origin, which the
    // test server does not answer under that name
    assertThat(web.consoleErrors()).filteredOn(e -> !e.contains("status of 422") && !e.contains("/m/")).isEmpty();
  }

  private String codeMirrorValue() {
    return (String) web.js().executeScript("return document.querySelector('.CodeMirror').CodeMirror.getValue()");
  }

  private void setCodeMirrorValue(String value) {
    web.js().executeScript("document.querySelector('.CodeMirror').CodeMirror.setValue(arguments[0])", value);
  }
}
