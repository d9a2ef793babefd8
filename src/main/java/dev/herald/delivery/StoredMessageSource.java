package dev.herald.delivery;

import dev.herald.messages.LinkTracking;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * The send API's messages: built once when accepted and stored in outbound_message.content, one copy for all
 * recipients. A message with tracking holds placeholders where the tracking tokens go; each recipient's tokens are
 * written over them here, when delivery asks for that recipient's message, not when the message is accepted: the
 * content stays one copy however many recipients there are, and since the tokens are an HMAC of the ids (nothing
 * random, nothing stored), every call for the same recipient gives the same bytes, so a retry sends what was sent
 * before. The placeholders have the tokens' length, so the MIME structure and line lengths do not change
 * ({@link LinkTracking}).
 */
@Component
class StoredMessageSource implements MessageSource {
  private final JdbcClient jdbc;
  private final LinkTracking tracking;

  StoredMessageSource(JdbcClient jdbc, LinkTracking tracking) {
    this.jdbc = jdbc;
    this.tracking = tracking;
  }

  @Override
  public MessageSourceKind kind() {
    return MessageSourceKind.API;
  }

  @Override
  public Content content(Wanted wanted) {
    return content(wanted.messageId(), wanted.recipientId());
  }

  Content content(long messageId, long recipientId) {
    return jdbc.sql("select content, smtputf8, track_opens or track_clicks from outbound_message where id = ? and source = ?")
        .params(messageId, MessageSourceKind.API.text())
        .query((rs, i) -> new Content(rs.getBoolean(3) ? tracking.personalize(rs.getBytes(1), messageId, recipientId) : rs.getBytes(1),
            rs.getBoolean(2)))
        .optional()
        .orElseThrow(() -> new IllegalStateException("No stored message " + messageId));
  }

  /**
   * One query for the batch; recipients of an untracked message share its one array, those of a tracked one get their
   * own copy with their tokens written in.
   */
  @Override
  public Map<Wanted, Content> contents(Collection<Wanted> wanted) {
    Map<Long, Content> byMessage = new HashMap<>();
    Set<Long> tracked = new HashSet<>();
    jdbc.sql("select id, content, smtputf8, track_opens or track_clicks from outbound_message where id = any (?) and source = ?")
        .params(wanted.stream().map(Wanted::messageId).distinct().toArray(Long[]::new), MessageSourceKind.API.text())
        .query(rs -> {
          byMessage.put(rs.getLong(1), new Content(rs.getBytes(2), rs.getBoolean(3)));
          if (rs.getBoolean(4)) tracked.add(rs.getLong(1));
        });
    Map<Wanted, Content> answers = new HashMap<>();
    for (Wanted w : wanted) {
      Content c = byMessage.get(w.messageId());
      if (c == null) throw new IllegalStateException("No stored message " + w.messageId());
      answers.put(w, tracked.contains(w.messageId())
          ? new Content(tracking.personalize(c.bytes(), w.messageId(), w.recipientId()), c.smtpUtf8()) : c);
    }
    return answers;
  }
}
