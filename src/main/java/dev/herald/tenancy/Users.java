package dev.herald.tenancy;

import dev.herald.platform.Text;
import java.time.Instant;
import java.util.List;
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
      boolean totpEnabled, int failedLogins, Instant lockedUntil, Instant passwordChangedAt, Instant emailConfirmedAt,
      Instant operatorLockedAt) {
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
      password_changed_at, email_confirmed_at, operator_locked_at""";

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

  /** A row of the operator's list of people. */
  record Listed(long id, String email, String displayName, boolean operator, Instant createdAt, Instant lastSignInAt,
      Instant lockedAt, long organizations) {
    public boolean locked() {
      return lockedAt != null;
    }
  }

  record ListPage(List<Listed> items, long total, int page, int size) {}

  /** Newest first, filtered by {@code q} (part of the address or name, case-insensitive); two queries whatever the page size. */
  ListPage search(String q, int page, int size) {
    String pattern = q == null ? "" : Text.requireNoControls("q", q).strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    String where = " where (:q = '' or u.email ilike '%' || :q || '%' or u.display_name ilike '%' || :q || '%')";
    long total = jdbc.sql("select count(*) from app_user u" + where).param("q", pattern).query(Long.class).single();
    List<Listed> items = jdbc.sql("""
        select u.id, u.email, u.display_name, u.operator, u.created_at,
               (select max(e.at) from login_event e where e.user_id = u.id and e.success) as last_sign_in_at,
               u.operator_locked_at as locked_at,
               (select count(*) from membership m where m.user_id = u.id) as organizations
        from app_user u""" + where + """

        order by u.created_at desc, u.id desc limit :size offset :offset""")
        .param("q", pattern).param("size", size).param("offset", (long) page * size)
        .query(Listed.class).list();
    return new ListPage(items, total, page, size);
  }

  /** False when there is no such account or it is locked already. */
  boolean lockByOperator(long id) {
    return jdbc.sql("update app_user set operator_locked_at = now() where id = ? and operator_locked_at is null").param(id).update() == 1;
  }

  /** False when there is no such account or it is not locked. */
  boolean unlockByOperator(long id) {
    return jdbc.sql("update app_user set operator_locked_at = null where id = ? and operator_locked_at is not null").param(id).update() == 1;
  }

  long count() {
    return jdbc.sql("select count(*) from app_user").query(Long.class).single();
  }
}
