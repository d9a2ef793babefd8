package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * The hosted pages over a real socket: the form of a public list (no cookies, honeypot, rate limit),
 * the double opt-in confirmation, and the preference centre.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({AudienceFixtures.class, TestOrganizations.class})
class PublicPagesTest {
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired DoubleOptIn doubleOptIn;
  @Autowired CustomFields fields;
  @Autowired dev.herald.platform.SignedLinks links;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  TestOrganizations.Created org;
  String orgName;
  long doubleList, privateList;
  static int counter;

  @BeforeEach
  void lists() {
    orgName = "Public Co " + (++counter);
    org = fixtures.organization(orgName);
    doubleList = jdbc.sql("insert into mailing_list (organization_id, name, visibility, optin) values (?, 'Weekly', 'public', 'double') returning id")
        .param(org.id()).query(Long.class).single();
    privateList = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'Internal') returning id").param(org.id())
        .query(Long.class).single();
    // Every test signs up from 127.0.0.1: each starts with the network's limit unused.
    jdbc.sql("delete from form_attempt").update();
  }

  HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).header("Accept", "text/html").build(),
        HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<String> post(String path, Map<String, String> form) throws Exception {
    String body = form.entrySet().stream().map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
        .collect(Collectors.joining("&"));
    return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Content-Type", "application/x-www-form-urlencoded").header("Accept", "text/html")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** The hosted form's path of a list: by its public id. */
  String form(long listId) {
    return "/p/subscribe/" + jdbc.sql("select public_id from mailing_list where id = ?").param(listId).query(String.class).single();
  }

  String status(String email, long list) {
    return jdbc.sql("select x.status from subscription x join subscriber s on s.id = x.subscriber_id where s.email = ? and x.list_id = ?")
        .params(email, list).query(String.class).optional().orElse("none");
  }

  @Test
  void a_visitor_asking_not_to_be_tracked_is_told_no_page_tracks_anyone() throws Exception {
    HttpResponse<String> page = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + form(doubleList)))
        .header("Accept", "text/html").header("DNT", "1").build(), HttpResponse.BodyHandlers.ofString());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("Tk")).contains("N");
    assertThat(page.headers().allValues("Set-Cookie")).isEmpty();
    // nothing on the page loads from elsewhere: every src and href stays on this origin
    assertThat(Pattern.compile("(?:src|href)=\"(https?:)?//").matcher(page.body()).find()).isFalse();
    HttpResponse<String> done = post(form(doubleList), Map.of("email", "dnt@example.com", "consent", "true"));
    assertThat(done.headers().firstValue("Tk")).contains("N");
    assertThat(get("/p/preferences?token=nonsense").headers().firstValue("Tk")).contains("N");
  }

  @Test
  void the_form_subscribes_with_consent_evidence_and_sets_no_cookie() throws Exception {
    HttpResponse<String> page = get(form(doubleList));
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().allValues("Set-Cookie")).as("hosted pages set no cookie").isEmpty();
    assertThat(page.body()).contains("Weekly").doesNotContain("_csrf");

    HttpResponse<String> noConsent = post(form(doubleList), Map.of("email", "eve@example.com"));
    assertThat(noConsent.statusCode()).isEqualTo(422);
    assertThat(status("eve@example.com", doubleList)).isEqualTo("none");

    HttpResponse<String> done = post(form(doubleList), Map.of("email", "eve@example.com", "name", "Eve", "consent", "true"));
    assertThat(done.statusCode()).isEqualTo(200);
    assertThat(done.headers().allValues("Set-Cookie")).isEmpty();
    assertThat(status("eve@example.com", doubleList)).isEqualTo("unconfirmed");
    var evidence = jdbc.sql("""
        select t.body, c.channel, c.ip, c.user_agent from consent_record c join consent_text t on t.id = c.consent_text_id
        join subscriber s on s.id = c.subscriber_id where s.email = 'eve@example.com'""")
        .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4)}).single();
    assertThat(evidence[0]).contains("Weekly");
    assertThat(evidence[1]).isEqualTo("form");
    assertThat(evidence[2]).isEqualTo("127.0.0.1");
    assertThat(evidence[3]).contains("Java-http-client");

    // the confirmation link from the mail, then the preference centre
    ConfirmationMails.settle(jdbc);
    String mail = jdbc.sql("select body_text from sandbox_message where recipient = 'eve@example.com'").query(String.class).single();
    Matcher link = Pattern.compile("/p/confirm\\?token=([A-Za-z0-9_.-]+)").matcher(mail);
    assertThat(link.find()).isTrue();
    HttpResponse<String> confirmed = post("/p/confirm", Map.of("token", link.group(1)));
    assertThat(confirmed.body()).contains("/p/preferences?token=");
    assertThat(status("eve@example.com", doubleList)).isEqualTo("subscribed");
  }

  @Test
  void bots_filling_the_honeypot_are_thanked_and_ignored_and_floods_are_limited() throws Exception {
    HttpResponse<String> bot = post(form(doubleList), Map.of("email", "bot@example.com", "consent", "true", "website", "http://spam"));
    assertThat(bot.statusCode()).isEqualTo(200);
    assertThat(status("bot@example.com", doubleList)).isEqualTo("none");

    jdbc.sql("delete from form_attempt").update();
    int limited = 0;
    for (int i = 0; i < FormAttempts.LIMIT + 2; i++) {
      if (post(form(doubleList), Map.of("email", "flood" + i + "@example.com", "consent", "true")).statusCode() == 429) {
        limited++;
      }
    }
    assertThat(limited).isEqualTo(2);
  }

  @Test
  void a_private_list_has_no_public_form() throws Exception {
    HttpResponse<String> missing = get(form(privateList));
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.headers().allValues("Set-Cookie")).as("not even the error page sets a cookie").isEmpty();
    assertThat(post(form(privateList), Map.of("email", "x@example.com", "consent", "true")).statusCode()).isEqualTo(404);
  }

  @Test
  void the_preference_centre_unsubscribes_from_one_or_all_lists_and_records_the_withdrawal() throws Exception {
    long second = jdbc.sql("insert into mailing_list (organization_id, name, visibility, optin) values (?, 'Offers', 'public', 'single') returning id")
        .param(org.id()).query(Long.class).single();
    long id = jdbc.sql("insert into subscriber (organization_id, email, email_key) values (?, 'pat@example.com', 'pat@example.com') returning id")
        .param(org.id()).query(Long.class).single();
    for (long list : new long[] {doubleList, second}) {
      jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, 'subscribed')").params(list, id).update();
      jdbc.sql("insert into consent_record (organization_id, subscriber_id, list_id, channel) values (?, ?, ?, 'form')")
          .params(org.id(), id, list).update();
    }
    String token = doubleOptIn.preferencesLink(org.id(), id).replaceAll(".*token=", "");
    HttpResponse<String> page = get("/p/preferences?token=" + token);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.body()).contains("pat@example.com").contains("Weekly").contains("Offers");
    assertThat(get("/p/preferences?token=" + token + "x").statusCode()).isEqualTo(404);

    post("/p/preferences", Map.of("token", token, "subscribed", Long.toString(second)));
    assertThat(status("pat@example.com", doubleList)).isEqualTo("unsubscribed");
    assertThat(status("pat@example.com", second)).isEqualTo("subscribed");

    post("/p/preferences", Map.of("token", token, "action", "unsubscribe_all"));
    assertThat(status("pat@example.com", second)).isEqualTo("unsubscribed");
    assertThat(jdbc.sql("select count(*) from consent_record where subscriber_id = ? and withdrawn_at is not null").param(id)
        .query(Long.class).single()).isEqualTo(2);
  }

  @Test
  void the_preference_centre_changes_only_the_fields_subscribers_may_edit_and_refuses_a_bad_value_whole() throws Exception {
    fields.create(org.id(), "city", "Your city", "text", java.util.List.of(), true);
    fields.create(org.id(), "size", "Team size", "choice", java.util.List.of("small", "large"), true);
    fields.create(org.id(), "score", "Internal score", "number", java.util.List.of(), false);
    long id = jdbc.sql("""
        insert into subscriber (organization_id, email, email_key, attributes) values (?, 'lou@example.com', 'lou@example.com',
          '{"city": "Lyon", "score": 7}') returning id""").param(org.id()).query(Long.class).single();
    jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, 'subscribed')").params(doubleList, id).update();
    String token = doubleOptIn.preferencesLink(org.id(), id).replaceAll(".*token=", "");

    HttpResponse<String> page = get("/p/preferences?token=" + token);
    assertThat(page.body()).contains("Your city").contains("value=\"Lyon\"").contains("Team size").doesNotContain("Internal score");

    HttpResponse<String> bad = post("/p/preferences", Map.of("token", token, "subscribed", Long.toString(doubleList),
        "field.city", "Paris", "field.size", "huge"));
    assertThat(bad.statusCode()).isEqualTo(422);
    assertThat(bad.body()).contains("is not one of small, large").contains("value=\"Paris\"");
    assertThat(attributes(id)).as("nothing saved from a refused form").isEqualTo("{\"city\": \"Lyon\", \"score\": 7}");

    HttpResponse<String> ok = post("/p/preferences", Map.of("token", token, "subscribed", Long.toString(doubleList),
        "field.city", "Paris", "field.size", "large", "field.score", "99"));
    assertThat(ok.statusCode()).isEqualTo(200);
    assertThat(attributes(id)).as("score is not editable, so the posted 99 is ignored")
        .isEqualTo("{\"city\": \"Paris\", \"size\": \"large\", \"score\": 7}");
    assertThat(status("lou@example.com", doubleList)).isEqualTo("subscribed");

    post("/p/preferences", Map.of("token", token, "subscribed", Long.toString(doubleList), "field.city", "", "field.size", "large"));
    assertThat(attributes(id)).as("an emptied field is removed").isEqualTo("{\"size\": \"large\", \"score\": 7}");
  }

  /** A subscriber waiting on the double opt-in list, and the token of a confirmation link valid for {@code validity}. */
  String waitingWithLink(String email, java.time.Duration validity) {
    long id = jdbc.sql("insert into subscriber (organization_id, email, email_key) values (?, ?, ?) returning id")
        .params(org.id(), email, email).query(Long.class).single();
    jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, 'unconfirmed')").params(doubleList, id).update();
    return links.sign("confirm", validity, Long.toString(org.id()), Long.toString(id), Long.toString(doubleList));
  }

  static String brand(String page) {
    Matcher m = Pattern.compile("<span class=\"brand\">([^<]*)</span>").matcher(page);
    return m.find() ? m.group(1) : null;
  }

  @Test
  void the_confirmation_and_preference_pages_name_the_organization_not_herald() throws Exception {
    String token = waitingWithLink("cal@example.com", java.time.Duration.ofDays(1));
    HttpResponse<String> confirm = get("/p/confirm?token=" + token);
    assertThat(brand(confirm.body())).isEqualTo(orgName);
    assertThat(confirm.body()).contains("<title>Confirm your subscription · " + orgName + "</title>");
    HttpResponse<String> confirmed = post("/p/confirm", Map.of("token", token));
    assertThat(brand(confirmed.body())).isEqualTo(orgName);
    String preferences = confirmed.body().replaceAll("(?s).*href=\"[^\"]*(/p/preferences\\?token=[^\"]+)\".*", "$1").replace("&amp;", "&");
    HttpResponse<String> centre = get(preferences);
    assertThat(centre.statusCode()).isEqualTo(200);
    assertThat(brand(centre.body())).isEqualTo(orgName);
    assertThat(centre.body()).contains("<title>Your subscriptions · " + orgName + "</title>");
    assertThat(brand(get("/p/confirm?token=nonsense").body())).as("a link of no organization").isEqualTo("Herald");
  }

  @Test
  void a_used_confirmation_link_says_the_subscription_is_confirmed_already() throws Exception {
    String token = waitingWithLink("uma@example.com", java.time.Duration.ofDays(1));
    assertThat(post("/p/confirm", Map.of("token", token)).body()).contains("<h1>You're subscribed</h1>");
    for (HttpResponse<String> again : List.of(get("/p/confirm?token=" + token), post("/p/confirm", Map.of("token", token)))) {
      assertThat(again.statusCode()).isEqualTo(200);
      assertThat(again.body()).contains("<h1>Already confirmed</h1>").doesNotContain("Confirm subscription</button>");
    }
    assertThat(status("uma@example.com", doubleList)).isEqualTo("subscribed");
  }

  @Test
  void an_expired_confirmation_link_says_it_expired_and_sends_a_new_one_on_request() throws Exception {
    String token = waitingWithLink("old@example.com", java.time.Duration.ofDays(-1));
    HttpResponse<String> page = get("/p/confirm?token=" + token);
    assertThat(page.statusCode()).isEqualTo(410);
    assertThat(page.body()).contains("<h1>This link has expired</h1>").contains("Send me a new link").doesNotContain("not valid");
    HttpResponse<String> confirmAnyway = post("/p/confirm", Map.of("token", token));
    assertThat(confirmAnyway.statusCode()).as("an expired link confirms nothing").isEqualTo(410);
    assertThat(status("old@example.com", doubleList)).isEqualTo("unconfirmed");

    HttpResponse<String> renewed = post("/p/confirm", Map.of("token", token, "renew", "true"));
    assertThat(renewed.statusCode()).isEqualTo(200);
    assertThat(renewed.body()).contains("<h1>Check your inbox</h1>");
    ConfirmationMails.settle(jdbc);
    String mail = jdbc.sql("select body_text from sandbox_message where recipient = 'old@example.com'").query(String.class).single();
    Matcher link = Pattern.compile("/p/confirm\\?token=([A-Za-z0-9_.-]+)").matcher(mail);
    assertThat(link.find()).isTrue();
    assertThat(post("/p/confirm", Map.of("token", link.group(1))).body()).contains("<h1>You're subscribed</h1>");
    assertThat(status("old@example.com", doubleList)).isEqualTo("subscribed");

    // a tampered token is not "expired": it is not ours
    assertThat(get("/p/confirm?token=" + token.substring(0, token.length() - 2) + "xx").statusCode()).isEqualTo(422);
  }

  /**
   * Asking for a new link on an expired one after the subscription stopped waiting (confirmed from a newer
   * link, or removed) used to say "no new link today", as if three mails had been sent: every refusal of the
   * resend was shown as the daily limit.
   */
  @Test
  void a_new_link_for_a_subscription_no_longer_waiting_says_why_not_that_the_limit_is_reached() throws Exception {
    String confirmed = waitingWithLink("vic@example.com", java.time.Duration.ofDays(-1));
    jdbc.sql("update subscription set status = 'subscribed' where subscriber_id = (select id from subscriber where email = 'vic@example.com')")
        .update();
    HttpResponse<String> already = post("/p/confirm", Map.of("token", confirmed, "renew", "true"));
    assertThat(already.statusCode()).isEqualTo(200);
    assertThat(already.body()).contains("<h1>Already confirmed</h1>").doesNotContain("No new link today");

    String removed = waitingWithLink("wes@example.com", java.time.Duration.ofDays(-1));
    jdbc.sql("delete from subscription where subscriber_id = (select id from subscriber where email = 'wes@example.com')").update();
    assertThat(post("/p/confirm", Map.of("token", removed, "renew", "true")).body())
        .contains("<h1>Nothing to confirm</h1>").doesNotContain("No new link today");
    ConfirmationMails.settle(jdbc);
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient in ('vic@example.com', 'wes@example.com')")
        .query(Integer.class).single()).as("no mail for a subscription that does not wait").isZero();
  }

  @Test
  void a_fourth_new_link_in_a_day_is_refused_with_the_limit() throws Exception {
    String token = waitingWithLink("xia@example.com", java.time.Duration.ofDays(-1));
    for (int i = 0; i < 3; i++) {
      assertThat(post("/p/confirm", Map.of("token", token, "renew", "true")).body()).contains("<h1>Check your inbox</h1>");
    }
    assertThat(post("/p/confirm", Map.of("token", token, "renew", "true")).body()).contains("<h1>No new link today</h1>");
    ConfirmationMails.settle(jdbc);
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = 'xia@example.com'").query(Integer.class).single())
        .isEqualTo(3);
  }

  String attributes(long id) {
    return jdbc.sql("select attributes::text from subscriber where id = ?").param(id).query(String.class).single();
  }
}
