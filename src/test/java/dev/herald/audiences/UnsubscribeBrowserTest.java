package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.Browser;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/** A campaign's unsubscribe link in a browser, on a 390 px phone: the page asks, the button unsubscribes, no cookie. */
@Tag("browser")
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({AudienceFixtures.class, TestOrganizations.class})
class UnsubscribeBrowserTest {
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired Unsubscribes unsubscribes;
  @Autowired Subscribers subscribers;

  @Test
  void the_page_asks_and_its_button_unsubscribes_on_a_phone() throws Exception {
    long org = fixtures.organization("Phone Unsub Co").id();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Daily Digest', 'single') returning id").param(org)
        .query(Long.class).single();
    long subscriber = subscribers.addToLists(org, new Subscribers.Input("phone@example.com", null, null, null), List.of(list),
        SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
    URI link = URI.create(unsubscribes.link(org, subscriber, list, 3, Instant.now()));
    try (Browser web = Browser.start(port)) {
      web.driver().manage().window().setSize(new Dimension(390, 844));
      web.open(link.getRawPath() + "?" + link.getRawQuery());
      assertThat(web.driver().getTitle()).isEqualTo("Unsubscribe · Phone Unsub Co");
      assertThat(web.bodyText()).contains("Stop receiving Daily Digest from Phone Unsub Co?");
      assertThat(status(subscriber, list)).as("opening the page changes nothing (mail scanners open links)").isEqualTo("subscribed");
      var button = web.button("Unsubscribe");
      assertThat(button.getLocation().getX() + button.getSize().getWidth()).as("the button fits the phone").isLessThanOrEqualTo(390);
      Object scrollWidth = ((org.openqa.selenium.JavascriptExecutor) web.driver()).executeScript("return document.documentElement.scrollWidth");
      assertThat(((Number) scrollWidth).intValue()).as("no sideways scrolling").isLessThanOrEqualTo(390);
      web.submit("Unsubscribe");
      web.until(d -> d.findElement(By.cssSelector("h1")).getText().equals("You're unsubscribed"));
      assertThat(web.bodyText()).contains("You will no longer receive Daily Digest.");
      assertThat(web.driver().manage().getCookies()).isEmpty();
    }
    assertThat(status(subscriber, list)).isEqualTo("unsubscribed");
  }

  /**
   * RFC 8058: the mail client's one-click POST (no cookie, no CSRF token) unsubscribes at once; the link opened in the
   * browser afterwards says so and offers no button.
   */
  @Test
  void a_one_click_post_unsubscribes_at_once_and_the_page_then_says_so() throws Exception {
    long org = fixtures.organization("One Click Co").id();
    long list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Offers', 'single') returning id").param(org)
        .query(Long.class).single();
    long subscriber = subscribers.addToLists(org, new Subscribers.Input("oneclick@example.com", null, null, null), List.of(list),
        SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
    URI link = URI.create(unsubscribes.link(org, subscriber, list, 4, Instant.now()));
    var http = java.net.http.HttpClient.newHttpClient();
    var answer = http.send(java.net.http.HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + link.getRawPath() + "?"
            + link.getRawQuery())).header("Content-Type", "application/x-www-form-urlencoded")
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("List-Unsubscribe=One-Click")).build(),
        java.net.http.HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(status(subscriber, list)).isEqualTo("unsubscribed");
    try (Browser web = Browser.start(port)) {
      web.open(link.getRawPath() + "?" + link.getRawQuery());
      assertThat(web.heading()).isEqualTo("You're unsubscribed");
      assertThat(web.driver().findElements(By.xpath("//main//button"))).as("nothing left to press").isEmpty();
      assertThat(web.driver().manage().getCookies()).isEmpty();
    }
  }

  String status(long subscriber, long list) {
    return jdbc.sql("select status from subscription where subscriber_id = ? and list_id = ?").params(subscriber, list)
        .query(String.class).single();
  }
}
