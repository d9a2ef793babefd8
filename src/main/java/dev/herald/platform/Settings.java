package dev.herald.platform;

import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Installation settings the operator changes at run time in the panel (unlike {@link HeraldProperties},
 * which are fixed at start). Read from PostgreSQL on each use so every node sees a change at once.
 */
@Component
public class Settings {
  public static final int DEFAULT_MINIMUM_AGE = 18;
  /** Days a closed organization can be reopened before its data is purged (issue 13: 30 by default). */
  public static final int DEFAULT_CLOSURE_GRACE_DAYS = 30;
  public static final int MAX_CLOSURE_GRACE_DAYS = 365;
  private final JdbcClient jdbc;

  Settings(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Closed until the operator opens it: a new installation's operator invites people (V21 kept older installations open). */
  public boolean signupEnabled() {
    return get("signup_enabled").map(Boolean::parseBoolean).orElse(false);
  }

  public int minimumAge() {
    return get("minimum_age").map(Integer::parseInt).orElse(DEFAULT_MINIMUM_AGE);
  }

  public void setSignupEnabled(boolean enabled) {
    put("signup_enabled", Boolean.toString(enabled));
  }

  /** Refused (Invalid {@code minimumAge}) outside 13 to 21, the range the operator page offers. */
  public void setMinimumAge(int age) {
    if (age < 13 || age > 21) throw Refused.invalid("minimumAge", "The minimum age must be between 13 and 21.");
    put("minimum_age", Integer.toString(age));
  }

  /** How long an organization its owner closed stays reopenable before its data is purged. */
  public java.time.Duration closureGrace() {
    return java.time.Duration.ofDays(get("closure_grace_days").map(Integer::parseInt).orElse(DEFAULT_CLOSURE_GRACE_DAYS));
  }

  /** Refused (Invalid {@code closureGraceDays}) outside 1 to 365 days. */
  public void setClosureGraceDays(int days) {
    if (days < 1 || days > MAX_CLOSURE_GRACE_DAYS) {
      throw Refused.invalid("closureGraceDays", "The grace period of a closed organization must be 1 to " + MAX_CLOSURE_GRACE_DAYS + " days.");
    }
    put("closure_grace_days", Integer.toString(days));
  }

  private Optional<String> get(String name) {
    return jdbc.sql("select value from platform_setting where name = ?").param(name).query(String.class).optional();
  }

  private void put(String name, String value) {
    jdbc.sql("""
        insert into platform_setting (name, value) values (?, ?)
        on conflict (name) do update set value = excluded.value, updated_at = now()""")
        .params(name, value).update();
  }
}
