package dev.herald.delivery;

import dev.herald.platform.TextEnum;
import java.sql.Timestamp;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * What the queue knows of one bulk send's outcome (a campaign's outbound message), for reports, which read no table of
 * ours (its recipients by state are {@link BulkSends#states}): its recipients by recipient domain, and their final states over time, and its tracked links. One
 * grouped query per figure over {@code outbound_recipient_message} (message_id, id); the caller has checked that the
 * message is the organization's.
 */
@Component
public class SendFigures {
  private final JdbcClient jdbc;

  SendFigures(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * One recipient domain of a send: its recipients and how many are in each final or waiting state now ({@code
   * bounced}: refused while sending; a bounce reported after an acceptance is feedback's).
   */
  public record Domain(String domain, long recipients, long delivered, long deferred, long bounced, long expired, long notSent) {}

  /** The {@code top} domains with the most recipients, most first, then by name: one grouped pass over the send's rows. */
  public List<Domain> topDomains(long messageId, int top) {
    return jdbc.sql("""
        select domain, count(*), count(*) filter (where state = 'delivered'), count(*) filter (where state = 'deferred'),
          count(*) filter (where state = 'bounced'), count(*) filter (where state = 'expired'),
          count(*) filter (where state in ('failed', 'deleted'))
        from outbound_recipient where message_id = :message
        group by domain order by count(*) desc, domain limit :top""")
        .param("message", messageId).param("top", Math.clamp(top, 1, 1000))
        .query((rs, i) -> new Domain(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4), rs.getLong(5), rs.getLong(6),
            rs.getLong(7)))
        .list();
  }

  /** One recipient of a send as a breakdown by domain needs it: its queue id, domain and state now. */
  public interface RecipientOutcome {
    void accept(long id, String domain, RecipientState state);
  }

  /**
   * The send's recipients at these domains (a report's top ones), in no particular order, streamed {@code fetchSize}
   * rows at a time when the caller holds a transaction (PostgreSQL's driver streams only then), so a send of millions
   * costs no more heap than a page of it. The caller looks its recipients up in sets of opens and bounces of its own:
   * passing a million recipients' ids into a query as arrays cost more than the query (issue 12).
   */
  public void eachRecipient(long messageId, Collection<String> domains, int fetchSize, RecipientOutcome out) {
    if (domains.isEmpty()) return;
    jdbc.sql("select id, domain, state from outbound_recipient where message_id = ? and domain = any (?)")
        .params(messageId, domains.toArray(String[]::new))
        .withFetchSize(Math.clamp(fetchSize, 1, 100_000))
        .query((org.springframework.jdbc.core.RowCallbackHandler) rs ->
            out.accept(rs.getLong(1), rs.getString(2), TextEnum.fromText(RecipientState.class, rs.getString(3))));
  }

  /** Recipients that reached a final state in one period: delivered, bounced (a remote 5xx while sending), expired. */
  public record Finished(Instant start, long delivered, long bounced, long expired) {}

  /**
   * The send's final states by the {@code unit} (hours or days, UTC) they were reached in, oldest first; periods with
   * none are left out.
   */
  public List<Finished> finishedBy(long messageId, ChronoUnit unit) {
    return jdbc.sql("""
        select date_trunc(:unit, finished_at, 'UTC') as t, count(*) filter (where state = 'delivered'),
          count(*) filter (where state = 'bounced'), count(*) filter (where state = 'expired')
        from outbound_recipient
        where message_id = :message and state in ('delivered', 'bounced', 'expired') and finished_at is not null
        group by t order by t""")
        .param("unit", truncation(unit)).param("message", messageId)
        .query((rs, i) -> new Finished(rs.getTimestamp(1).toInstant(), rs.getLong(2), rs.getLong(3), rs.getLong(4)))
        .list();
  }

  /** The message's tracked links by number (1..n), as stored once when it was queued. */
  public Map<Integer, String> links(long messageId) {
    Map<Integer, String> links = new LinkedHashMap<>();
    jdbc.sql("select link_number, url from outbound_link where message_id = ? order by link_number").param(messageId)
        .query(rs -> {
          links.put(rs.getInt(1), rs.getString(2));
        });
    return links;
  }

  /** One recipient of a send as a per-recipient export lists it. */
  public record Recipient(long id, Long sourceRef, String address, RecipientState state, int attempts, String lastReply,
      Instant finishedAt) {}

  /** A page of the send's recipients in queue order after {@code afterId} (0 for the first). */
  public List<Recipient> recipients(long messageId, long afterId, int limit) {
    List<Recipient> out = new ArrayList<>();
    jdbc.sql("""
        select id, source_ref, address, state, attempts, last_reply, finished_at from outbound_recipient
        where message_id = ? and id > ? order by id limit ?""")
        .params(messageId, afterId, Math.clamp(limit, 1, 10_000))
        .query(rs -> {
          Timestamp finished = rs.getTimestamp(7);
          out.add(new Recipient(rs.getLong(1), rs.getObject(2, Long.class), rs.getString(3),
              TextEnum.fromText(RecipientState.class, rs.getString(4)), rs.getInt(5), rs.getString(6),
              finished == null ? null : finished.toInstant()));
        });
    return out;
  }

  /** date_trunc's name of a period: the only two a report uses. */
  static String truncation(ChronoUnit unit) {
    return switch (unit) {
      case HOURS -> "hour";
      case DAYS -> "day";
      default -> throw new IllegalArgumentException("hours or days, not " + unit);
    };
  }
}
