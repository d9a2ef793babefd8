package dev.herald.delivery;

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
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

  /** One query for the batch; a message's recipients share its one array. */
  @Override
  public Map<Wanted, Content> contents(Collection<Wanted> wanted) {
    Map<Long, Content> byMessage = new HashMap<>();
    jdbc.sql("select id, content, smtputf8 from outbound_message where id = any (?) and source = ?")
        .params(wanted.stream().map(Wanted::messageId).distinct().toArray(Long[]::new), MessageSourceKind.API.text())
        .query(rs -> {
          byMessage.put(rs.getLong(1), new Content(rs.getBytes(2), rs.getBoolean(3)));
        });
    Map<Wanted, Content> answers = new HashMap<>();
    for (Wanted w : wanted) {
      Content c = byMessage.get(w.messageId());
      if (c == null) throw new IllegalStateException("No stored message " + w.messageId());
      answers.put(w, c);
    }
    return answers;
  }
}
