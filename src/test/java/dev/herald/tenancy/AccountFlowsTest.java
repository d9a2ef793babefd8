package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.Settings;
import dev.herald.testsupport.WebClient;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Sign-up, password reset and change, invitations, policy versions and the audit trail, over HTTP. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import(Fixtures.class)
class AccountFlowsTest {
  @LocalServerPort int port;
  @Autowired Fixtures fixtures;
  @Autowired JdbcClient jdbc;
  @Autowired Settings settings;
  @Autowired Policies policies;

  private WebClient signedIn(String email) {
    WebClient web = new WebClient(port);
    WebClient.Page p = web.submit("/login", "/login", Map.of("email", email, "password", Fixtures.PASSWORD));
    assertThat(p.locationPath()).as("sign-in of " + email).isEqualTo("/dashboard");
    return web;
  }

  /** The last link Herald mailed to this address, read from the sandbox mailbox. */
  private String mailedLink(String recipient, String path) {
    String body = jdbc.sql("select body_text from sandbox_message where lower(recipient) = lower(?) order by id desc limit 1")
        .param(recipient).query(String.class).single();
    Matcher m = Pattern.compile("https?://[^/\\s]+(" + Pattern.quote(path) + "\\?token=[A-Za-z0-9_-]+)").matcher(body);
    assertThat(m.find()).as("link %s in %s", path, body).isTrue();
    return m.group(1);
  }

  private static Map<String, String> person(String email, String password) {
    Map<String, String> form = new HashMap<>(Map.of("email", email, "displayName", "New Person", "password", password,
        "ageConfirmed", "true", "termsAccepted", "true", "organizationName", "New Co"));
    return form;
  }

  @Test
  void sign_up_creates_an_owner_and_an_organization_and_refuses_bad_input_beside_each_field() {
    settings.setSignupEnabled(true);
    WebClient web = new WebClient(port);
    Map<String, String> noAge = person("new@signup.test", "a long enough passphrase");
    noAge.remove("ageConfirmed");
    WebClient.Page refused = web.submit("/signup", "/signup", noAge);
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.body()).contains("You must be at least 18 years old");
    assertThat(web.submit("/signup", "/signup", person("not-an-address", "a long enough passphrase")).body())
        .contains("Enter a valid email address");

    WebClient.Page sent = web.submit("/signup", "/signup", person("new@signup.test", "a long enough passphrase"));
    assertThat(sent.status()).isEqualTo(200);
    assertThat(sent.body()).contains("Check your inbox");
    String link = mailedLink("new@signup.test", "/signup/confirm");
    assertThat(web.get(link).body()).as("a GET only shows the button").contains("Confirm and sign in");
    assertThat(web.submit(link, "/signup/confirm", Map.of("token", link.substring(link.indexOf("token=") + 6))).locationPath())
        .isEqualTo("/dashboard");
    assertThat(jdbc.sql("""
        select m.role from membership m join app_user u on u.id = m.user_id join organization o on o.id = m.organization_id
        where u.email = 'new@signup.test' and o.name = 'New Co'""").query(String.class).single()).isEqualTo("owner");
    assertThat(jdbc.sql("select age_confirmed from app_user where email = 'new@signup.test'").query(Integer.class).single()).isEqualTo(18);

    WebClient again = new WebClient(port);
    assertThat(again.submit("/signup", "/signup", person("NEW@signup.test", "a long enough passphrase")).body())
        .contains("Check your inbox").doesNotContain("exists already");
    assertThat(jdbc.sql("select subject from sandbox_message where recipient = 'new@signup.test' order by id desc limit 1")
        .query(String.class).single()).isEqualTo("Your Herald account");
  }

  @Test
  void the_operator_can_close_sign_up() {
    settings.setSignupEnabled(false);
    try {
      WebClient web = new WebClient(port);
      assertThat(web.get("/signup").body()).contains("closed");
      WebClient.Page p = web.post("/signup", person("closed@signup.test", "a long enough passphrase"));
      assertThat(p.status()).isEqualTo(403);
      assertThat(jdbc.sql("select count(*) from app_user where email = 'closed@signup.test'").query(Long.class).single()).isZero();
    } finally {
      settings.setSignupEnabled(true);
    }
  }

  @Test
  void the_operator_closes_sign_up_and_raises_the_minimum_age_in_the_panel_and_it_is_audited() {
    fixtures.operator("operator@flows.test");
    WebClient operator = signedIn("operator@flows.test");
    operator.get("/operator");
    assertThat(operator.post("/operator/settings", Map.of("minimumAge", "99")).locationPath()).isEqualTo("/operator");
    assertThat(operator.get("/operator").body()).as("beside the field")
        .contains("id=\"minimumAge-error\">The minimum age must be between 13 and 21.</p>");
    assertThat(settings.minimumAge()).as("nothing saved").isEqualTo(18);
    assertThat(settings.signupEnabled()).as("nothing saved").isTrue();
    operator.post("/operator/settings", Map.of("minimumAge", "21"));
    try {
      assertThat(settings.signupEnabled()).as("an unticked box closes sign-up").isFalse();
      assertThat(settings.minimumAge()).isEqualTo(21);
      assertThat(new WebClient(port).get("/signup").body()).contains("closed");
      assertThat(operator.get("/operator/audit").body()).contains(">settings.changed<").contains("minimum_age=21");
    } finally {
      settings.setSignupEnabled(true);
      settings.setMinimumAge(18);
    }
  }

  @Test
  void a_password_reset_link_expires() {
    fixtures.person("expired@flows.test");
    WebClient web = new WebClient(port);
    web.submit("/password/forgot", "/password/forgot", Map.of("email", "expired@flows.test"));
    String link = mailedLink("expired@flows.test", "/password/reset");
    jdbc.sql("update one_time_token set expires_at = now() - interval '1 second' where purpose = 'password_reset'").update();
    WebClient.Page page = web.submit(link, "/password/reset",
        Map.of("token", link.substring(link.indexOf("token=") + 6), "password", "a brand new passphrase"));
    assertThat(page.status()).isEqualTo(422);
    assertThat(page.body()).contains("invalid, used or expired");
  }

  @Test
  void a_password_reset_link_works_once_and_signs_out_every_session() {
    fixtures.person("reset@flows.test");
    WebClient elsewhere = signedIn("reset@flows.test");
    assertThat(elsewhere.get("/account").status()).isEqualTo(200);

    WebClient web = new WebClient(port);
    assertThat(web.submit("/password/forgot", "/password/forgot", Map.of("email", "reset@flows.test")).body())
        .contains("If an account exists");
    // An unknown address gets the same answer and no mail.
    assertThat(web.submit("/password/forgot", "/password/forgot", Map.of("email", "nobody@flows.test")).body())
        .contains("If an account exists");
    assertThat(jdbc.sql("select count(*) from sandbox_message where recipient = 'nobody@flows.test'").query(Long.class).single()).isZero();

    String link = mailedLink("reset@flows.test", "/password/reset");
    String token = link.substring(link.indexOf("token=") + 6);
    WebClient.Page tooShort = web.submit(link, "/password/reset", Map.of("token", token, "password", "short"));
    assertThat(tooShort.status()).isEqualTo(422);
    WebClient.Page done = web.submit(link, "/password/reset", Map.of("token", token, "password", "a brand new passphrase"));
    assertThat(done.locationPath()).isEqualTo("/login");

    assertThat(elsewhere.get("/account").body()).as("the other session was signed out").contains("Sign in");
    assertThat(web.get(link).body()).contains("invalid");
    WebClient fresh = new WebClient(port);
    assertThat(fresh.submit("/login", "/login", Map.of("email", "reset@flows.test", "password", "a brand new passphrase"))
        .locationPath()).isEqualTo("/dashboard");
  }

  @Test
  void changing_the_password_keeps_this_session_and_ends_the_others() {
    fixtures.person("change@flows.test");
    WebClient here = signedIn("change@flows.test");
    WebClient there = signedIn("change@flows.test");
    here.get("/account");
    WebClient.Page wrong = here.post("/account/password", Map.of("currentPassword", "not it", "password", "another long passphrase"));
    assertThat(here.get(wrong.locationPath()).body()).contains("Your current password is not correct.");
    here.post("/account/password", Map.of("currentPassword", Fixtures.PASSWORD, "password", "another long passphrase"));
    assertThat(here.get("/account").body()).contains("1 other session was signed out");
    assertThat(there.get("/account").body()).contains("Sign in");
  }

  @Test
  void an_invited_teammate_joins_with_the_role_given_and_only_with_the_invited_address() {
    HeraldUser owner = fixtures.person("owner@invite.test");
    Organizations.Organization org = fixtures.organization("Invite Co", owner);
    WebClient ownerWeb = signedIn("owner@invite.test");
    ownerWeb.get("/o/" + org.slug() + "/members");
    ownerWeb.post("/o/" + org.slug() + "/members/invite", Map.of("email", "mate@invite.test", "role", "viewer"));
    ownerWeb.get("/o/" + org.slug() + "/members");
    ownerWeb.post("/o/" + org.slug() + "/members/invite", Map.of("email", "not-an-address", "role", "viewer"));
    assertThat(ownerWeb.get("/o/" + org.slug() + "/members").body()).contains("Enter a valid email address");

    String link = mailedLink("mate@invite.test", "/invitations/accept");
    String token = link.substring(link.indexOf("token=") + 6);

    // Someone else, signed in, cannot take the invitation.
    fixtures.person("intruder@invite.test");
    WebClient intruder = signedIn("intruder@invite.test");
    WebClient.Page stolen = intruder.submit(link, "/invitations/accept", Map.of("token", token));
    assertThat(stolen.status()).isEqualTo(422);
    assertThat(stolen.body()).contains("was sent to mate@invite.test");

    WebClient mate = new WebClient(port);
    WebClient.Page joined = mate.submit(link, "/invitations/accept", Map.of("token", token, "displayName", "Mate",
        "password", "mates long passphrase", "ageConfirmed", "true", "termsAccepted", "true"));
    assertThat(joined.locationPath()).isEqualTo("/o/" + org.slug());
    assertThat(jdbc.sql("""
        select m.role from membership m join app_user u on u.id = m.user_id where u.email = 'mate@invite.test' and m.organization_id = ?""")
        .param(org.id()).query(String.class).single()).isEqualTo("viewer");
    assertThat(mate.get("/o/" + org.slug() + "/api-keys").status()).as("a viewer may not see API keys").isEqualTo(403);
    assertThat(new WebClient(port).get(link).body()).as("used once").contains("invalid");

    String audit = ownerWeb.get("/o/" + org.slug() + "/audit?action=member.").body();
    assertThat(audit).contains(">member.invited<").contains(">member.joined<").contains("mate@invite.test");
    assertThat(ownerWeb.get("/o/" + org.slug() + "/audit?action=api_key").body()).doesNotContain(">member.invited<");
  }

  @Test
  void a_new_policy_version_must_be_accepted_before_going_on_and_the_acceptance_is_recorded() {
    HeraldUser user = fixtures.person("policy@flows.test");
    WebClient web = signedIn("policy@flows.test");
    assertThat(web.get("/dashboard").locationPath()).isNull();
    policies.publish("2099-01", "Stricter retention of logs.", "https://example.com/terms");
    WebClient.Page page = web.get("/dashboard");
    assertThat(page.body()).contains("Stricter retention of logs.");
    web.post("/account/terms", Map.of("accept", "true"));
    assertThat(jdbc.sql("select ip from policy_acceptance where user_id = ? and version = '2099-01'").param(user.id())
        .query(String.class).single()).isEqualTo("127.0.0.1");
    assertThat(web.get("/account").body()).contains("2099-01");
  }
}
