package dev.herald.tenancy;

import java.time.Instant;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** People who sign in: operator and organization members. */
@Repository
class Users {
  private final JdbcClient jdbc;

  Users(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  record User(long id, String email, String displayName, String passwordHash, boolean operator, String totpSecret,
      boolean totpEnabled, int failedLogins, Instant lockedUntil, Instant passwordChangedAt, Instant emailConfirmedAt) {
    /** Whether the person confirmed their address (by a mailed link, an invitation or setup): only then can they sign in. */
    boolean confirmed() {
      return emailConfirmedAt != null;
    }

    HeraldUser principal() {
      return new HeraldUser(id, email, displayName, operator);
    }
  }

  private static final String COLUMNS = """
      id, email, display_name, password_hash, operator, totp_secret, totp_enabled, failed_logins, locked_until,
      password_changed_at, email_confirmed_at""";

  /** Empty also for an address holding a control character: no account has one, and PostgreSQL's text cannot hold a NUL. */
  Optional<User> byEmail(String email) {
    if (email.chars().anyMatch(c -> c < 0x20)) return Optional.empty();
    return jdbc.sql("select " + COLUMNS + " from app_user where lower(email) = lower(?)").param(email.trim())
        .query(User.class).optional();
  }

  Optional<User> byId(long id) {
    return jdbc.sql("select " + COLUMNS + " from app_user where id = ?").param(id).query(User.class).optional();
  }

  boolean any() {
    return jdbc.sql("select exists(select 1 from app_user)").query(Boolean.class).single();
  }

  boolean anyOperator() {
    return jdbc.sql("select exists(select 1 from app_user where operator)").query(Boolean.class).single();
  }

  /** {@code confirmed}: whether the address is proven already (setup, an invitation), else a mailed link must confirm it. */
  long create(String email, String displayName, String passwordHash, boolean operator, int ageConfirmed, boolean confirmed) {
    return jdbc.sql("""
        insert into app_user (email, display_name, password_hash, operator, age_confirmed, email_confirmed_at)
        values (?, ?, ?, ?, ?, case when ? then now() end) returning id""")
        .params(email.trim(), displayName.trim(), passwordHash, operator, ageConfirmed, confirmed)
        .query(Long.class).single();
  }

  /** False when it was confirmed already. */
  boolean confirmEmail(long id) {
    return jdbc.sql("update app_user set email_confirmed_at = now() where id = ? and email_confirmed_at is null").param(id).update() == 1;
  }

  void setPassword(long id, String passwordHash) {
    jdbc.sql("""
        update app_user set password_hash = ?, password_changed_at = now(), failed_logins = 0, locked_until = null
        where id = ?""").params(passwordHash, id).update();
  }

  /** Counts a failed password and locks the account once {@code maxFailures} is reached. */
  void recordFailure(long id, int maxFailures, Instant lockUntil) {
    jdbc.sql("""
        update app_user set failed_logins = failed_logins + 1,
          locked_until = case when failed_logins + 1 >= ? then ? else locked_until end
        where id = ?""").params(maxFailures, java.sql.Timestamp.from(lockUntil), id).update();
  }

  void clearFailures(long id) {
    jdbc.sql("update app_user set failed_logins = 0, locked_until = null where id = ? and (failed_logins > 0 or locked_until is not null)")
        .param(id).update();
  }

  void setTotpSecret(long id, String secret) {
    jdbc.sql("update app_user set totp_secret = ?, totp_enabled = false where id = ?").params(secret, id).update();
  }

  void enableTotp(long id) {
    jdbc.sql("update app_user set totp_enabled = true where id = ? and totp_secret is not null").param(id).update();
  }

  void disableTotp(long id) {
    jdbc.sql("update app_user set totp_secret = null, totp_enabled = false where id = ?").param(id).update();
    jdbc.sql("delete from totp_recovery_code where user_id = ?").param(id).update();
  }

  long count() {
    return jdbc.sql("select count(*) from app_user").query(Long.class).single();
  }
}
