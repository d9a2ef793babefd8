package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The unsubscribe link of campaign mail over a real socket, as a mail client and a person use it: RFC 8058's
 * one-click POST (no cookie, no CSRF token) unsubscribes at once; GET only shows a page whose button unsubscribes;
 * a forged, altered or expired token changes nothing; the link is the same for the same send time (a retry's bytes).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({AudienceFixtures.class, TestOrganizations.class})
class UnsubscribeTest {
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired Unsubscribes unsubscribes;
  @Autowired Subscribers subscribers;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  static int counter;
  long org, list, other, subscriber;
  final Instant sent = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @BeforeEach
  void subscribed() {
    counter++;
    org = fixtures.organization("Unsub Co " + counter).id();
    list = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Weekly', 'single') returning id").param(org).query(Long.class).single();
    other = jdbc.sql("insert into mailing_list (organization_id, name, optin) values (?, 'Offers', 'single') returning id").param(org).query(Long.class).single();
    subscriber = subscribers.addToLists(org, new Subscribers.Input("reader" + counter + "@example.com", "Reader", null, null), List.of(list, other),
        SubscriptionStatus.SUBSCRIBED, new Consent.Evidence(ConsentChannel.API, "test", null, null, null, null), "test");
  }

  String status(long listId) {
    return jdbc.sql("select status from subscription where subscriber_id = ? and list_id = ?").params(subscriber, listId)
        .query(String.class).single();
  }

  /** The path and query of a link (links name the configured public origin, not the test server). */
  static String path(String link) {
    URI u = URI.create(link);
    return u.getRawPath() + "?" + u.getRawQuery();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", "text/html").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void one_click_post_unsubscribes_from_that_list_at_once_without_cookie_or_csrf_token() throws Exception {
    String link = unsubscribes.link(org, subscriber, list, 42, sent);
    assertThat(link).startsWith("http").contains("/p/unsubscribe?token=");
    assertThat(unsubscribes.link(org, subscriber, list, 42, sent)).as("the same link for the same send").isEqualTo(link);

    HttpResponse<String> r = post(path(link), "List-Unsubscribe=One-Click");
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(status(list)).isEqualTo("unsubscribed");
    assertThat(status(other)).as("only the list the mail came through").isEqualTo("subscribed");
    assertThat(post(path(link), "List-Unsubscribe=One-Click").statusCode()).as("a repeat is fine").isEqualTo(200);
  }

  @Test
  void get_only_asks_and_the_pages_button_unsubscribes() throws Exception {
    String link = unsubscribes.link(org, subscriber, list, 7, sent);
    HttpResponse<String> page = get(path(link));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(page.body()).contains("Unsubscribe", "Weekly", "Unsub Co").doesNotContain("_csrf");
    assertThat(status(list)).as("opening the link changes nothing").isEqualTo("subscribed");

    String token = URI.create(link).getRawQuery().substring("token=".length());
    HttpResponse<String> done = post("/p/unsubscribe", "token=" + token);
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.body()).contains("unsubscribed");
    assertThat(status(list)).isEqualTo("unsubscribed");
    assertThat(get(path(link)).body()).as("the link again says so").contains("You're unsubscribed");
  }

  @Test
  void an_altered_forged_or_expired_token_changes_nothing() throws Exception {
    String link = unsubscribes.link(org, subscriber, list, 7, sent);
    String altered = link.substring(0, link.length() - 2) + (link.endsWith("A") ? "BB" : "AA");
    assertThat(post(path(altered), "List-Unsubscribe=One-Click").statusCode()).isEqualTo(422);
    assertThat(get("/p/unsubscribe?token=nonsense").statusCode()).isEqualTo(422);
    assertThat(post("/p/unsubscribe", "token=nonsense").statusCode()).isEqualTo(422);
    String expired = unsubscribes.link(org, subscriber, list, 7, sent.minus(Unsubscribes.VALIDITY).minusSeconds(60));
    assertThat(post(path(expired), "List-Unsubscribe=One-Click").statusCode()).isEqualTo(422);
    assertThat(post(path(link), "List-Unsubscribe=Nope").statusCode()).isEqualTo(422);
    assertThat(status(list)).isEqualTo("subscribed");
  }
}
