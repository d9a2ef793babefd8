package dev.herald.tenancy;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Text;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Checks a sign-in: address rate limit, account lockout, password, then the second factor. Every
 * attempt, good or bad, is written to {@code login_event} with time and address; counts live in
 * PostgreSQL so limits hold across nodes.
 */
@Service
class SignIn {
  sealed interface Outcome {}
  record Accepted(Users.User user) implements Outcome {}
  record SecondFactorNeeded(Users.User user) implements Outcome {}
  record Refused(String message) implements Outcome {}

  static final String BAD_CREDENTIALS = "The email address or password is not correct.";
  static final String LOCKED_BY_OPERATOR = "This account is locked by the operator of this installation. Ask them to unlock it.";
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm 'UTC'").withZone(ZoneId.of("UTC"));

  private final Users users;
  private final PasswordEncoder passwords;
  private final TwoFactor twoFactor;
  private final JdbcClient jdbc;
  private final HeraldProperties.Login limits;
  private final Clock clock;
  /** Verified against when the address is unknown, so timing does not tell which addresses exist. */
  private final String decoyHash;

  SignIn(Users users, PasswordEncoder passwords, TwoFactor twoFactor, JdbcClient jdbc, HeraldProperties properties, Clock clock) {
    this.users = users;
    this.passwords = passwords;
    this.twoFactor = twoFactor;
    this.jdbc = jdbc;
    this.limits = properties.login();
    this.clock = clock;
    this.decoyHash = passwords.encode("decoy-password-for-timing");
  }

  @Transactional
  Outcome password(String email, String password, String ip, String userAgent) {
    String address = email == null ? "" : email.trim();
    Instant now = clock.instant();
    if (failuresFrom(ip, now) >= limits.maxFailuresPerAddress()) {
      record(null, address, ip, userAgent, false, "address rate limited");
      return new Refused("Too many failed sign-ins from your network. Try again in "
          + limits.addressWindow().toMinutes() + " minutes.");
    }
    Optional<Users.User> found = users.byEmail(address);
    if (found.isEmpty()) return unknownAddress(address, password, ip, userAgent, now);
    Users.User user = found.get();
    if (user.lockedUntil() != null && user.lockedUntil().isAfter(now)) {
      record(user.id(), address, ip, userAgent, false, "locked");
      return locked(user.lockedUntil());
    }
    // An account whose address is not confirmed yet cannot sign in: it answers like a wrong password, so
    // signing up with someone's address and then signing in cannot tell whether the address had an account.
    boolean matches = password != null && passwords.matches(password, user.passwordHash());
    if (!matches || !user.confirmed()) {
      users.recordFailure(user.id(), limits.maxFailures(), now.plus(limits.lockout()));
      record(user.id(), address, ip, userAgent, false, matches ? "address not confirmed" : "wrong password");
      return wrongPassword(user.failedLogins());
    }
    // Said only to someone who knows the password, so it tells a stranger nothing about the address.
    if (user.operatorLockedAt() != null) {
      record(user.id(), address, ip, userAgent, false, "locked by the operator");
      return new Refused(LOCKED_BY_OPERATOR);
    }
    if (user.totpEnabled()) return new SecondFactorNeeded(user);
    users.clearFailures(user.id());
    record(user.id(), address, ip, userAgent, true, null);
    return new Accepted(user);
  }

  /**
   * An address without an account answers exactly as an account does, lockout included: its failures are
   * counted from {@code login_event}, and it is "locked" from the failure that reaches the limit for as long
   * as an account would be. Otherwise the lockout message would tell which addresses have an account.
   */
  private Outcome unknownAddress(String address, String password, String ip, String userAgent, Instant now) {
    String stored = storedEmail(address);
    record Failures(long count, java.sql.Timestamp last) {}
    Failures failures = jdbc.sql("""
        select count(*), max(at) from login_event
        where user_id is null and not success and lower(email) = lower(?) and reason = 'unknown address'""")
        .param(stored).query((rs, n) -> new Failures(rs.getLong(1), rs.getTimestamp(2))).single();
    Instant lockedUntil = failures.count() >= limits.maxFailures() ? failures.last().toInstant().plus(limits.lockout()) : null;
    if (lockedUntil != null && lockedUntil.isAfter(now)) {
      record(null, address, ip, userAgent, false, "locked");
      return locked(lockedUntil);
    }
    passwords.matches(password == null ? "" : password, decoyHash);
    record(null, address, ip, userAgent, false, "unknown address");
    return wrongPassword((int) Math.min(failures.count(), Integer.MAX_VALUE));
  }

  private static Refused locked(Instant until) {
    return new Refused("This account is locked after too many failed sign-ins. Try again after " + TIME.format(until)
        + ", or reset your password.");
  }

  /** {@code failedBefore}: the failures counted before this one. */
  private Refused wrongPassword(int failedBefore) {
    int left = limits.maxFailures() - failedBefore - 1;
    return new Refused(left > 0 ? BAD_CREDENTIALS
        : "This account is now locked for " + limits.lockout().toMinutes() + " minutes after too many failed sign-ins.");
  }

  /** Second step: a TOTP code or an unused recovery code. */
  @Transactional
  Outcome secondFactor(long userId, String code, String ip, String userAgent) {
    Users.User user = users.byId(userId).orElse(null);
    if (user == null) return new Refused("Sign in again.");
    Instant now = clock.instant();
    if (user.lockedUntil() != null && user.lockedUntil().isAfter(now)) {
      record(user.id(), user.email(), ip, userAgent, false, "locked");
      return new Refused("This account is locked after too many failed sign-ins. Try again after " + TIME.format(user.lockedUntil()) + ".");
    }
    if (user.operatorLockedAt() != null) {
      record(user.id(), user.email(), ip, userAgent, false, "locked by the operator");
      return new Refused(LOCKED_BY_OPERATOR);
    }
    boolean ok = twoFactor.verifyOnce(user.id(), user.totpSecret(), code) || twoFactor.useRecoveryCode(user.id(), code);
    if (!ok) {
      users.recordFailure(user.id(), limits.maxFailures(), now.plus(limits.lockout()));
      record(user.id(), user.email(), ip, userAgent, false, "wrong second factor");
      return new Refused("That code is not valid. Enter the 6-digit code from your authenticator app or a recovery code.");
    }
    users.clearFailures(user.id());
    record(user.id(), user.email(), ip, userAgent, true, "with second factor");
    return new Accepted(user);
  }

  private int failuresFrom(String ip, Instant now) {
    return jdbc.sql("select count(*) from login_event where ip = ? and not success and at > ?")
        .params(ip, java.sql.Timestamp.from(now.minus(limits.addressWindow()))).query(Integer.class).single();
  }

  private void record(Long userId, String email, String ip, String userAgent, boolean success, String reason) {
    jdbc.sql("insert into login_event (user_id, email, ip, user_agent, success, reason, at) values (?, ?, ?, ?, ?, ?, ?)")
        .params(userId, storedEmail(email), ip,
            userAgent == null ? null : Text.visible(userAgent.substring(0, Math.min(400, userAgent.length()))), success, reason,
            java.sql.Timestamp.from(clock.instant()))
        .update();
  }

  /** The address as {@code login_event} keeps it: at most 320 characters, controls made visible. */
  private static String storedEmail(String email) {
    return Text.visible(email.length() > 320 ? email.substring(0, 320) : email);
  }

  record LoginRecord(Instant at, String ip, String userAgent, boolean success, String reason) {}

  java.util.List<LoginRecord> history(long userId, int limit) {
    return jdbc.sql("select at, ip, user_agent, success, reason from login_event where user_id = ? order by at desc, id desc limit ?")
        .params(userId, limit).query(LoginRecord.class).list();
  }
}
