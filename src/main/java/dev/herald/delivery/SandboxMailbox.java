package dev.herald.delivery;

import dev.herald.platform.SystemMail;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

/** Sandbox route: captures outbound system mail in PostgreSQL; nothing leaves the machine. */
@Component
class SandboxMailbox implements SystemMail {
  private final JdbcClient jdbc;

  SandboxMailbox(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /** Joins the caller's transaction: an invitation rolled back leaves no mail behind. */
  @Override
  @Transactional(propagation = Propagation.REQUIRED)
  public void send(SystemMessage m) {
    jdbc.sql("insert into sandbox_message (recipient, subject, body_text, purpose) values (?, ?, ?, ?)")
        .params(m.recipient(), m.subject(), m.bodyText(), m.purpose())
        .update();
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
