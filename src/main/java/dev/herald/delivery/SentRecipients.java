package dev.herald.delivery;

import dev.herald.platform.TextEnum;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Who a message went to, as a VERP return path or a tracking token names it by (message, recipient): the look-up that
 * feedback and tracking use to attribute what comes back without reading delivery's tables.
 */
@Component
public class SentRecipients {
  private final JdbcClient jdbc;

  SentRecipients(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * One recipient of a queued message.
   *
   * @param organizationId null for Herald's own mail
   * @param sourceRef what the message's source knows the recipient by (a campaign's ledger row), or null
   * @param deliveredAt when the receiving server accepted it; null when it has not (yet)
   */
  public record SentRecipient(long messageId, long recipientId, Long organizationId, String address, MessageSourceKind kind,
      Long sourceRef, Instant deliveredAt) {}

  /** The recipient with this id of this message; empty when there is none (deleted, or the pair does not match). */
  public Optional<SentRecipient> find(long messageId, long recipientId) {
    return Optional.ofNullable(byIds(List.of(recipientId)).get(recipientId)).filter(r -> r.messageId() == messageId);
  }

  /**
   * The recipients with these ids, in one query: the one look-up of who a message went to, for a bounce (one) and a
   * batch of opens and clicks ({@link TrackedMessages#recipients}). Ids that are gone are missing from the map.
   */
  public Map<Long, SentRecipient> byIds(Collection<Long> recipientIds) {
    Map<Long, SentRecipient> out = new HashMap<>();
    if (recipientIds.isEmpty()) return out;
    jdbc.sql("""
        select r.message_id, r.id, r.organization_id, r.address, m.source, r.source_ref,
          case when r.state = 'delivered' then r.finished_at end
        from outbound_recipient r join outbound_message m on m.id = r.message_id where r.id = any (?)""")
        .param(recipientIds.toArray(Long[]::new))
        .query(rs -> {
          Timestamp delivered = rs.getTimestamp(7);
          out.put(rs.getLong(2), new SentRecipient(rs.getLong(1), rs.getLong(2), rs.getObject(3, Long.class), rs.getString(4),
              TextEnum.fromText(MessageSourceKind.class, rs.getString(5)), rs.getObject(6, Long.class),
              delivered == null ? null : delivered.toInstant()));
        });
    return out;
  }

  /** One message a person was a recipient of: the queue's message and recipient ids, as tracking and feedback keep them. */
  public record Sent(long messageId, long recipientId) {}

  /**
   * Every recipient row of the organization's messages to this address key ({@code outbound_recipient_org_address}):
   * how the capabilities that keep events by the queue's ids find a person's for a data-subject request.
   */
  public List<Sent> toAddress(long organizationId, String addressKey) {
    return jdbc.sql("select message_id, id from outbound_recipient where organization_id = ? and address_key = ?")
        .params(organizationId, addressKey).query((rs, n) -> new Sent(rs.getLong(1), rs.getLong(2))).list();
  }

  /** Where and when a queued message goes: its recipient's address and the message's Date. */
  public record Addressee(String address, java.time.Instant date) {}

  /**
   * The address of this recipient of this message and the message's Date header time, for a source that renders the
   * message per recipient and writes To itself (a forward, whose address only the queue holds).
   */
  public Optional<Addressee> addressee(long messageId, long recipientId) {
    return jdbc.sql("""
        select r.address, m.header_date from outbound_recipient r join outbound_message m on m.id = r.message_id
        where r.id = ? and r.message_id = ?""")
        .params(recipientId, messageId)
        .query((rs, i) -> new Addressee(rs.getString(1), rs.getTimestamp(2).toInstant()))
        .optional();
  }

  /**
   * How many of the organization's recipients ended delivered or bounced since {@code since}: the volume that sender
   * protection's rates are counted against.
   */
  public long finishedSince(long organizationId, java.time.Instant since) {
    return jdbc.sql("""
        select count(*) from outbound_recipient
        where organization_id = ? and state in ('delivered', 'bounced') and finished_at >= ?""")
        .params(organizationId, java.sql.Timestamp.from(since)).query(Long.class).single();
  }
}
