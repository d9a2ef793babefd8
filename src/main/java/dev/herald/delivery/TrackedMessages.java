package dev.herald.delivery;

import dev.herald.platform.TextEnum;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the tracking capability needs of the queue: a message's organization and tracking flags, the URL stored for one
 * of its tracked links (outbound_link, written once per message when it was queued: the click redirect goes only to a
 * URL found here, DESIGN.md security rule 3), and, for a batch of opens and clicks, who each recipient is and when the
 * message reached them (a click seconds after delivery is a scanner's).
 */
@Component
public class TrackedMessages {
  private final JdbcClient jdbc;
  private final SentRecipients sent;

  TrackedMessages(JdbcClient jdbc, SentRecipients sent) {
    this.jdbc = jdbc;
    this.sent = sent;
  }

  /**
   * A queued message as tracking sees it.
   *
   * @param organizationId null for Herald's own mail (never tracked)
   */
  public record TrackedMessage(long messageId, Long organizationId, MessageSourceKind kind, boolean trackOpens, boolean trackClicks) {}

  public Optional<TrackedMessage> message(long messageId) {
    return jdbc.sql("select id, organization_id, source, track_opens, track_clicks from outbound_message where id = ?")
        .param(messageId)
        .query((rs, i) -> new TrackedMessage(rs.getLong(1), rs.getObject(2, Long.class),
            TextEnum.fromText(MessageSourceKind.class, rs.getString(3)), rs.getBoolean(4), rs.getBoolean(5)))
        .optional();
  }

  /** The URL of link {@code link} (1..n) of the message; empty when it has no such link. */
  public Optional<String> url(long messageId, int link) {
    if (link < 1 || link > 65_535) return Optional.empty();
    return jdbc.sql("select url from outbound_link where message_id = ? and link_number = ?").params(messageId, link)
        .query(String.class).optional();
  }

  /**
   * One recipient of a tracked message.
   *
   * @param sourceRef what the message's source knows the recipient by (a campaign's ledger row), or null
   * @param deliveredAt when the receiving server accepted it; null when it has not (yet), or the queue does not say
   */
  public record TrackedRecipient(long recipientId, long messageId, Long organizationId, MessageSourceKind kind, Long sourceRef,
      Instant deliveredAt, int links) {}

  /**
   * The recipients with these ids ({@link SentRecipients#byIds}, one query) with the number of tracked links of each
   * one's message (one grouped query); ids that are gone are missing from the map.
   */
  public Map<Long, TrackedRecipient> recipients(Collection<Long> recipientIds) {
    Map<Long, TrackedRecipient> out = new HashMap<>();
    Map<Long, SentRecipients.SentRecipient> found = sent.byIds(recipientIds);
    if (found.isEmpty()) return out;
    Map<Long, Integer> links = new HashMap<>();
    jdbc.sql("select message_id, count(*) from outbound_link where message_id = any (?) group by message_id")
        .param(found.values().stream().map(SentRecipients.SentRecipient::messageId).distinct().toArray(Long[]::new))
        .query(rs -> {
          links.put(rs.getLong(1), rs.getInt(2));
        });
    for (SentRecipients.SentRecipient r : found.values()) {
      out.put(r.recipientId(), new TrackedRecipient(r.recipientId(), r.messageId(), r.organizationId(), r.kind(), r.sourceRef(),
          r.deliveredAt(), links.getOrDefault(r.messageId(), 0)));
    }
    return out;
  }
}
