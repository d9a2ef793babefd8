package dev.herald.tenancy;

import dev.herald.platform.Refused;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Settings;
import dev.herald.platform.SystemMail;
import dev.herald.platform.Text;
import dev.herald.platform.Tokens;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.security.crypto.password.PasswordEncoder;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Creating people and organizations, and the password flows: first-start setup, sign-up, reset by
 * an emailed single-use link, and change. Rules are checked here, so the panel and the API refuse
 * the same things with the same field and message.
 */
@Service
class Accounts {
  static final int MIN_PASSWORD = 10;
  /** Long enough to find the mail the next day; an unconfirmed account can still be rescued by a password reset. */
  static final Duration SIGNUP_LINK_VALIDITY = Duration.ofHours(48);
  // Deliberately simple here; the audiences capability owns full RFC 6531 address validation.
  private static final Pattern EMAIL = Pattern.compile("^[^@\\s\\p{Cntrl}]{1,64}@[^@\\s.\\p{Cntrl}]+(\\.[^@\\s.\\p{Cntrl}]+)+$");

  private final Users users;
  private final Organizations organizations;
  private final Policies policies;
  private final PasswordEncoder passwords;
  private final Settings settings;
  private final SystemMail mail;
  private final AuditLog audit;
  private final JdbcClient jdbc;
  private final HeraldProperties properties;
  private final MailLimits mailLimits;
  private final Clock clock;

  Accounts(Users users, Organizations organizations, Policies policies, PasswordEncoder passwords, Settings settings,
      SystemMail mail, AuditLog audit, JdbcClient jdbc, HeraldProperties properties, MailLimits mailLimits, Clock clock) {
    this.mailLimits = mailLimits;
    this.users = users;
    this.organizations = organizations;
    this.policies = policies;
    this.passwords = passwords;
    this.settings = settings;
    this.mail = mail;
    this.audit = audit;
    this.jdbc = jdbc;
    this.properties = properties;
    this.clock = clock;
  }

  /** What a person enters to get an account (sign-up, setup, accepting an invitation). */
  record NewPerson(String email, String displayName, String password, boolean ageConfirmed, boolean termsAccepted) {}

  // ---- first start -------------------------------------------------------------------------

  /** Issues a new setup token (older ones stop working); empty once an operator exists. */
  @Transactional
  Optional<String> issueSetupToken() {
    if (users.anyOperator()) return Optional.empty();
    jdbc.sql("update one_time_token set used_at = now() where purpose = 'setup' and used_at is null").update();
    return Optional.of(issueToken("setup", null, properties.setupLinkValidity()));
  }

  boolean setupTokenValid(String token) {
    return !users.anyOperator() && tokenUser(token, "setup").isPresent();
  }

  /** Creates the operator's account, and their first organization so they can use the panel at once. */
  @Transactional
  Users.User completeSetup(String token, NewPerson person, String organizationName, String ip) {
    if (users.anyOperator() || consumeToken(token, "setup").isEmpty()) {
      throw Refused.invalid("token", "This setup link is invalid, used or expired. Restart Herald to print a new one.");
    }
    validatePerson(person);
    requireNewAddress(person.email());
    long userId = users.create(person.email(), person.displayName(), passwords.encode(person.password()), true, settings.minimumAge(), true);
    policies.accept(userId, ip);
    long orgId = createOrganization(userId, organizationName);
    audit.recordAs(null, userId, person.email(), "operator.created", "user", userId, null, ip);
    audit.recordAs(orgId, userId, person.email(), "organization.created", "organization", orgId, organizationName, ip);
    return users.byId(userId).orElseThrow();
  }

  // ---- sign-up -----------------------------------------------------------------------------

  /**
   * Starts a sign-up, answering alike whether or not the address has an account (so sign-up cannot tell
   * which addresses do): a new address gets an unconfirmed account, its organization and a mailed link
   * that confirms it; an address with an account gets a mail saying so instead, and nothing is created.
   * The mails count against the reset limits per requesting IP address and per address.
   */
  @Transactional
  void signUp(NewPerson person, String organizationName, String ip) {
    if (!settings.signupEnabled()) {
      throw Refused.forbidden("Sign-up is closed on this installation; ask for an invitation.");
    }
    validatePerson(person);
    organizationName(organizationName);
    HeraldProperties.MailLimits max = properties.mailLimits();
    String address = person.email().trim();
    // The address's key is locked from here to the commit, so two sign-ups of one new address take turns.
    if (!mailLimits.take("signup", max.resetWindow(), List.of(new MailLimits.Limit("ip:" + ip, max.resetsPerAddress()),
        new MailLimits.Limit("email:" + address.toLowerCase(Locale.ROOT), max.resetsPerAccount())))) {
      return;
    }
    Optional<Users.User> existing = users.byEmail(address);
    if (existing.isPresent()) {
      Users.User user = existing.get();
      mail.send(new SystemMail.SystemMessage(user.email(), "Your Herald account",
          "Someone (hopefully you) tried to create a Herald account with this address, which has one already.\n\n"
              + "Sign in here: " + properties.link("/login") + "\n"
              + "Forgot your password? Choose a new one here: " + properties.link("/password/forgot") + "\n\n"
              + "If it was not you, ignore this message; nothing changed. The request came from " + ip + ".",
          "signup_existing"));
      audit.recordAs(null, user.id(), user.email(), "signup.existing_address", "user", user.id(), null, ip);
      return;
    }
    long userId = users.create(address, person.displayName(), passwords.encode(person.password()), false, settings.minimumAge(), false);
    policies.accept(userId, ip);
    long orgId = createOrganization(userId, organizationName);
    audit.recordAs(orgId, userId, address, "organization.created", "organization", orgId, organizationName.trim(), ip);
    String token = issueToken("signup", userId, SIGNUP_LINK_VALIDITY);
    mail.send(new SystemMail.SystemMessage(address, "Confirm your Herald account",
        "Welcome to Herald. Confirm your address to finish creating your account (the link works once, for "
            + SIGNUP_LINK_VALIDITY.toHours() + " hours):\n"
            + properties.link("/signup/confirm?token=" + token) + "\n\n"
            + "If you did not sign up, ignore this message; the account stays unusable.",
        "signup"));
  }

  boolean signUpTokenValid(String token) {
    return tokenUser(token, "signup").isPresent();
  }

  /** Confirms the address of a signed-up account; the caller signs the person in. */
  @Transactional
  Users.User confirmSignUp(String token, String ip) {
    long userId = consumeToken(token, "signup")
        .orElseThrow(() -> Refused.invalid("token", "This confirmation link is invalid, used or expired. Sign in, or sign up again."));
    users.confirmEmail(userId);
    Users.User user = users.byId(userId).orElseThrow();
    audit.recordAs(null, userId, user.email(), "signup.confirmed", "user", userId, null, ip);
    return user;
  }

  /** Creates a person's account without an organization (used when accepting an invitation, which proves the address). */
  @Transactional
  Users.User createPerson(NewPerson person, String ip) {
    validatePerson(person);
    requireNewAddress(person.email());
    long userId = users.create(person.email(), person.displayName(), passwords.encode(person.password()), false, settings.minimumAge(),
        true);
    policies.accept(userId, ip);
    return users.byId(userId).orElseThrow();
  }

  /** The name an organization gets, trimmed, or refused: one line of 1 to 100 characters. */
  static String organizationName(String name) {
    String clean = name == null ? "" : Text.requireOneLine("organizationName", name).trim();
    if (clean.isEmpty() || clean.length() > 100) throw Refused.invalid("organizationName", "Name the organization (1 to 100 characters).");
    return clean;
  }

  @Transactional
  long createOrganization(long ownerId, String name) {
    String clean = organizationName(name);
    String base = slugOf(clean);
    String slug = base;
    for (int n = 2; organizations.slugTaken(slug); n++) slug = base + "-" + n;
    long orgId = organizations.create(slug, clean);
    organizations.addMember(orgId, ownerId, Role.owner);
    return orgId;
  }

  static String slugOf(String name) {
    String ascii = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "").toLowerCase(Locale.ROOT);
    String slug = ascii.replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > 40) slug = slug.substring(0, 40).replaceAll("-+$", "");
    return slug.isEmpty() ? "org" : slug;
  }

  void validatePerson(NewPerson p) {
    validateEmail("email", p.email());
    Text.requireOneLine("displayName", p.displayName());
    if (p.displayName() == null || p.displayName().isBlank() || p.displayName().length() > 100) {
      throw Refused.invalid("displayName", "Enter your name (1 to 100 characters).");
    }
    validatePassword(p.password(), p.email());
    if (!p.ageConfirmed()) {
      throw Refused.invalid("ageConfirmed", "You must be at least " + settings.minimumAge() + " years old to use Herald.");
    }
    if (!p.termsAccepted()) {
      throw Refused.invalid("termsAccepted", "Accept the terms of service and privacy policy to continue.");
    }
  }

  /** Not for sign-up, which must not tell whether an address has an account: setup and invitations only. */
  private void requireNewAddress(String email) {
    if (users.byEmail(email).isPresent()) {
      throw Refused.conflict("email", "An account with this email address exists already. Sign in instead.");
    }
  }

  static void validateEmail(String field, String email) {
    if (email == null || email.length() > 254 || !EMAIL.matcher(email.trim()).matches()) {
      throw Refused.invalid(field, "Enter a valid email address, such as name@example.com.");
    }
  }

  static void validatePassword(String password, String email) {
    if (password == null || password.length() < MIN_PASSWORD) {
      throw Refused.invalid("password", "Use at least " + MIN_PASSWORD + " characters.");
    }
    if (password.length() > 128) throw Refused.invalid("password", "Use at most 128 characters.");
    if (email != null && password.equalsIgnoreCase(email.trim())) {
      throw Refused.invalid("password", "Do not use your email address as your password.");
    }
  }

  // ---- password reset and change -------------------------------------------------------------

  /**
   * Mails a reset link if the address has an account and the limits allow; says nothing either way (no
   * account probing, and a limited request looks like any other). Every request counts against the
   * requesting IP address, whether the address has an account or not.
   */
  @Transactional
  void requestPasswordReset(String email, String ip) {
    if (email == null) return;
    Optional<Users.User> account = users.byEmail(email);
    HeraldProperties.MailLimits max = properties.mailLimits();
    List<MailLimits.Limit> limits = new ArrayList<>(List.of(new MailLimits.Limit("ip:" + ip, max.resetsPerAddress())));
    account.ifPresent(user -> limits.add(new MailLimits.Limit("user:" + user.id(), max.resetsPerAccount())));
    if (!mailLimits.take("password_reset", max.resetWindow(), limits)) {
      account.ifPresent(user -> audit.recordAs(null, user.id(), user.email(), "password.reset_limited", "user", user.id(), null, ip));
      return;
    }
    account.ifPresent(user -> {
      // Only the newest link works: an older one, perhaps still in a mailbox someone else reads, is void.
      jdbc.sql("update one_time_token set used_at = now() where purpose = 'password_reset' and user_id = ? and used_at is null")
          .param(user.id()).update();
      String token = issueToken("password_reset", user.id(), properties.passwordResetValidity());
      mail.send(new SystemMail.SystemMessage(user.email(), "Reset your Herald password",
          "Someone (hopefully you) asked to reset the password of your Herald account.\n\n"
              + "Choose a new password here (the link works once, for "
              + properties.passwordResetValidity().toMinutes() + " minutes):\n"
              + properties.link("/password/reset?token=" + token) + "\n\n"
              + "If you did not ask for this, ignore this message; your password stays as it is.\n"
              + "The request came from " + ip + ".",
          "password_reset"));
      audit.recordAs(null, user.id(), user.email(), "password.reset_requested", "user", user.id(), null, ip);
    });
  }

  boolean resetTokenValid(String token) {
    return tokenUser(token, "password_reset").isPresent();
  }

  /** Sets the new password; the caller then ends every session of the user. */
  @Transactional
  Users.User resetPassword(String token, String newPassword, String ip) {
    // Consumed first, in one UPDATE: of two requests with the same link, the second waits for the first's row
    // lock and then finds the token used. A refused password rolls the consumption back, so the link still works.
    Long userId = consumeToken(token, "password_reset").orElse(null);
    if (userId == null) throw Refused.invalid("token", "This reset link is invalid, used or expired. Ask for a new one.");
    Users.User user = users.byId(userId).orElseThrow();
    validatePassword(newPassword, user.email());
    users.setPassword(userId, passwords.encode(newPassword));
    users.confirmEmail(userId); // the link came to the address, which proves it
    audit.recordAs(null, userId, user.email(), "password.reset", "user", userId, null, ip);
    return user;
  }

  @Transactional
  void changePassword(long userId, String current, String newPassword, String ip) {
    Users.User user = users.byId(userId).orElseThrow();
    if (current == null || !passwords.matches(current, user.passwordHash())) {
      throw Refused.invalid("currentPassword", "Your current password is not correct.");
    }
    validatePassword(newPassword, user.email());
    users.setPassword(userId, passwords.encode(newPassword));
    audit.recordAs(null, userId, user.email(), "password.changed", "user", userId, null, ip);
  }

  boolean passwordMatches(long userId, String password) {
    return password != null && users.byId(userId).map(u -> passwords.matches(password, u.passwordHash())).orElse(false);
  }

  // ---- single-use tokens -------------------------------------------------------------------

  private String issueToken(String purpose, Long userId, Duration validity) {
    String token = Tokens.newToken();
    jdbc.sql("insert into one_time_token (token_hash, purpose, user_id, created_at, expires_at) values (?, ?, ?, ?, ?)")
        .params(Tokens.hash(token), purpose, userId, java.sql.Timestamp.from(clock.instant()),
            java.sql.Timestamp.from(clock.instant().plus(validity)))
        .update();
    return token;
  }

  /** The user id of a live token (0 for the setup token, which has no user). */
  private Optional<Long> tokenUser(String token, String purpose) {
    if (token == null || token.isBlank()) return Optional.empty();
    return jdbc.sql("""
        select coalesce(user_id, 0) from one_time_token
        where token_hash = ? and purpose = ? and used_at is null and expires_at > ?""")
        .params(Tokens.hash(token), purpose, java.sql.Timestamp.from(clock.instant()))
        .query(Long.class).optional();
  }

  private Optional<Long> consumeToken(String token, String purpose) {
    if (token == null || token.isBlank()) return Optional.empty();
    return jdbc.sql("""
        update one_time_token set used_at = now()
        where token_hash = ? and purpose = ? and used_at is null and expires_at > ? returning coalesce(user_id, 0)""")
        .params(Tokens.hash(token), purpose, java.sql.Timestamp.from(clock.instant()))
        .query(Long.class).optional();
  }
}
