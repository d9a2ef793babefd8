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
  private final SignedLinks links;
  private final SystemMail mail;
  private final JdbcClient jdbc;
  private final HeraldProperties properties;

  DoubleOptIn(SignedLinks links, SystemMail mail, JdbcClient jdbc, HeraldProperties properties) {
    this.links = links;
    this.mail = mail;
    this.jdbc = jdbc;
    this.properties = properties;
  }

  record Confirmation(long organizationId, long subscriberId, long listId) {}

  record Preferences(long organizationId, long subscriberId) {}

  void sendConfirmation(long orgId, long subscriberId, MailingLists.MailingList list) {
    String email = jdbc.sql("select email from subscriber where id = ?").param(subscriberId).query(String.class).single();
    String token = links.sign("confirm", CONFIRMATION_VALIDITY, Long.toString(orgId), Long.toString(subscriberId), Long.toString(list.id()));
    mail.send(new SystemMail.SystemMessage(email, "Confirm your subscription to " + oneLine(list.name()),
        "Please confirm that you want to receive " + list.name() + ".\n\n"
            + "Confirm here (the link works for " + CONFIRMATION_VALIDITY.toDays() + " days):\n"
            + properties.publicLink("/p/confirm?token=" + token) + "\n\n"
            + "If you did not ask for this, ignore this message: you will not be subscribed.",
        "double_opt_in"));
  }

  Optional<Confirmation> confirmation(String token) {
    return links.verify("confirm", token).filter(v -> v.size() == 3)
        .map(v -> new Confirmation(Long.parseLong(v.get(0)), Long.parseLong(v.get(1)), Long.parseLong(v.get(2))));
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
