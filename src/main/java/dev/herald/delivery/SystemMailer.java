package dev.herald.delivery;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.domains.SendingDomains;
import dev.herald.mail.EmailAddress;
import dev.herald.messages.MessageBuilder;
import dev.herald.messages.OutgoingMessage;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SystemMail;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * Herald's own mail (invitations, password resets, confirmations): the {@link SystemMail} port, behind which callers
 * need not know where it goes.
 *
 * <ul>
 *   <li>In sandbox mode it is kept in the sandbox mailbox, as always.
 *   <li>With real delivery (the operator's mode, or the static test route) it joins the outbound queue in the caller's
 *       transaction, source {@code system}, no organization, From the system sender the operator named, so the worker
 *       delivers it, signed with the keys of the sender's domain: an installation domain the operator verified.
 *   <li>With real delivery but no verified system sender, nothing could sign it, and unsigned mail from an unverified
 *       domain would be junk at best: it is kept in the sandbox mailbox instead, never lost, and the operator's
 *       Delivery page says so. It is not sent once a sender is verified: a password reset or an invitation arriving
 *       hours or days late, its link expired or replaced by a newer one, helps nobody and may confuse (several resets
 *       at once); the Delivery page says how many were kept and that those people should ask again.
 *   <li>With a verified sender but a recipient address that cannot receive mail (a reserved domain such as
 *       {@code .test}, which test accounts use), it is kept in the sandbox mailbox too, logged as the recipient's
 *       problem and not counted against the sender (it once was: the log blamed a sender that was set and verified).
 * </ul>
 *
 * <p>From is the system sender under the installation's name ({@code herald.delivery.system-sender-name}). The
 * installation's suppression list (the operator's: hard bounces, complaints, erasures, blocked domains) is screened
 * before queueing: a suppressed recipient's message is written with the recipient {@code failed} and the reason, as
 * the send API does, never sent. Organizations' lists are not screened: they say whom an organization may mail, and
 * Herald's own mail (a password reset) is not an organization's.
 */
@Component
class SystemMailer implements SystemMail {
  private static final Logger log = LoggerFactory.getLogger(SystemMailer.class);

  private final DeliverySettings settings;
  private final SandboxMailbox sandbox;
  private final JdbcClient jdbc;
  private final Clock clock;

  private final SuppressionScreen screen;
  private final String displayName;

  SystemMailer(DeliverySettings settings, SandboxMailbox sandbox, JdbcClient jdbc, Clock clock, SuppressionScreen screen,
      HeraldProperties properties) {
    this.settings = settings;
    this.sandbox = sandbox;
    this.jdbc = jdbc;
    this.clock = clock;
    this.screen = screen;
    this.displayName = properties.delivery().systemSenderName();
  }

  /** Joins the caller's transaction: an invitation rolled back leaves no mail behind, queued or kept. */
  @Override
  @Transactional(propagation = Propagation.REQUIRED)
  public void send(SystemMessage m) {
    if (!settings.realDelivery()) {
      sandbox.keep(m);
      return;
    }
    String sender = settings.current().systemSender();
    Optional<SendingDomains.VerifiedDomain> domain = settings.systemSenderDomain(sender);
    if (domain.isEmpty()) {
      log.warn("Real delivery is on but no verified system sender is set: {} mail to a recipient kept in the sandbox mailbox", m.purpose());
      sandbox.keep(m);
      settings.keptByFallback();
      return;
    }
    switch (EmailAddress.parse(m.recipient())) {
      case EmailAddress.Valid recipient -> enqueue(m, sender, domain.get(), recipient.address(),
          screen.installationRefusal(recipient.address().key()));
      case EmailAddress.Invalid invalid -> {
        // Not the sender's fault, so not counted for the operator's page (which would blame the sender): an account
        // whose address cannot receive mail (a reserved domain such as .test) gets nothing an MTA could deliver.
        log.warn("{} mail kept in the sandbox mailbox: its recipient's address cannot receive mail ({})", m.purpose(), invalid.reason());
        sandbox.keep(m);
      }
    }
  }

  /** Queues the message, its recipient {@code failed} with the reason instead when the installation suppresses it. */
  private void enqueue(SystemMessage m, String sender, SendingDomains.VerifiedDomain domain, EmailAddress recipient,
      Optional<String> suppressed) {
    Instant date = clock.instant();
    OutgoingMessage message = new MessageBuilder().from(sender, displayName).to(recipient.address(), null).subject(m.subject())
        .text(m.bodyText()).date(date)
        // RFC 3834: an automatic message; well-behaved responders do not answer it
        .header("Auto-Submitted", "auto-generated")
        .build();
    long id = jdbc.sql("""
        insert into outbound_message (organization_id, sending_domain_id, source, from_address, subject, header_message_id,
          header_date, smtputf8, content, tags)
        values (null, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(domain.id(), MessageSourceKind.SYSTEM.text(), sender, m.subject(), message.messageId(), Timestamp.from(date),
            message.smtpUtf8(), message.bytes(), new String[] {m.purpose()})
        .query(Long.class).single();
    if (suppressed.isPresent()) {
      log.info("{} mail not sent: the installation's suppression list has the recipient ({})", m.purpose(), suppressed.get());
    }
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, last_reply, finished_at)
        values (?, null, ?, ?, ?, ?, ?, ?, ?)""")
        .params(id, RecipientKind.TO.text(), recipient.asciiAddress(), recipient.key(), recipient.asciiDomain().toLowerCase(Locale.ROOT),
            suppressed.isPresent() ? RecipientState.FAILED.text() : RecipientState.QUEUED.text(), suppressed.orElse(""),
            suppressed.isPresent() ? Timestamp.from(date) : null)
        .update();
  }
}
