package dev.herald.audiences;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SignedLinks;
import dev.herald.platform.SystemMail;
import java.time.Duration;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Double opt-in: the confirmation mail with a signed link that expires, and the links of the
 * preference centre. Until confirmed, a subscription stays "unconfirmed" and campaigns skip it.
 */
@Service
public class DoubleOptIn {
  static final Duration CONFIRMATION_VALIDITY = Duration.ofDays(7);
  static final Duration PREFERENCES_VALIDITY = Duration.ofDays(365);
  /** At most this many confirmation mails per address per {@link #MAIL_WINDOW}, whoever asks. */
  static final int MAILS_PER_WINDOW = 3;
  static final Duration MAIL_WINDOW = Duration.ofHours(24);
  private final SignedLinks links;
  private final SystemMail mail;
  private final JdbcClient jdbc;
  private final HeraldProperties properties;
  private final java.time.Clock clock;

  DoubleOptIn(SignedLinks links, SystemMail mail, JdbcClient jdbc, HeraldProperties properties, java.time.Clock clock) {
    this.clock = clock;
    this.links = links;
    this.mail = mail;
    this.jdbc = jdbc;
    this.properties = properties;
  }

  record Confirmation(long organizationId, long subscriberId, long listId) {}

  record Preferences(long organizationId, long subscriberId) {}

  /**
   * Mails the confirmation link, unless this address had {@link #MAILS_PER_WINDOW} of them already in the
   * last {@link #MAIL_WINDOW}; returns whether it was sent.
   */
  boolean sendConfirmation(long orgId, long subscriberId, MailingLists.MailingList list) {
    java.sql.Timestamp now = java.sql.Timestamp.from(clock.instant());
    // Lock the subscriber so two concurrent requests cannot both see room for one more mail.
    jdbc.sql("select id from subscriber where id = ? for update").param(subscriberId).query(Long.class).optional();
    int recent = jdbc.sql("select count(*) from confirmation_mail where subscriber_id = ? and sent_at > ?")
        .params(subscriberId, java.sql.Timestamp.from(clock.instant().minus(MAIL_WINDOW))).query(Integer.class).single();
    if (recent >= MAILS_PER_WINDOW) return false;
    jdbc.sql("insert into confirmation_mail (subscriber_id, list_id, sent_at) values (?, ?, ?)").params(subscriberId, list.id(), now).update();
    String email = jdbc.sql("select email from subscriber where id = ?").param(subscriberId).query(String.class).single();
    String token = links.sign("confirm", CONFIRMATION_VALIDITY, Long.toString(orgId), Long.toString(subscriberId), Long.toString(list.id()));
    mail.send(new SystemMail.SystemMessage(email, "Confirm your subscription to " + oneLine(list.name()),
        "Please confirm that you want to receive " + list.name() + ".\n\n"
            + "Confirm here (the link works for " + CONFIRMATION_VALIDITY.toDays() + " days):\n"
            + properties.publicLink("/p/confirm?token=" + token) + "\n\n"
            + "If you did not ask for this, ignore this message: you will not be subscribed.",
        "double_opt_in"));
    return true;
  }

  Optional<Confirmation> confirmation(String token) {
    return links.verify("confirm", token).flatMap(DoubleOptIn::confirmationOf);
  }

  /** What an intact but expired confirmation link was for: its holder may ask for a new one, nothing more. */
  Optional<Confirmation> expiredConfirmation(String token) {
    return links.expired("confirm", token).flatMap(DoubleOptIn::confirmationOf);
  }

  private static Optional<Confirmation> confirmationOf(java.util.List<String> v) {
    return v.size() != 3 ? Optional.empty()
        : Optional.of(new Confirmation(Long.parseLong(v.get(0)), Long.parseLong(v.get(1)), Long.parseLong(v.get(2))));
  }

  public String preferencesLink(long orgId, long subscriberId) {
    return properties.publicLink("/p/preferences?token="
        + links.sign("preferences", PREFERENCES_VALIDITY, Long.toString(orgId), Long.toString(subscriberId)));
  }

  Optional<Preferences> preferences(String token) {
    return links.verify("preferences", token).filter(v -> v.size() == 2)
        .map(v -> new Preferences(Long.parseLong(v.get(0)), Long.parseLong(v.get(1))));
  }

  private static String oneLine(String s) {
    return s.replaceAll("[\\r\\n]+", " ");
  }

}
