package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import com.eatthepath.otp.TimeBasedOneTimePasswordGenerator;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import dev.herald.testsupport.WebClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import javax.crypto.spec.SecretKeySpec;
import org.apache.commons.codec.binary.Base32;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/** Sign-in over HTTP: lockout, per-address rate limit, second factor, recovery codes, login history. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@Import({Fixtures.class, TestClock.class})
class SignInTest {
  @LocalServerPort int port;
  @Autowired Fixtures fixtures;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Autowired Users users;
  @Autowired TwoFactor twoFactor;

  WebClient.Page login(WebClient web, String email, String password) {
    return web.submit("/login", "/login", Map.of("email", email, "password", password));
  }

  @Test
  void a_good_password_signs_in_and_the_attempt_is_recorded_with_the_address() {
    fixtures.person("good@signin.test");
    WebClient web = new WebClient(port);
    WebClient.Page page = login(web, "good@signin.test", Fixtures.PASSWORD);
    assertThat(page.locationPath()).isEqualTo("/dashboard");
    assertThat(web.get("/account").body()).contains("127.0.0.1");
    assertThat(jdbc.sql("select count(*) from login_event where email = 'good@signin.test' and success and ip = '127.0.0.1'")
        .query(Long.class).single()).isEqualTo(1);
  }

  @Test
  void a_sign_in_after_a_failed_one_keeps_the_address_and_device_of_the_session() {
    fixtures.person("second-try@signin.test");
    WebClient web = new WebClient(port);
    login(web, "second-try@signin.test", "not the password");
    assertThat(login(web, "second-try@signin.test", Fixtures.PASSWORD).locationPath()).isEqualTo("/dashboard");
    String sessions = web.get("/account").body();
    assertThat(sessions.substring(sessions.indexOf("id=\"sessions\""))).contains("Java-http-client").contains("127.0.0.1");
  }

  @Test
  void five_wrong_passwords_lock_the_account_with_a_clear_message_until_the_lockout_ends() {
    fixtures.person("locked@signin.test");
    WebClient web = new WebClient(port);
    for (int i = 0; i < 4; i++) {
      WebClient.Page p = login(web, "locked@signin.test", "wrong password " + i);
      assertThat(p.status()).isEqualTo(401);
      assertThat(p.body()).contains("The email address or password is not correct.");
    }
    assertThat(login(web, "locked@signin.test", "wrong again").body()).contains("now locked for 15 minutes");
    WebClient.Page locked = login(web, "locked@signin.test", Fixtures.PASSWORD);
    assertThat(locked.status()).isEqualTo(401);
    assertThat(locked.body()).contains("This account is locked");

    clock.advance(Duration.ofMinutes(16));
    assertThat(login(web, "locked@signin.test", Fixtures.PASSWORD).locationPath()).isEqualTo("/dashboard");
    assertThat(jdbc.sql("select count(*) from login_event where email = 'locked@signin.test' and not success")
        .query(Long.class).single()).isEqualTo(6);
  }

  @Test
  void many_failures_from_one_address_are_rate_limited_whatever_the_account() {
    fixtures.person("victim@signin.test");
    // A fresh window for this test: other tests' failures from 127.0.0.1 lie in the past.
    clock.advance(Duration.ofHours(1));
    jdbc.sql("update login_event set at = at - interval '1 day'").update();
    WebClient web = new WebClient(port);
    for (int i = 0; i < 20; i++) login(web, "nobody" + i + "@signin.test", "guess");
    WebClient.Page limited = login(web, "victim@signin.test", Fixtures.PASSWORD);
    assertThat(limited.status()).isEqualTo(401);
    assertThat(limited.body()).contains("Too many failed sign-ins from your network");
    jdbc.sql("update login_event set at = at - interval '1 day'").update();
  }

  @Test
  void with_two_factor_on_the_password_alone_is_not_enough() throws Exception {
    HeraldUser user = fixtures.person("totp@signin.test");
    String secret = twoFactor.newSecret();
    users.setTotpSecret(user.id(), secret);
    users.enableTotp(user.id());
    List<String> recovery = twoFactor.newRecoveryCodes(user.id());

    WebClient web = new WebClient(port);
    assertThat(login(web, "totp@signin.test", Fixtures.PASSWORD).locationPath()).isEqualTo("/login/2fa");
    assertThat(web.get("/account").body()).as("not signed in yet").doesNotContain("totp@signin.test");

    WebClient.Page wrong = web.submit("/login/2fa", "/login/2fa", Map.of("code", "000000"));
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(wrong.body()).contains("That code is not valid");

    WebClient.Page ok = web.submit("/login/2fa", "/login/2fa", Map.of("code", code(secret, clock)));
    assertThat(ok.locationPath()).isEqualTo("/dashboard");

    // The same code again, within its window, from another browser: refused (no replay).
    WebClient replay = new WebClient(port);
    login(replay, "totp@signin.test", Fixtures.PASSWORD);
    assertThat(replay.submit("/login/2fa", "/login/2fa", Map.of("code", code(secret, clock))).status()).isEqualTo(401);
    clock.advance(Duration.ofSeconds(30));
    assertThat(replay.submit("/login/2fa", "/login/2fa", Map.of("code", code(secret, clock))).locationPath())
        .as("the next step's code works").isEqualTo("/dashboard");

    // A recovery code works once.
    WebClient second = new WebClient(port);
    login(second, "totp@signin.test", Fixtures.PASSWORD);
    assertThat(second.submit("/login/2fa", "/login/2fa", Map.of("code", recovery.get(0))).locationPath()).isEqualTo("/dashboard");
    WebClient third = new WebClient(port);
    login(third, "totp@signin.test", Fixtures.PASSWORD);
    assertThat(third.submit("/login/2fa", "/login/2fa", Map.of("code", recovery.get(0))).status()).isEqualTo(401);
  }

  @Test
  void two_factor_is_enrolled_from_the_account_page_with_a_code_from_the_app() throws Exception {
    fixtures.person("enrol@signin.test");
    WebClient web = new WebClient(port);
    login(web, "enrol@signin.test", Fixtures.PASSWORD);
    web.get("/account");
    web.post("/account/2fa/start", Map.of());
    String page = web.get("/account").body();
    assertThat(page).contains("<svg");
    String secret = page.replaceAll("(?s).*?\\b([A-Z2-7]{32})\\b.*", "$1");
    assertThat(secret).hasSize(32);
    assertThat(web.post("/account/2fa/confirm", Map.of("code", "123456")).status()).isEqualTo(302);
    assertThat(users.byEmail("enrol@signin.test").orElseThrow().totpEnabled()).as("a wrong code enables nothing").isFalse();
    assertThat(web.get("/account").body()).as("beside the code field")
        .contains("id=\"code-error\">That code is not valid. Check the time on your phone and try again.</p>");
    web.post("/account/2fa/confirm", Map.of("code", code(secret, clock)));
    assertThat(users.byEmail("enrol@signin.test").orElseThrow().totpEnabled()).isTrue();
    assertThat(web.get("/account").body()).contains("10");
    assertThat(twoFactor.remainingRecoveryCodes(users.byEmail("enrol@signin.test").orElseThrow().id())).isEqualTo(10);

    assertThat(web.post("/account/2fa/disable", Map.of("password", "not the password")).locationPath()).isEqualTo("/account");
    assertThat(users.byEmail("enrol@signin.test").orElseThrow().totpEnabled()).as("a wrong password turns nothing off").isTrue();
    assertThat(web.get("/account").body()).contains("id=\"disablePassword-error\">Your password is not correct.</p>")
        .doesNotContain("not the password");
    web.post("/account/2fa/disable", Map.of("password", Fixtures.PASSWORD));
    assertThat(users.byEmail("enrol@signin.test").orElseThrow().totpEnabled()).isFalse();
  }

  static String code(String secret, Clock clock) throws Exception {
    TimeBasedOneTimePasswordGenerator totp = new TimeBasedOneTimePasswordGenerator();
    return totp.generateOneTimePasswordString(new SecretKeySpec(new Base32().decode(secret), totp.getAlgorithm()), clock.instant());
  }
}
