package dev.herald.audiences;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SignedLinks;
import dev.herald.platform.SystemMail;
import java.time.Duration;
import java.util.Optional;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.modulith.events.ApplicationModuleListener;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Double opt-in: the confirmation mail with a signed link that expires, and the links of the
 * preference centre. Until confirmed, a subscription stays "unconfirmed" and campaigns skip it.
 */
@Service
public class DoubleOptIn {
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(DoubleOptIn.class);
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
  private final ApplicationEventPublisher events;
  private final SuppressionScreen screen;

  DoubleOptIn(SignedLinks links, SystemMail mail, JdbcClient jdbc, HeraldProperties properties, java.time.Clock clock,
      ApplicationEventPublisher events, SuppressionScreen screen) {
    this.screen = screen;
    this.events = events;
    this.clock = clock;
    this.links = links;
    this.mail = mail;
    this.jdbc = jdbc;
    this.properties = properties;
  }

  record Confirmation(long organizationId, long subscriberId, long listId) {}

  record Preferences(long organizationId, long subscriberId) {}

  /**
   * The confirmation mail of an unconfirmed subscription is due. Only ids: the publication registry keeps the event
   * until the mail is sent, and an address there would outlive an erasure.
   */
  public record ConfirmationMailDue(long organizationId, long subscriberId, long listId) {}

  /**
   * Queues the confirmation mail, unless this address had {@link #MAILS_PER_WINDOW} of them already in the last
   * {@link #MAIL_WINDOW}; returns whether it was queued. The mail is written after the caller's transaction commits, on
   * another thread ({@link #mailQueued}): the hosted form answers every address the same, and a mail sent before the
   * answer made the answer slower for exactly the addresses that got one.
   */
  @Transactional
  boolean queueConfirmation(long orgId, long subscriberId, MailingLists.MailingList list) {
    if (!recordMail(subscriberId, list.id())) return false;
    events.publishEvent(new ConfirmationMailDue(orgId, subscriberId, list.id()));
    return true;
  }

  /**
   * Mails the confirmation link now, on this thread, with {@link #queueConfirmation}'s limit: for background work that
   * mails many people in turn (an import's confirmations), where a thread per mail would only queue up for connections.
   */
  @Transactional
  boolean sendConfirmation(long orgId, long subscriberId, MailingLists.MailingList list) {
    if (!recordMail(subscriberId, list.id())) return false;
    String email = jdbc.sql("select email from subscriber where id = ?").param(subscriberId).query(String.class).single();
    mailLink(orgId, subscriberId, list.id(), email, list.name());
    return true;
  }

  /**
   * Sends a queued confirmation mail, after the commit of the change that queued it, on its own thread and in its own
   * transaction. If the node stops first, the publication stays incomplete and is sent at the next start (at least
   * once: a repeat is one more mail with a link that works like the first). Nothing is sent when the subscription no
   * longer waits (confirmed, unsubscribed or removed since, the person erased, the list deleted).
   */
  @ApplicationModuleListener
  void mailQueued(ConfirmationMailDue due) {
    jdbc.sql("""
        select s.email, l.name from subscription x
        join subscriber s on s.id = x.subscriber_id join mailing_list l on l.id = x.list_id
        where x.subscriber_id = ? and x.list_id = ? and x.status = 'unconfirmed' and l.organization_id = ?""")
        .params(due.subscriberId(), due.listId(), due.organizationId())
        .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).optional()
        .ifPresent(found -> mailLink(due.organizationId(), due.subscriberId(), due.listId(), found[0], found[1]));
  }

  /** Counts the mail toward the address's limit; false when the limit is reached. */
  private boolean recordMail(long subscriberId, long listId) {
    java.sql.Timestamp now = java.sql.Timestamp.from(clock.instant());
    // Lock the subscriber so two concurrent requests cannot both see room for one more mail.
    jdbc.sql("select id from subscriber where id = ? for update").param(subscriberId).query(Long.class).optional();
    int recent = jdbc.sql("select count(*) from confirmation_mail where subscriber_id = ? and sent_at > ?")
        .params(subscriberId, java.sql.Timestamp.from(clock.instant().minus(MAIL_WINDOW))).query(Integer.class).single();
    if (recent >= MAILS_PER_WINDOW) return false;
    jdbc.sql("insert into confirmation_mail (subscriber_id, list_id, sent_at) values (?, ?, ?)").params(subscriberId, listId, now).update();
    return true;
  }

  /**
   * Mails the link, unless the person restricted processing in the organization (GDPR art. 18: nothing is sent to
   * them, system mail about lists included, until it is lifted). An objection to marketing does not stop it: they
   * asked for this mail.
   */
  private void mailLink(long orgId, long subscriberId, long listId, String email, String listName) {
    if (EmailAddress.parse(email) instanceof EmailAddress.Valid valid && screen.restriction(orgId, valid.address().key(), false).isPresent()) {
      log.info("Confirmation mail of subscriber {} to list {} not sent: processing is restricted", subscriberId, listId);
      return;
    }
    String token = links.sign("confirm", CONFIRMATION_VALIDITY, Long.toString(orgId), Long.toString(subscriberId), Long.toString(listId));
    mail.send(new SystemMail.SystemMessage(email, "Confirm your subscription to " + oneLine(listName),
        "Please confirm that you want to receive " + listName + ".\n\n"
            + "Confirm here (the link works for " + CONFIRMATION_VALIDITY.toDays() + " days):\n"
            + properties.publicLink("/p/confirm?token=" + token) + "\n\n"
            + "If you did not ask for this, ignore this message: you will not be subscribed.",
        "double_opt_in"));
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
