package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.platform.Settings;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import dev.herald.testsupport.WebClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the security probe found in accounts: reset links used twice or kept alive, mails without limits,
 * sign-up and lockout telling which addresses have an account, names that broke pages, open sign-up.
 * The limits are set low here so that each one is reached in a few requests.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
    "herald.mail-limits.resets-per-account=2", "herald.mail-limits.resets-per-address=4",
    "herald.mail-limits.invitations-per-account=3", "herald.mail-limits.invitations-per-address=2",
    "herald.mail-limits.invitations-per-organization=4"})
@Import({Fixtures.class, TestClock.class})
class AccountSecurityTest {
  @LocalServerPort int port;
  @Autowired Fixtures fixtures;
  @Autowired Accounts accounts;
  @Autowired Invitations invitations;
  @Autowired Groups groups;
  @Autowired SignIn signIn;
  @Autowired Settings settings;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;

  private String lastToken(String recipient, String path) {
    String body = jdbc.sql("select body_text from sandbox_message where lower(recipient) = lower(?) order by id desc limit 1")
        .param(recipient).query(String.class).single();
    Matcher m = Pattern.compile(Pattern.quote(path) + "\\?token=([A-Za-z0-9_-]+)").matcher(body);
    assertThat(m.find()).as("link %s in %s", path, body).isTrue();
    return m.group(1);
  }

  private long mails(String recipient) {
    return jdbc.sql("select count(*) from sandbox_message where lower(recipient) = lower(?)").param(recipient).query(Long.class).single();
  }

  /** A page without its CSRF tokens, which are masked afresh on every page. */
  private static String withoutCsrf(String body) {
    return body.replaceAll("name=\"_csrf\" value=\"[^\"]*\"", "").replaceAll("X-CSRF-TOKEN&quot;: &quot;[^&]*&quot;", "");
  }

  private static OrganizationContext asOwner(Organizations.Organization org) {
    return new OrganizationContext(org.id(), org.slug(), org.name(), Role.owner.permissions());
  }

  // ---- password reset ------------------------------------------------------------------------

  @Test
  void a_reset_link_sent_by_concurrent_requests_changes_the_password_once() throws Exception {
    fixtures.person("race@reset.test");
    accounts.requestPasswordReset("race@reset.test", "198.51.100.1");
    String token = lastToken("race@reset.test", "/password/reset");
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      for (String password : List.of("first new passphrase", "second new passphrase")) {
        results.add(pool.submit(() -> {
          start.await();
          try {
            accounts.resetPassword(token, password, "198.51.100.1");
            return true;
          } catch (Refused refused) {
            return false;
          }
        }));
      }
      start.countDown();
      int succeeded = 0;
      for (Future<Boolean> f : results) succeeded += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
      assertThat(succeeded).isEqualTo(1);
    } finally {
      pool.shutdownNow();
    }
    assertThat(jdbc.sql("select count(*) from audit_event where action = 'password.reset' and actor = 'race@reset.test'")
        .query(Long.class).single()).isEqualTo(1);
  }

  @Test
  void an_older_reset_link_stops_working_once_a_newer_one_is_sent() {
    fixtures.person("twice@reset.test");
    accounts.requestPasswordReset("twice@reset.test", "198.51.100.2");
    String older = lastToken("twice@reset.test", "/password/reset");
    accounts.requestPasswordReset("twice@reset.test", "198.51.100.2");
    String newer = lastToken("twice@reset.test", "/password/reset");
    assertThat(accounts.resetTokenValid(older)).isFalse();
    assertThat(accounts.resetTokenValid(newer)).isTrue();
    assertThatThrownBy(() -> accounts.resetPassword(older, "a brand new passphrase", "198.51.100.2")).isInstanceOf(Refused.class);
  }

  @Test
  void a_refused_new_password_leaves_the_reset_link_usable() {
    fixtures.person("short@reset.test");
    accounts.requestPasswordReset("short@reset.test", "198.51.100.3");
    String token = lastToken("short@reset.test", "/password/reset");
    assertThatThrownBy(() -> accounts.resetPassword(token, "short", "198.51.100.3")).isInstanceOf(Refused.class);
    assertThat(accounts.resetTokenValid(token)).isTrue();
  }

  @Test
  void fifteen_reset_requests_send_only_the_limit_of_mails_and_every_answer_is_the_same_page() {
    fixtures.person("flood@reset.test");
    WebClient web = new WebClient(port);
    web.get("/password/forgot");
    List<String> answers = new ArrayList<>();
    for (int i = 0; i < 15; i++) {
      WebClient.Page page = web.post("/password/forgot", Map.of("email", "flood@reset.test"));
      answers.add(page.status() + " " + withoutCsrf(page.body()));
    }
    assertThat(answers).allMatch(a -> a.equals(answers.getFirst()));
    assertThat(answers.getFirst()).startsWith("200").contains("If an account exists");
    assertThat(mails("flood@reset.test")).as("resets-per-account").isEqualTo(2);
  }

  @Test
  void reset_requests_from_one_address_are_limited_whatever_the_accounts() {
    for (int i = 0; i < 5; i++) fixtures.person("spread" + i + "@reset.test");
    accounts.requestPasswordReset("nobody@reset.test", "198.51.100.9");
    for (int i = 0; i < 5; i++) accounts.requestPasswordReset("spread" + i + "@reset.test", "198.51.100.9");
    long sent = 0;
    for (int i = 0; i < 5; i++) sent += mails("spread" + i + "@reset.test");
    assertThat(sent).as("resets-per-address 4, the unknown address counted too").isEqualTo(3);
  }

  // ---- invitations ---------------------------------------------------------------------------

  @Test
  void a_fresh_account_cannot_send_a_dozen_invitations() {
    HeraldUser owner = fixtures.person("owner@spam.test");
    Organizations.Organization org = fixtures.organization("Spam Co", owner);
    for (int i = 0; i < 3; i++) invitations.invite(asOwner(org), owner, "target" + i + "@victims.test", "viewer");
    assertThatThrownBy(() -> invitations.invite(asOwner(org), owner, "target3@victims.test", "viewer"))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.refusal()).isInstanceOf(Refusal.Limited.class));
    assertThat(mails("target3@victims.test")).isZero();
  }

  @Test
  void invitations_are_limited_per_invited_address_and_per_organization() {
    HeraldUser a = fixtures.person("a@limits.test");
    HeraldUser b = fixtures.person("b@limits.test");
    HeraldUser c = fixtures.person("c@limits.test");
    Organizations.Organization first = fixtures.organization("First Limits", a);
    Organizations.Organization second = fixtures.organization("Second Limits", b);
    Organizations.Organization third = fixtures.organization("Third Limits", c);
    invitations.invite(asOwner(first), a, "popular@victims.test", "viewer");
    invitations.invite(asOwner(second), b, "popular@victims.test", "viewer");
    assertThatThrownBy(() -> invitations.invite(asOwner(third), c, "popular@victims.test", "viewer"))
        .as("invitations-per-address").isInstanceOf(Refused.class);

    HeraldUser d = fixtures.member(first, "d@limits.test", Role.admin);
    invitations.invite(asOwner(first), a, "one@victims.test", "viewer");
    invitations.invite(asOwner(first), d, "two@victims.test", "viewer");
    invitations.invite(asOwner(first), d, "three@victims.test", "viewer");
    assertThatThrownBy(() -> invitations.invite(asOwner(first), d, "four@victims.test", "viewer"))
        .as("invitations-per-organization").isInstanceOf(Refused.class);

    clock.advance(Duration.ofHours(25));
    assertThat(invitations.invite(asOwner(first), d, "four@victims.test", "viewer").email()).as("the window slides").isEqualTo(
        "four@victims.test");
  }

  // ---- telling which addresses have an account -----------------------------------------------

  private static Map<String, String> signUpForm(String email, String organization) {
    return new HashMap<>(Map.of("email", email, "displayName", "Someone", "password", "a long enough passphrase",
        "ageConfirmed", "true", "termsAccepted", "true", "organizationName", organization));
  }

  @Test
  void sign_up_with_an_existing_address_answers_like_any_sign_up_and_mails_the_owner_instead() {
    settings.setSignupEnabled(true);
    try {
      fixtures.person("taken@probe.test");
      WebClient web = new WebClient(port);
      WebClient.Page fresh = web.submit("/signup", "/signup", signUpForm("fresh@probe.test", "Probe One"));
      WebClient.Page taken = web.submit("/signup", "/signup", signUpForm("taken@probe.test", "Probe Two"));
      assertThat(taken.status()).isEqualTo(fresh.status()).isEqualTo(200);
      assertThat(withoutCsrf(taken.body()).replace("taken@probe.test", "X"))
          .isEqualTo(withoutCsrf(fresh.body()).replace("fresh@probe.test", "X"));
      assertThat(jdbc.sql("select count(*) from organization where name = 'Probe Two'").query(Long.class).single()).isZero();
      assertThat(jdbc.sql("select subject from sandbox_message where recipient = 'taken@probe.test'").query(String.class).single())
          .isEqualTo("Your Herald account");

      // Signing in with the password just chosen does not tell either: the new account waits for its link.
      assertThat(signIn.password("fresh@probe.test", "a long enough passphrase", "203.0.113.50", "test"))
          .isEqualTo(new SignIn.Refused(SignIn.BAD_CREDENTIALS));
      assertThat(signIn.password("taken@probe.test", "a long enough passphrase", "203.0.113.50", "test"))
          .isEqualTo(new SignIn.Refused(SignIn.BAD_CREDENTIALS));
      accounts.confirmSignUp(lastToken("fresh@probe.test", "/signup/confirm"), "203.0.113.50");
      assertThat(signIn.password("fresh@probe.test", "a long enough passphrase", "203.0.113.50", "test"))
          .isInstanceOf(SignIn.Accepted.class);
    } finally {
      settings.setSignupEnabled(false);
    }
  }

  @Test
  void an_address_without_an_account_is_locked_out_with_the_same_messages_as_an_account() {
    fixtures.person("real@lockout.test");
    List<String> real = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (int i = 0; i < 7; i++) {
      real.add(((SignIn.Refused) signIn.password("real@lockout.test", "wrong " + i, "203.0.113.1", "test")).message());
      unknown.add(((SignIn.Refused) signIn.password("ghost@lockout.test", "wrong " + i, "203.0.113.2", "test")).message());
    }
    assertThat(unknown).isEqualTo(real);
    assertThat(real.get(4)).contains("now locked");
    assertThat(real.get(6)).contains("is locked");

    clock.advance(Duration.ofMinutes(16));
    assertThat(((SignIn.Refused) signIn.password("ghost@lockout.test", "wrong again", "203.0.113.2", "test")).message())
        .isEqualTo(((SignIn.Refused) signIn.password("real@lockout.test", "wrong again", "203.0.113.1", "test")).message());
  }

  // ---- names ---------------------------------------------------------------------------------

  @Test
  void organization_names_with_line_breaks_or_nul_are_refused_at_sign_up_not_a_500() {
    settings.setSignupEnabled(true);
    try {
      WebClient web = new WebClient(port);
      WebClient.Page crlf = web.submit("/signup", "/signup", signUpForm("crlf@names.test", "Evil\r\nBcc: all@example.com"));
      assertThat(crlf.status()).isEqualTo(422);
      assertThat(crlf.body()).contains("A name is one line of text");
      WebClient.Page nul = web.submit("/signup", "/signup", signUpForm("nul@names.test", "Evil\u0000Co"));
      assertThat(nul.status()).isEqualTo(422);
      Map<String, String> badName = signUpForm("name@names.test", "Fine Co");
      badName.put("displayName", "Mallory\nBcc: x");
      assertThat(web.submit("/signup", "/signup", badName).status()).isEqualTo(422);
      assertThat(web.submit("/signup", "/signup", signUpForm("nul\u0000@names.test", "Fine Co")).status()).isEqualTo(422);
      assertThat(jdbc.sql("select count(*) from app_user where email like '%@names.test'").query(Long.class).single()).isZero();
    } finally {
      settings.setSignupEnabled(false);
    }
  }

  @Test
  void an_organization_named_with_a_line_break_before_the_checks_still_gets_its_invitations_out() {
    HeraldUser owner = fixtures.person("owner@oldname.test");
    Organizations.Organization org = fixtures.organization("Old Name", owner);
    jdbc.sql("update organization set name = 'Old\r\nName' where id = ?").param(org.id()).update();
    OrganizationContext context = new OrganizationContext(org.id(), org.slug(), "Old\r\nName", Role.owner.permissions());
    invitations.invite(context, owner, "mate@oldname.test", "viewer");
    assertThat(jdbc.sql("select subject from sandbox_message where recipient = 'mate@oldname.test'").query(String.class).single())
        .isEqualTo("You are invited to Old Name on Herald");
  }

  @Test
  void group_and_key_names_are_one_line() {
    HeraldUser owner = fixtures.person("owner@onelines.test");
    Organizations.Organization org = fixtures.organization("One Lines", owner);
    assertThatThrownBy(() -> groups.create(org.id(), owner.id(), "Two\nLines", List.of()))
        .isInstanceOf(Refused.class).hasMessageContaining("one line");
    assertThatThrownBy(() -> accounts.createOrganization(owner.id(), "Tab\there")).isInstanceOf(Refused.class);
  }

  // ---- sign-up closed by default ---------------------------------------------------------------

  @Test
  void a_new_installation_starts_with_sign_up_closed_and_an_older_one_keeps_its_setting() throws Exception {
    jdbc.sql("delete from platform_setting where name = 'signup_enabled'").update();
    assertThat(settings.signupEnabled()).isFalse();
    assertThat(new WebClient(port).get("/signup").body()).contains("Sign-up is closed");

    // The migration, run on an installation with people and nothing stored: it stays open as it was.
    String migration = Files.readString(Path.of("src/main/resources/db/migration/V21__signup_closed_by_default.sql"));
    fixtures.person("someone@older.test");
    jdbc.sql(migration).update();
    assertThat(settings.signupEnabled()).isTrue();
    // A stored choice is never changed.
    settings.setSignupEnabled(false);
    jdbc.sql(migration).update();
    assertThat(settings.signupEnabled()).isFalse();
  }
}
