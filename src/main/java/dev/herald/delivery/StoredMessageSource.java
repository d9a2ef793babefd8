package dev.herald.delivery;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/** The send API's messages: built once when accepted, stored in outbound_message.content, the same bytes for every recipient and retry. */
@Component
class StoredMessageSource implements MessageSource {
  private final JdbcClient jdbc;

  StoredMessageSource(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  @Override
  public MessageSourceKind kind() {
    return MessageSourceKind.API;
  }

  @Override
  public Content content(long messageId, long recipientId) {
    return jdbc.sql("select content, smtputf8 from outbound_message where id = ? and source = ?")
        .params(messageId, MessageSourceKind.API.text())
        .query((rs, i) -> new Content(rs.getBytes(1), rs.getBoolean(2))).optional()
        .orElseThrow(() -> new IllegalStateException("No stored message " + messageId));
  }
}
