package dev.herald.delivery;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Herald's own mail ({@link SystemMailer}): built once when queued and stored in outbound_message.content, the same
 * bytes on every retry; no tracking.
 */
@Component
class SystemMessageSource implements MessageSource {
  private final JdbcClient jdbc;

  SystemMessageSource(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public MessageSourceKind kind() {
    return MessageSourceKind.SYSTEM;
  }

  @Override
  public Content content(Wanted wanted) {
    return jdbc.sql("select content, smtputf8 from outbound_message where id = ? and source = ?")
        .params(wanted.messageId(), MessageSourceKind.SYSTEM.text())
        .query((rs, i) -> new Content(rs.getBytes(1), rs.getBoolean(2))).optional()
        .orElseThrow(() -> new IllegalStateException("No stored system message " + wanted.messageId()));
  }
}
