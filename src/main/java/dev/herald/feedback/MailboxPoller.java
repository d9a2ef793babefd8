package dev.herald.feedback;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Leases;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.tenancy.Organizations;
import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Store;
import java.io.ByteArrayOutputStream;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Polls the organizations' mailbox monitors on worker nodes: every few seconds a node claims one due mailbox under a
 * fenced lease (the standard lease columns: one node polls an account at a time, a node that died is taken over once
 * its lease runs out), reads up to {@code mailbox-batch} messages, hands each to {@link InboundFeedback} for the
 * mailbox's organization, then moves the processed ones to the processed folder (IMAP) or deletes them. A message is
 * moved or deleted only after its feedback committed; one that failed stays for the next poll (its dedupe key makes a
 * repeat harmless). The poll's state (when, what error, how many) is written fenced by the lease's attempt and shown in
 * the panel. Mailboxes of suspended organizations wait.
 */
@Component
class MailboxPoller implements SchedulingConfigurer {
  private static final Logger log = LoggerFactory.getLogger(MailboxPoller.class);
  static final Duration CHECK = Duration.ofSeconds(10);

  private final JdbcClient jdbc;
  private final Mailboxes mailboxes;
  private final InboundFeedback inbound;
  private final NodeRoles roles;
  private final Organizations organizations;
  private final HeraldProperties.Feedback settings;
  private final Clock clock;
  private final String node = Leases.thisNode();

  MailboxPoller(JdbcClient jdbc, Mailboxes mailboxes, InboundFeedback inbound, NodeRoles roles, Organizations organizations,
      HeraldProperties properties, Clock clock) {
    this.jdbc = jdbc;
    this.mailboxes = mailboxes;
    this.inbound = inbound;
    this.roles = roles;
    this.organizations = organizations;
    this.settings = properties.feedback();
    this.clock = clock;
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    if (roles.has(NodeRole.worker)) registrar.addFixedDelayTask(this::pollDue, CHECK);
  }

  /** How long a poll may hold its mailbox: connecting and reading are bounded by the timeout, the batch by its size. */
  Duration leaseTerm() {
    return settings.mailboxTimeout().multipliedBy(10).plusMinutes(5);
  }

  private record Claimed(long id, long attempt, long organizationId, MailboxProtocol protocol, String host, int port, MailboxTls tls,
      boolean verifyCertificate, String username, String secretName, String folder, AfterProcessing after, String processedFolder) {}

  /** Polls the due mailboxes, one at a time, until none is due (bounded: at most 100 a round). */
  void pollDue() {
    try {
      for (int i = 0; i < 100; i++) {
        Optional<Claimed> claimed = claim();
        if (claimed.isEmpty()) return;
        poll(claimed.get());
      }
    } catch (RuntimeException e) {
      log.error("Polling mailbox monitors failed", e);
    }
  }

  private Optional<Claimed> claim() {
    Instant now = clock.instant();
    return jdbc.sql("""
        update feedback_mailbox m set lease_owner = :node, lease_attempt = m.lease_attempt + 1, lease_until = :until
        where m.id = (select id from feedback_mailbox
                      where enabled and next_poll_at <= :now and (lease_until is null or lease_until < :now)
                        and not (organization_id = any (:held))
                      order by next_poll_at, id limit 1 for update skip locked)
        returning id, lease_attempt, organization_id, protocol, host, port, tls, verify_certificate, username, secret_name, folder,
          after_processing, processed_folder""")
        .param("node", node).param("until", Timestamp.from(now.plus(leaseTerm()))).param("now", Timestamp.from(now))
        .param("held", organizations.suspendedIds().toArray(Long[]::new))
        .query((rs, i) -> new Claimed(rs.getLong(1), rs.getLong(2), rs.getLong(3),
            dev.herald.platform.TextEnum.fromText(MailboxProtocol.class, rs.getString(4)), rs.getString(5), rs.getInt(6),
            dev.herald.platform.TextEnum.fromText(MailboxTls.class, rs.getString(7)), rs.getBoolean(8), rs.getString(9), rs.getString(10),
            rs.getString(11), dev.herald.platform.TextEnum.fromText(AfterProcessing.class, rs.getString(12)), rs.getString(13)))
        .optional();
  }

  private void poll(Claimed m) {
    int processed = 0;
    String error = "";
    try {
      processed = read(m);
    } catch (MessagingException | RuntimeException e) {
      error = describe(e);
      log.warn("Mailbox monitor {} of organization {} failed: {}", m.id(), m.organizationId(), error);
    }
    Instant now = clock.instant();
    int written = jdbc.sql("""
        update feedback_mailbox set last_poll_at = :now, last_success_at = case when :error = '' then :now else last_success_at end,
          last_error = :error, last_processed = :processed, processed_total = processed_total + :processed, next_poll_at = :next,
          lease_until = null
        where id = :id and lease_attempt = :attempt""")
        .param("now", Timestamp.from(now)).param("error", error).param("processed", processed)
        .param("next", Timestamp.from(now.plus(settings.mailboxPoll()))).param("id", m.id()).param("attempt", m.attempt()).update();
    if (written == 0) log.warn("Mailbox monitor {} was taken over by another node while this one polled it", m.id());
  }

  private int read(Claimed m) throws MessagingException {
    String password = mailboxes.password(m.secretName()).orElseThrow(() -> new IllegalStateException("the mailbox's password is missing"));
    String protocol = m.protocol().text() + (m.tls() == MailboxTls.IMPLICIT ? "s" : "");
    Properties props = new Properties();
    String timeout = Long.toString(settings.mailboxTimeout().toMillis());
    props.put("mail." + protocol + ".connectiontimeout", timeout);
    props.put("mail." + protocol + ".timeout", timeout);
    props.put("mail." + protocol + ".writetimeout", timeout);
    if (m.tls() == MailboxTls.STARTTLS) {
      props.put("mail." + protocol + ".starttls.enable", "true");
      props.put("mail." + protocol + ".starttls.required", "true");
    }
    if (m.tls() != MailboxTls.NONE) {
      // Verified: the JVM's trusted issuers and the certificate's name against the host. Not verified (the owner's
      // choice, for a server with a certificate of its own making): encrypted all the same, but any certificate does.
      props.put("mail." + protocol + ".ssl.checkserveridentity", Boolean.toString(m.verifyCertificate()));
      if (!m.verifyCertificate()) props.put("mail." + protocol + ".ssl.trust", "*");
    }
    Store store = Session.getInstance(props).getStore(protocol);
    store.connect(m.host(), m.port(), m.username(), password);
    try {
      Folder folder = store.getFolder(m.protocol() == MailboxProtocol.POP3 ? "INBOX" : m.folder());
      folder.open(Folder.READ_WRITE);
      List<Message> done = new ArrayList<>();
      try {
        int count = Math.min(folder.getMessageCount(), settings.mailboxBatch());
        long max = settings.inboundMaxMessageSize().toBytes();
        for (int n = 1; n <= count; n++) {
          Message message = folder.getMessage(n);
          try {
            if (message.getSize() <= max) {
              ByteArrayOutputStream raw = new ByteArrayOutputStream();
              message.writeTo(raw);
              inbound.process(raw.toByteArray(), null, m.organizationId(), FeedbackSource.MAILBOX);
            } else {
              log.info("Mailbox monitor {}: message {} is larger than {} bytes and is not read", m.id(), n, max);
            }
            done.add(message);
          } catch (java.io.IOException | RuntimeException e) {
            log.warn("Mailbox monitor {}: message {} could not be processed and stays for the next poll", m.id(), n, e);
          }
        }
        if (!done.isEmpty() && m.after() == AfterProcessing.MOVE && m.protocol() == MailboxProtocol.IMAP) {
          Folder target = store.getFolder(m.processedFolder());
          if (!target.exists()) target.create(Folder.HOLDS_MESSAGES);
          folder.copyMessages(done.toArray(Message[]::new), target);
        }
        for (Message message : done) message.setFlag(Flags.Flag.DELETED, true);
      } finally {
        folder.close(true); // expunges the deleted (and moved) ones
      }
      return done.size();
    } finally {
      store.close();
    }
  }

  private static String describe(Exception e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getClass().getSimpleName() + ": " + e.getMessage();
    return FeedbackActions.clip(message.replaceAll("[\\r\\n]+", " "), 500);
  }
}
