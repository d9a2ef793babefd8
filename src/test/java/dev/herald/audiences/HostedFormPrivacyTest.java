package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import dev.herald.tenancy.TestOrganizations;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
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
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.web.servlet.MockMvc;

/**
 * What the hosted form tells a stranger (issue 9's probe): nothing about an address. Every sign-up gets the same
 * answer whatever the address's state, every attempt counts toward the limit, someone who withdrew comes back only
 * through their mailbox, and list ids do not open forms (public ids do).
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureMockMvc
@Import({AudienceFixtures.class, TestOrganizations.class})
class HostedFormPrivacyTest {
  @LocalServerPort int port;
  @Autowired AudienceFixtures fixtures;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired Subscribers subscribers;
  @Autowired DoubleOptIn doubleOptIn;
  @Autowired MockMvc mvc;
  final HttpClient http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();
  TestOrganizations.Created org;
  MailingLists.MailingList doubleList, singleList;
  static int counter;

  @Autowired MailingLists lists;

  @BeforeEach
  void lists() {
    org = fixtures.organization("Privacy Co " + (++counter));
    doubleList = lists.create(org.id(), new MailingLists.ListForm("Weekly", "", "public", "double", null, null, List.of()));
    singleList = lists.create(org.id(), new MailingLists.ListForm("Offers", "", "public", "single", null, null, List.of()));
    jdbc.sql("delete from form_attempt").update();
  }

  /** The states an address can be in, made for the list, each with its own address. */
  Map<String, String> addressesInEveryState(MailingLists.MailingList list) {
    String tag = list.optin().text() + counter;
    Map<String, String> byState = new LinkedHashMap<>();
    byState.put("new", "new-" + tag + "@example.com");
    for (String status : List.of("unconfirmed", "subscribed", "unsubscribed", "bounced", "complained")) {
      String email = status + "-" + tag + "@example.com";
      long id = subscribers.upsert(org.id(), new Subscribers.Input(email, null, null, null), "test");
      jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, ?)").params(list.id(), id, status).update();
      byState.put(status, email);
    }
    byState.put("suppressed by domain", "someone@blocked-" + tag + ".example");
    jdbc.sql("insert into suppression (organization_id, domain, reason, source) values (?, ?, 'manual', 'test')")
        .params(org.id(), "blocked-" + tag + ".example").update();
    byState.put("suppressed by a member", suppressed(org.id(), "member-" + tag + "@example.com"));
    byState.put("suppressed by the operator", suppressed(null, "operator-" + tag + "@example.com"));
    String erased = "erased-" + tag + "@example.com";
    subscribers.erase(org.id(), subscribers.upsert(org.id(), new Subscribers.Input(erased, null, null, null), "test"));
    byState.put("erased", erased);
    return byState;
  }

  String suppressed(Long orgId, String email) {
    jdbc.sql("""
        insert into suppression (organization_id, address, address_hash, reason, source)
        values (?, ?, sha256(convert_to(?, 'UTF8')), 'manual', 'test')""").params(orgId, email, email).update();
    return email;
  }

  @Test
  void the_double_opt_in_form_gives_every_address_the_same_answer_whatever_its_state() throws Exception {
    Map<String, String> addresses = addressesInEveryState(doubleList);
    Map<String, String> answers = answers(doubleList, addresses);
    assertThat(answers.values().stream().distinct()).as("one answer for every state: %s", answers.keySet()).hasSize(1);
    assertThat(answers.get("new")).startsWith("200\n").contains("<h1>Check your inbox</h1>").doesNotContain("subscribed to");

    // Only the mail differs: it goes to the owner of an address that may be asked to confirm.
    assertThat(confirmationMails(addresses)).isEqualTo(Map.of("new", 1, "unconfirmed", 1, "subscribed", 0, "unsubscribed", 1,
        "bounced", 0, "complained", 0, "suppressed by domain", 0, "suppressed by a member", 0, "suppressed by the operator", 0,
        "erased", 1));
    assertThat(status(addresses.get("bounced"), doubleList)).isEqualTo("bounced");
    assertThat(status(addresses.get("subscribed"), doubleList)).isEqualTo("subscribed");
    assertThat(status(addresses.get("unsubscribed"), doubleList)).isEqualTo("unconfirmed");
  }

  @Test
  void the_single_opt_in_form_gives_an_address_that_may_not_be_subscribed_the_answer_of_one_that_was() throws Exception {
    Map<String, String> addresses = addressesInEveryState(singleList);
    Map<String, String> answers = answers(singleList, addresses);
    assertThat(answers.values().stream().distinct()).as("one answer for every state: %s", answers.keySet()).hasSize(1);
    assertThat(answers.get("new")).startsWith("200\n").contains("<h1>Thank you</h1>");

    assertThat(status(addresses.get("new"), singleList)).isEqualTo("subscribed");
    assertThat(status(addresses.get("unsubscribed"), singleList)).as("withdrew: only the mailbox brings them back").isEqualTo("unconfirmed");
    assertThat(status(addresses.get("unconfirmed"), singleList)).as("a waiting subscription is confirmed by mail only").isEqualTo("unconfirmed");
    assertThat(status(addresses.get("erased"), singleList)).isEqualTo("unconfirmed");
    assertThat(status(addresses.get("complained"), singleList)).isEqualTo("complained");
    assertThat(confirmationMails(addresses)).isEqualTo(Map.of("new", 0, "unconfirmed", 1, "subscribed", 0, "unsubscribed", 1,
        "bounced", 0, "complained", 0, "suppressed by domain", 0, "suppressed by a member", 0, "suppressed by the operator", 0,
        "erased", 1));
  }

  @Test
  void sign_ups_that_store_nothing_count_toward_the_rate_limit() throws Exception {
    String bounced = addressesInEveryState(doubleList).get("bounced");
    for (int i = 0; i < 4; i++) assertThat(signUp(doubleList, bounced).statusCode()).isEqualTo(200);
    for (int i = 0; i < 3; i++) {
      assertThat(post(form(doubleList), Map.of("email", "bot" + i + "@example.com", "consent", "true", "website", "x")).statusCode())
          .isEqualTo(200);
    }
    for (int i = 0; i < 3; i++) assertThat(post(form(doubleList), Map.of("email", "nobox@example.com")).statusCode()).isEqualTo(422);
    assertThat(FormAttempts.LIMIT).isEqualTo(10);

    HttpResponse<String> limited = signUp(doubleList, "late@example.com");
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(status("late@example.com", doubleList)).isEqualTo("none");
    assertThat(signUp(doubleList, bounced).statusCode()).as("the quiet answer is limited too").isEqualTo(429);
  }

  @Test
  void someone_who_unsubscribed_from_every_list_is_not_subscribed_again_through_a_single_opt_in_form_without_confirming()
      throws Exception {
    String email = "left" + counter + "@example.com";
    long id = subscribers.upsert(org.id(), new Subscribers.Input(email, null, null, null), "test");
    for (long list : new long[] {doubleList.id(), singleList.id()}) {
      jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, 'subscribed')").params(list, id).update();
    }
    String preferences = doubleOptIn.preferencesLink(org.id(), id).replaceAll(".*token=", "");
    post("/p/preferences", Map.of("token", preferences, "action", "unsubscribe_all"));
    assertThat(status(email, singleList)).isEqualTo("unsubscribed");

    // a stranger signs the address up, twice: the subscription waits for the person's confirmation both times
    for (int i = 0; i < 2; i++) {
      assertThat(signUp(singleList, email).statusCode()).isEqualTo(200);
      assertThat(status(email, singleList)).as("sign-up " + (i + 1)).isEqualTo("unconfirmed");
    }
    assertThat(mails(email)).isEqualTo(2);

    // the person confirms from their mailbox
    ConfirmationMails.settle(jdbc);
    String mail = jdbc.sql("select body_text from sandbox_message where recipient = ? order by id desc limit 1").param(email)
        .query(String.class).single();
    Matcher link = Pattern.compile("/p/confirm\\?token=([A-Za-z0-9_.-]+)").matcher(mail);
    assertThat(link.find()).isTrue();
    assertThat(post("/p/confirm", Map.of("token", link.group(1))).statusCode()).isEqualTo(200);
    assertThat(status(email, singleList)).isEqualTo("subscribed");
  }

  @Test
  void someone_who_unsubscribed_from_one_list_must_confirm_a_sign_up_on_another_single_opt_in_list() throws Exception {
    String email = "half" + counter + "@example.com";
    long id = subscribers.upsert(org.id(), new Subscribers.Input(email, null, null, null), "test");
    jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, 'unsubscribed')").params(doubleList.id(), id).update();
    signUp(singleList, email);
    assertThat(status(email, singleList)).isEqualTo("unconfirmed");
    assertThat(mails(email)).isEqualTo(1);
  }

  @Test
  void a_stranger_cannot_wipe_out_a_withdrawal_by_signing_up_on_a_double_opt_in_list_first() throws Exception {
    String email = "only-weekly" + counter + "@example.com";
    long id = subscribers.upsert(org.id(), new Subscribers.Input(email, null, null, null), "test");
    jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, 'subscribed')").params(doubleList.id(), id).update();
    String preferences = doubleOptIn.preferencesLink(org.id(), id).replaceAll(".*token=", "");
    post("/p/preferences", Map.of("token", preferences, "action", "unsubscribe_all"));

    // the double opt-in sign-up turns the only unsubscribed subscription into an unconfirmed one...
    signUp(doubleList, email);
    assertThat(status(email, doubleList)).isEqualTo("unconfirmed");
    // ...and still the single opt-in list waits for the person
    signUp(singleList, email);
    assertThat(status(email, singleList)).isEqualTo("unconfirmed");

    // once they confirm from their mailbox, they are back, and sign up like anyone
    ConfirmationMails.settle(jdbc);
    String mail = jdbc.sql("select body_text from sandbox_message where recipient = ? and body_text like ? order by id desc limit 1")
        .params(email, "%Weekly%").query(String.class).single();
    Matcher link = Pattern.compile("/p/confirm\\?token=([A-Za-z0-9_.-]+)").matcher(mail);
    assertThat(link.find()).isTrue();
    post("/p/confirm", Map.of("token", link.group(1)));
    MailingLists.MailingList third = lists.create(org.id(), new MailingLists.ListForm("Third", "", "public", "single", null, null, List.of()));
    signUp(third, email);
    assertThat(status(email, third)).isEqualTo("subscribed");
  }

  @Test
  void a_withdrawal_outlives_the_list_it_was_made_on() throws Exception {
    String email = "gone-list" + counter + "@example.com";
    long id = subscribers.upsert(org.id(), new Subscribers.Input(email, null, null, null), "test");
    MailingLists.MailingList old = lists.create(org.id(), new MailingLists.ListForm("Old", "", "private", "single", null, null, List.of()));
    MailingLists.MailingList other = lists.create(org.id(), new MailingLists.ListForm("Other", "", "private", "single", null, null, List.of()));
    for (MailingLists.MailingList list : List.of(old, other)) {
      jdbc.sql("insert into subscription (list_id, subscriber_id, status) values (?, ?, 'unsubscribed')").params(list.id(), id).update();
    }
    lists.delete(org.id(), old.id());
    subscribers.removeFromList(org.id(), id, other.id());
    assertThat(jdbc.sql("select count(*) from subscription where subscriber_id = ?").param(id).query(Long.class).single()).isZero();
    signUp(singleList, email);
    assertThat(status(email, singleList)).isEqualTo("unconfirmed");
  }

  @Test
  void a_stranger_signing_up_a_subscribed_address_does_not_rewrite_its_confirmation_or_consent() throws Exception {
    for (MailingLists.MailingList list : List.of(doubleList, singleList)) {
      String email = "kept-" + list.optin().text() + counter + "@example.com";
      long id = subscribers.upsert(org.id(), new Subscribers.Input(email, null, null, null), "test");
      jdbc.sql("insert into subscription (list_id, subscriber_id, status, confirmed_at) values (?, ?, 'subscribed', '2025-01-02T03:04:05Z')")
          .params(list.id(), id).update();
      jdbc.sql("insert into consent_record (organization_id, subscriber_id, list_id, channel, basis, given_at, confirmed_at)"
          + " values (?, ?, ?, 'import', 'the original evidence', '2025-01-02T03:04:05Z', '2025-01-02T03:04:05Z')")
          .params(org.id(), id, list.id()).update();

      assertThat(signUp(list, email).statusCode()).isEqualTo(200);

      assertThat(status(email, list)).isEqualTo("subscribed");
      assertThat(jdbc.sql("select confirmed_at = '2025-01-02T03:04:05Z' from subscription where list_id = ? and subscriber_id = ?")
          .params(list.id(), id).query(Boolean.class).single()).as("confirmed_at on %s", list.name()).isTrue();
      assertThat(jdbc.sql("select basis from consent_record where subscriber_id = ? and list_id = ?").params(id, list.id())
          .query(String.class).list()).as("the consent records on %s", list.name()).containsExactly("the original evidence");
    }
  }

  @Test
  void list_ids_do_not_open_hosted_forms_so_public_lists_cannot_be_enumerated() throws Exception {
    for (MailingLists.MailingList list : List.of(doubleList, singleList)) {
      assertThat(open("/p/subscribe/" + list.id()).statusCode()).as("the numeric id of a public list").isEqualTo(404);
      assertThat(post("/p/subscribe/" + list.id(), Map.of("email", "walker@example.com", "consent", "true")).statusCode()).isEqualTo(404);
      assertThat(list.publicId()).matches("[A-Za-z0-9_-]{32}");
      assertThat(open(form(list)).statusCode()).isEqualTo(200);
    }
    assertThat(status("walker@example.com", singleList)).isEqualTo("none");
    assertThat(doubleList.publicId()).isNotEqualTo(singleList.publicId());
    assertThatThrownBy(() -> jdbc.sql("update mailing_list set public_id = ? where id = ?").params(doubleList.publicId(), singleList.id())
        .update()).as("public ids are unique").hasMessageContaining("mailing_list_public_id_uq");

    // the list page shows the form's address (and the snippet) with the public id, never the list id
    String page = mvc.perform(get("/o/" + org.slug() + "/lists/" + singleList.id()).with(organizations.asOwner(org)))
        .andReturn().getResponse().getContentAsString();
    assertThat(page).contains("/p/subscribe/" + singleList.publicId() + "\"").contains("action=\"http")
        .doesNotContain("/p/subscribe/" + singleList.id() + "\"");
    // and the API gives it to clients that build their own forms
    String api = mvc.perform(get("/api/v1/orgs/" + org.slug() + "/lists/" + singleList.id()).header("Authorization", "Bearer " + org.apiKey()))
        .andReturn().getResponse().getContentAsString();
    assertThat(api).contains("\"publicId\":\"" + singleList.publicId() + "\"");
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Signs each address up once; the answers with the address itself written as EMAIL, status first. */
  Map<String, String> answers(MailingLists.MailingList list, Map<String, String> byState) throws Exception {
    Map<String, String> answers = new LinkedHashMap<>();
    for (var e : byState.entrySet()) {
      HttpResponse<String> r = signUp(list, e.getValue());
      assertThat(r.headers().allValues("Set-Cookie")).isEmpty();
      answers.put(e.getKey(), r.statusCode() + "\n" + r.headers().firstValue("Content-Type").orElse("") + "\n"
          + r.body().replace(e.getValue(), "EMAIL"));
    }
    return answers;
  }

  Map<String, Integer> confirmationMails(Map<String, String> byState) {
    Map<String, Integer> mails = new LinkedHashMap<>();
    byState.forEach((state, email) -> mails.put(state, mails(email)));
    return mails;
  }

  int mails(String email) {
    ConfirmationMails.settle(jdbc);
    return jdbc.sql("select count(*) from sandbox_message where recipient = ? and purpose = 'double_opt_in'").param(email)
        .query(Integer.class).single();
  }

  String form(MailingLists.MailingList list) {
    return "/p/subscribe/" + list.publicId();
  }

  HttpResponse<String> signUp(MailingLists.MailingList list, String email) throws Exception {
    return post(form(list), Map.of("email", email, "consent", "true"));
  }

  String status(String email, MailingLists.MailingList list) {
    return jdbc.sql("""
        select x.status from subscription x join subscriber s on s.id = x.subscriber_id
        where s.email = ? and x.list_id = ?""").params(email, list.id()).query(String.class).optional().orElse("none");
  }

  HttpResponse<String> open(String path) throws Exception {
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
}
