package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import dev.herald.testsupport.Browser;
import dev.herald.testsupport.WebClient;
import org.openqa.selenium.By;
import java.util.Map;

/** A refused page is a page a person can read, in the panel's frame, not raw JSON. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(Fixtures.class)
class ErrorPagesTest {
  @LocalServerPort int port;
  @Autowired Fixtures fixtures;

  @Test
  void a_viewer_opening_api_keys_gets_a_readable_403_page() {
    HeraldUser owner = fixtures.person("owner@errors.test");
    Organizations.Organization org = fixtures.organization("Errors Co", owner);
    fixtures.member(org, "viewer@errors.test", Role.viewer);
    WebClient web = new WebClient(port);
    web.submit("/login", "/login", Map.of("email", "viewer@errors.test", "password", Fixtures.PASSWORD));
    WebClient.Page page = web.getHtml("/o/" + org.slug() + "/api-keys");
    assertThat(page.status()).isEqualTo(403);
    assertThat(page.body()).contains("403 · Not allowed").contains("Errors Co");
  }

  @Test
  void a_400_or_422_page_says_what_is_wrong_not_something_went_wrong_on_our_side() {
    HeraldUser owner = fixtures.person("owner@wording.test");
    Organizations.Organization org = fixtures.organization("Wording Co", owner);
    WebClient web = new WebClient(port);
    web.submit("/login", "/login", Map.of("email", "owner@wording.test", "password", Fixtures.PASSWORD));
    WebClient.Page badId = web.getHtml("/o/" + org.slug() + "/subscribers/abc");
    assertThat(badId.status()).isEqualTo(400);
    assertThat(badId.body()).contains("400 · Bad request").doesNotContain("on our side");
    WebClient.Page badFormat = web.getHtml("/o/" + org.slug() + "/subscribers/export?format=zzz");
    assertThat(badFormat.status()).isEqualTo(422);
    assertThat(badFormat.body()).contains("422 · Cannot do this").doesNotContain("on our side");
    WebClient.Page unknown = web.getHtml("/o/" + org.slug() + "/nothing");
    assertThat(unknown.status()).as("a member learns there is nothing here").isEqualTo(404);
    assertThat(unknown.body()).contains("404 · Not found");
  }

  /** Regression (issue 9's trial): every 422 page gave "an export format it does not know" as its example. */
  @Test
  void a_422_page_names_what_was_refused_not_always_an_export_format() {
    HeraldUser owner = fixtures.person("owner@refused-value.test");
    Organizations.Organization org = fixtures.organization("Refused Value Co", owner);
    WebClient web = new WebClient(port);
    web.submit("/login", "/login", Map.of("email", "owner@refused-value.test", "password", Fixtures.PASSWORD));
    WebClient.Page badStatus = web.getHtml("/o/" + org.slug() + "/subscribers?status=bogus");
    assertThat(badStatus.status()).isEqualTo(422);
    assertThat(badStatus.body()).contains("422 · Cannot do this", "<p id=\"refused-value\" class=\"wrap\">status is one of")
        .doesNotContain("export format");
  }

  /** Regression (issue 9's trial): a form sent with a stale token got "You do not have permission ... in this organization". */
  @Test
  void a_form_sent_with_an_expired_token_says_the_form_expired_not_that_permission_is_missing() throws Exception {
    WebClient web = new WebClient(port);
    WebClient.Page stale = web.post("/login", Map.of("email", "someone@expired.test", "password", "x", "_csrf", "stale"));
    assertThat(stale.status()).isEqualTo(403);
    assertThat(stale.body()).contains("403 · This form has expired").doesNotContain("Ask an owner");

    try (Browser browser = Browser.start(port)) {
      browser.open("/login");
      browser.driver().manage().deleteAllCookies(); // the session, and with it the form's token, is gone
      browser.fill("email", "someone@expired.test");
      browser.fill("password", "whatever it was");
      browser.submit("Sign in");
      assertThat(browser.heading()).isEqualTo("403 · This form has expired");
      assertThat(browser.bodyText()).contains("reload the page").doesNotContain("Ask an owner");
    }
  }

  @Test
  void in_a_browser_the_error_pages_say_what_is_wrong_and_the_api_docs_open() throws Exception {
    HeraldUser owner = fixtures.person("owner@browser-errors.test");
    Organizations.Organization org = fixtures.organization("Browser Errors Co", owner);
    try (Browser browser = Browser.start(port)) {
      browser.signIn("owner@browser-errors.test", Fixtures.PASSWORD);
      browser.waitForPathMatching(java.util.regex.Pattern.compile("/(dashboard|o/.*)"));
      browser.open("/o/" + org.slug() + "/subscribers/abc");
      assertThat(browser.heading()).isEqualTo("400 · Bad request");
      assertThat(browser.bodyText()).doesNotContain("on our side");
      browser.open("/o/" + org.slug() + "/subscribers/export?format=zzz");
      assertThat(browser.heading()).isEqualTo("422 · Cannot do this");
      browser.open("/o/" + org.slug() + "/nothing");
      assertThat(browser.heading()).isEqualTo("404 · Not found");
      // The footer's link: Swagger UI draws the document (its scripts and styles pass the CSP).
      browser.open("/api/docs");
      String title = browser.visible(By.cssSelector(".information-container .title")).getText();
      assertThat(title).contains("Herald API");
      assertThat(browser.driver().findElements(By.cssSelector(".opblock")).size()).isGreaterThan(10);
    }
  }
}
