package dev.herald.delivery;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.tenancy.AuditLog;
import java.sql.Timestamp;
import java.time.Clock;
import java.util.Locale;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The operator's hands on the queue: pause and resume a destination or the whole queue, retry a destination's or a
 * message's deferred recipients now, and delete waiting recipients with a reason. Each change is in the operator's
 * audit log, written in the change's transaction.
 *
 * <p>A pause is a row of {@code queue_pause}, read by the worker's claim: it holds on every node at once, and from
 * the next claim on (a batch already claimed finishes its current message). Retry and delete touch only recipients
 * that are waiting (queued or deferred; delete also held): one being sent belongs to the worker holding its lease,
 * whose result would otherwise overwrite the operator's change or be lost; the answer counts how many were left in
 * flight.
 *
 * <p>Delete ends held recipients too (those of a paused bulk send, such as a paused campaign): the operator deletes a
 * destination so that nothing more goes there, and a held row would go the moment its sender resumed, while the
 * operator can neither resume nor cancel another organization's campaign to clear it. Their sender sees the operator's
 * reason on each, and a resumed campaign finishes without them; the answer counts them apart.
 */
@Service
class QueueControls {
  /** {@code queue_pause.domain} of the whole queue. */
  static final String WHOLE_QUEUE = "*";
  static final int MAX_REASON = 500;

  /**
   * What a change did: recipients changed, those left alone because a worker is sending them now, and how many of the
   * changed were held (a paused bulk send's, such as a paused campaign's).
   */
  record Changed(long changed, long inFlight, long held) {
    Changed(long changed, long inFlight) {
      this(changed, inFlight, 0);
    }
  }

  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final QueueView view;
  private final Clock clock;

  QueueControls(JdbcClient jdbc, AuditLog audit, QueueView view, Clock clock) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.view = view;
    this.clock = clock;
  }

  /**
   * A destination as the queue stores it: the recipient domain in lower-case ASCII (an internationalized name is
   * converted as an address's would be), so "Example.COM" and "bücher.example" pause what is queued for them.
   */
  static String destination(String field, String domain) {
    String d = domain == null ? "" : domain.strip();
    if (d.startsWith("@")) d = d.substring(1);
    if (d.isEmpty()) throw Refused.invalid(field, "Enter a recipient domain, for example example.com.");
    if (EmailAddress.parse("postmaster@" + d) instanceof EmailAddress.Valid(EmailAddress address)) {
      return address.asciiDomain().toLowerCase(Locale.ROOT);
    }
    throw Refused.invalid(field, "“" + d + "” is not a domain name.");
  }

  /** Pauses a destination ({@link #WHOLE_QUEUE}: everything); false when it already was. */
  @Transactional
  boolean pause(String domain, String pausedBy) {
    String d = WHOLE_QUEUE.equals(domain) ? WHOLE_QUEUE : destination("domain", domain);
    boolean paused = jdbc.sql("insert into queue_pause (domain, paused_by, paused_at) values (?, ?, ?) on conflict do nothing")
        .params(d, pausedBy, Timestamp.from(clock.instant())).update() == 1;
    if (paused) audit.record(null, "queue.paused", "destination", d, d.equals(WHOLE_QUEUE) ? "the whole queue" : d);
    return paused;
  }

  /** Resumes a destination ({@link #WHOLE_QUEUE}: the whole queue, not the destinations paused one by one). */
  @Transactional
  boolean resume(String domain) {
    String d = WHOLE_QUEUE.equals(domain) ? WHOLE_QUEUE : destination("domain", domain);
    boolean resumed = jdbc.sql("delete from queue_pause where domain = ?").param(d).update() == 1;
    if (resumed) audit.record(null, "queue.resumed", "destination", d, d.equals(WHOLE_QUEUE) ? "the whole queue" : d);
    return resumed;
  }

  /** The destination's deferred recipients become due now (the next claim takes them, unless it is paused). */
  @Transactional
  Changed retryDestination(String domain) {
    String d = destination("domain", domain);
    long changed = jdbc.sql("update outbound_recipient set next_attempt_at = :now where domain = :domain and state = 'deferred'")
        .param("now", Timestamp.from(clock.instant())).param("domain", d).update();
    Changed result = new Changed(changed, inFlight("domain = :key", d));
    audit.record(null, "queue.retried", "destination", d, changed + " deferred recipients due now");
    view.forgetTotals();
    return result;
  }

  /** The message's deferred recipients become due now. */
  @Transactional
  Changed retryMessage(long messageId) {
    requireMessage(messageId);
    long changed = jdbc.sql("update outbound_recipient set next_attempt_at = :now where message_id = :id and state = 'deferred'")
        .param("now", Timestamp.from(clock.instant())).param("id", messageId).update();
    Changed result = new Changed(changed, inFlight("message_id = :key", messageId));
    audit.record(null, "queue.retried", "outbound_message", messageId, changed + " deferred recipients due now");
    view.forgetTotals();
    return result;
  }

  /**
   * The destination's waiting recipients, held ones included, end as {@link RecipientState#DELETED}, the reason as
   * their last reply.
   */
  @Transactional
  Changed deleteDestination(String domain, String reason) {
    String d = destination("domain", domain);
    String r = reason(reason);
    Changed result = delete("domain = :key", d, r);
    audit.record(null, "queue.deleted", "destination", d, result.changed() + " recipients" + heldPart(result) + ": " + r);
    view.forgetTotals();
    return result;
  }

  /** The message's waiting recipients, held ones included, end as {@link RecipientState#DELETED}, the reason as their last reply. */
  @Transactional
  Changed deleteMessage(long messageId, String reason) {
    String r = reason(reason);
    requireMessage(messageId);
    Changed result = delete("message_id = :key", messageId, r);
    audit.record(null, "queue.deleted", "outbound_message", messageId, result.changed() + " recipients" + heldPart(result) + ": " + r);
    view.forgetTotals();
    return result;
  }

  private Changed delete(String where, Object key, String reason) {
    long[] deleted = jdbc.sql("""
            with gone as (
              select id, state from outbound_recipient where %s and state in ('queued', 'deferred', 'held') for update),
            ended as (
              update outbound_recipient r set state = 'deleted', last_reply = :reply, finished_at = :now, lease_owner = null,
                                              lease_until = null
              from gone where r.id = gone.id returning gone.state)
            select count(*), count(*) filter (where state = 'held') from ended""".formatted(where))
        .param("reply", "Deleted from the queue by the operator: " + reason)
        .param("now", Timestamp.from(clock.instant())).param("key", key)
        .query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();
    return new Changed(deleted[0], inFlight(where, key), deleted[1]);
  }

  private static String heldPart(Changed c) {
    return c.held() == 0 ? "" : " (" + c.held() + " held by paused sends)";
  }

  private long inFlight(String where, Object key) {
    return jdbc.sql("select count(*) from outbound_recipient where " + where + " and state = 'sending'")
        .param("key", key).query(Long.class).single();
  }

  private void requireMessage(long messageId) {
    if (jdbc.sql("select count(*) from outbound_message where id = ?").param(messageId).query(Long.class).single() == 0) {
      throw Refused.notFound("Message " + messageId);
    }
  }

  private static String reason(String reason) {
    String r = reason == null ? "" : reason.strip().replaceAll("\\s+", " ");
    if (r.isEmpty()) throw Refused.invalid("reason", "Say why these recipients are deleted: the reason is kept as their last reply.");
    if (r.length() > MAX_REASON) throw Refused.invalid("reason", "A reason is at most " + MAX_REASON + " characters.");
    return r;
  }
}
