package dev.herald.delivery;

import dev.herald.delivery.smtp.Envelope;
import dev.herald.delivery.smtp.RecipientResult;
import dev.herald.delivery.smtp.SmtpReply;
import dev.herald.platform.SystemMail;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/**
 * The sandbox mailbox: captures outbound mail in PostgreSQL, system mail in sandbox mode (or while no system sender
 * is verified) and, under the sandbox route, every message the MTA delivers; nothing leaves the machine.
 */
@Component
class SandboxMailbox {
  private final JdbcClient jdbc;

  SandboxMailbox(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Keeps a system message ({@link SystemMailer} decides); joins the caller's transaction. */
  @Transactional(propagation = Propagation.REQUIRED)
  void keep(SystemMail.SystemMessage m) {
    jdbc.sql("insert into sandbox_message (recipient, subject, body_text, purpose) values (?, ?, ?, ?)")
        .params(m.recipient(), m.subject(), m.bodyText(), m.purpose())
        .update();
  }

  /** Recipients at this domain are refused as a server would refuse them, so bounces can be tried in the sandbox. */
  static final String REJECTING_DOMAIN = "reject.sandbox.invalid";
  /** Recipients at this domain are deferred, as by a server answering 4xx. */
  static final String DEFERRING_DOMAIN = "defer.sandbox.invalid";

  private static final SmtpReply KEPT = new SmtpReply(250, "2.0.0", List.of("kept in the sandbox mailbox"));
  private static final SmtpReply REJECTED = new SmtpReply(550, "5.1.1", List.of("sandbox: " + REJECTING_DOMAIN + " refuses every recipient"));
  private static final SmtpReply DEFERRED = new SmtpReply(451, "4.3.0", List.of("sandbox: " + DEFERRING_DOMAIN + " defers every recipient"));
  private static final Pattern SUBJECT = Pattern.compile("(?im)^Subject:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)");

  /**
   * Keeps a message the MTA would have sent, one row per recipient, and answers as a server would: accepted,
   * except the recipients of the two simulating domains. The text shown is the whole message as it would go. {@code
   * organizationId} is the sender's (null for Herald's own mail), so an access request shows an organization its own.
   */
  @Transactional(propagation = Propagation.REQUIRED)
  List<RecipientResult> capture(Long organizationId, Envelope envelope, byte[] message) {
    String text = new String(message, StandardCharsets.UTF_8);
    String subject = subject(text);
    List<RecipientResult> results = new ArrayList<>();
    for (String recipient : envelope.recipients()) {
      String domain = recipient.substring(recipient.lastIndexOf('@') + 1).toLowerCase(Locale.ROOT);
      if (domain.equals(REJECTING_DOMAIN)) {
        results.add(new RecipientResult.Rejected(recipient, REJECTED, REJECTED.toString()));
      } else if (domain.equals(DEFERRING_DOMAIN)) {
        results.add(new RecipientResult.Deferred(recipient, DEFERRED, DEFERRED.toString()));
      } else {
        jdbc.sql("insert into sandbox_message (recipient, subject, body_text, purpose, organization_id) values (?, ?, ?, 'delivery', ?)")
            .params(recipient, subject, text, organizationId)
            .update();
        results.add(new RecipientResult.Accepted(recipient, KEPT));
      }
    }
    return results;
  }

  /** The Subject header of the message's header section, unfolded, as it is (encoded words stay encoded). */
  private static String subject(String message) {
    int end = message.indexOf("\r\n\r\n");
    if (end < 0) end = message.indexOf("\n\n");
    Matcher m = SUBJECT.matcher(end < 0 ? message : message.substring(0, end));
    String subject = m.find() ? m.group(1).replaceAll("\\r?\\n[ \\t]+", " ").strip() : "";
    return subject.isEmpty() ? "(no subject)" : subject;
  }

  List<CapturedMessage> recent(String recipientFilter, int limit) {
    return jdbc.sql("""
        select id, recipient, subject, body_text, purpose, created_at from sandbox_message
        where (:recipient = '' or lower(recipient) = lower(:recipient))
        order by id desc limit :limit""")
        .param("recipient", recipientFilter == null ? "" : recipientFilter.trim())
        .param("limit", limit)
        .query(CapturedMessage.class)
        .list();
  }

  record CapturedMessage(long id, String recipient, String subject, String bodyText, String purpose, Instant createdAt) {}
}
