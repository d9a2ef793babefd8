package dev.herald.tenancy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.Settings;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * Regression (issue 9): a sign-up with someone else's address left an unconfirmed account and an organization named by
 * the stranger behind for good. Once the link expires unused, both go; confirmed sign-ups stay.
 */
@SpringBootTest
@Import(TestClock.class)
class AbandonedSignUpsTest {
  @Autowired Accounts accounts;
  @Autowired AbandonedSignUps abandoned;
  @Autowired Settings settings;
  @Autowired JdbcClient jdbc;
  @Autowired MutableClock clock;

  static Accounts.NewPerson person(String email) {
    return new Accounts.NewPerson(email, "Someone", "a long enough passphrase", true, true);
  }

  long count(String sql, Object... params) {
    return jdbc.sql(sql).params(params).query(Long.class).single();
  }

  String token(String email) {
    String mail = jdbc.sql("select body_text from sandbox_message where recipient = ? and purpose = 'signup' order by id desc limit 1")
        .param(email).query(String.class).single();
    Matcher m = Pattern.compile("token=([A-Za-z0-9_-]+)").matcher(mail);
    assertThat(m.find()).isTrue();
    return m.group(1);
  }

  @Test
  void a_sign_up_with_someone_elses_address_leaves_no_organization_behind_once_its_link_expires() {
    settings.setSignupEnabled(true);
    accounts.signUp(person("victim@signup.test"), "Squatted Co", "192.0.2.1");
    accounts.signUp(person("kept@signup.test"), "Kept Co", "192.0.2.2");
    accounts.confirmSignUp(token("kept@signup.test"), "192.0.2.2");
    assertThat(count("select count(*) from organization where name in ('Squatted Co', 'Kept Co')")).isEqualTo(2);

    clock.advance(Accounts.SIGNUP_LINK_VALIDITY.minus(Duration.ofMinutes(5)));
    assertThat(abandoned.sweep()).as("the link still works").isZero();
    assertThat(count("select count(*) from organization where name = 'Squatted Co'")).isEqualTo(1);

    clock.advance(Duration.ofMinutes(10));
    assertThat(abandoned.sweep()).isEqualTo(1);
    assertThat(count("select count(*) from organization where name = 'Squatted Co'")).isZero();
    assertThat(count("select count(*) from app_user where email = 'victim@signup.test'")).isZero();
    assertThat(count("select count(*) from organization where name = 'Kept Co'")).as("a confirmed sign-up stays").isEqualTo(1);
    assertThat(count("select count(*) from app_user where email = 'kept@signup.test'")).isEqualTo(1);
    assertThat(count("select count(*) from audit_event where organization_id is null and action = 'signup.expired'"
        + " and detail like 'name=Squatted Co%'")).as("the operator's log keeps it").isEqualTo(1);

    // The address's owner now signs up as anyone would, and gets the confirmation link, not "you have an account".
    accounts.signUp(person("victim@signup.test"), "Victim's Own Co", "192.0.2.3");
    assertThat(jdbc.sql("select subject from sandbox_message where recipient = 'victim@signup.test' order by id desc limit 1")
        .query(String.class).single()).isEqualTo("Confirm your Herald account");
  }

  @Test
  void an_organization_with_a_confirmed_member_is_kept_and_only_the_unconfirmed_account_goes() {
    settings.setSignupEnabled(true);
    accounts.signUp(person("late@signup.test"), "Shared Co", "192.0.2.4");
    long org = count("select id from organization where name = 'Shared Co'");
    accounts.signUp(person("teammate@signup.test"), "Other Co", "192.0.2.5");
    accounts.confirmSignUp(token("teammate@signup.test"), "192.0.2.5");
    jdbc.sql("insert into membership (organization_id, user_id, role) select ?, id, 'admin' from app_user where email = 'teammate@signup.test'")
        .param(org).update();
    clock.advance(Accounts.SIGNUP_LINK_VALIDITY.plus(Duration.ofMinutes(1)));
    abandoned.sweep();
    assertThat(count("select count(*) from organization where id = ?", org)).isEqualTo(1);
    assertThat(count("select count(*) from app_user where email = 'late@signup.test'")).isZero();
  }
}
