package dev.herald.delivery;

import dev.herald.domains.SendingDomains;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The queue's side of large sends (campaigns): one outbound_message without stored content, whose recipients are
 * added in large set-based batches, each carrying the sender's own id for that person ({@link BulkRecipient#ref()}),
 * and rendered one by one at delivery time by the message's {@link MessageSource}, which gets the ref back.
 *
 * <p>Every method joins the caller's transaction, so a sender can record "handed off" in its own ledger in the same
 * transaction that queued the rows (DESIGN.md reliability rule 2).
 *
 * <p>Hold and release move the message's waiting rows to and from {@link RecipientState#HELD}, a state no claim
 * reads: the worker's claim and due-domain queries stay as they are and read only their partial indexes of queued and
 * deferred rows, so a paused campaign costs them nothing however large it is (a flag on the message read by the claim
 * would make every claim step over the held rows). A recipient in flight when the message is held finishes its
 * attempt; if it is deferred, its source answers {@link MessageSource.Held} when it comes due.
 */
@Service
public class BulkSends {
  private final JdbcClient jdbc;
  private final SendingDomains domains;
  private final Clock clock;

  BulkSends(JdbcClient jdbc, SendingDomains domains, Clock clock) {
    this.jdbc = jdbc;
    this.domains = domains;
    this.clock = clock;
  }

  /** One recipient of a bulk send: the sender's own id for them (a campaign's ledger row) and their address. */
  public record BulkRecipient(long ref, String address) {
    public BulkRecipient {
      Objects.requireNonNull(address, "address");
    }
  }

  /** One recipient's row in the queue, for the sender's pages. */
  public record Recipient(long id, long ref, String address, RecipientState state, int attempts, String lastReply,
      Instant lastAttemptAt, Instant finishedAt) {}

  /**
   * Opens a bulk send: an outbound_message without content, from an address on the organization's verified sending
   * domain {@code sendingDomainId}. Its message-level Message-ID only names it in DSN envelope ids; each recipient's
   * Message-ID is its source's.
   */
  @Transactional
  public long open(long organizationId, long sendingDomainId, MessageSourceKind kind, String fromAddress, String subject) {
    if (kind == MessageSourceKind.API || kind == MessageSourceKind.SYSTEM) {
      throw new IllegalArgumentException("a bulk send renders per recipient; " + kind + " mail stores its content");
    }
    SendingDomains.VerifiedDomain domain = domains.verifiedDomainFor(organizationId, fromAddress)
        .filter(d -> d.id() == sendingDomainId)
        .orElseThrow(() -> Refused.invalid("from", "The from address must be on a verified sending domain of this organization."));
    return jdbc.sql("""
        insert into outbound_message (organization_id, sending_domain_id, source, from_address, subject, header_message_id, header_date)
        values (?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(organizationId, domain.id(), kind.text(), fromAddress, subject == null ? "" : subject,
            "bulk." + UUID.randomUUID().toString().replace("-", "") + "@" + domain.name(), Timestamp.from(clock.instant()))
        .query(Long.class).single();
  }

  /**
   * Queues recipients in one statement. Idempotent per (message, address): an address already queued for the
   * message is skipped (a sender repeating a batch after a crash queues nobody twice). Recipients added while the
   * message is held start held. An address that does not parse is queued as {@link RecipientState#FAILED} with the
   * reason, so the sender's count of handed-off recipients still adds up.
   *
   * @return how many rows were inserted
   */
  @Transactional
  public int add(long messageId, List<BulkRecipient> recipients) {
    if (recipients.isEmpty()) return 0;
    int n = recipients.size();
    Long[] refs = new Long[n];
    String[] addresses = new String[n], keys = new String[n], domainNames = new String[n], replies = new String[n];
    for (int i = 0; i < n; i++) {
      BulkRecipient r = recipients.get(i);
      refs[i] = r.ref();
      if (EmailAddress.parse(r.address()) instanceof EmailAddress.Valid(EmailAddress a)) {
        addresses[i] = a.asciiAddress();
        keys[i] = a.key();
        domainNames[i] = a.asciiDomain().toLowerCase(Locale.ROOT);
      } else {
        addresses[i] = r.address();
        keys[i] = r.address().toLowerCase(Locale.ROOT);
        domainNames[i] = "";
        replies[i] = "Not sent: not a valid address";
      }
    }
    return jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, source_ref, state, last_reply,
          finished_at)
        select m.id, m.organization_id, 'to', t.address, t.address_key, t.domain, t.ref,
          case when t.reply is not null then 'failed' when m.held then 'held' else 'queued' end, coalesce(t.reply, ''),
          case when t.reply is not null then now() end
        from outbound_message m,
          unnest(cast(:refs as bigint[]), cast(:addresses as text[]), cast(:keys as text[]), cast(:domains as text[]),
            cast(:replies as text[])) as t(ref, address, address_key, domain, reply)
        where m.id = :message and m.content is null
        on conflict (message_id, address_key) do nothing""")
        .param("refs", refs).param("addresses", addresses).param("keys", keys).param("domains", domainNames)
        .param("replies", replies).param("message", messageId)
        .update();
  }

  /**
   * Queues a message of {@code kind} to one address that must not outlive its delivery (a campaign forwarded to a
   * friend): a bulk send of one recipient, rendered by the kind's {@link MessageSource} with {@code ref}, marked so that
   * {@link #eraseFinishedAddresses} blanks the address once the recipient reached a final state (delivered, bounced,
   * expired, not sent, deleted). Until then the queue row holds the address, as any queued mail must: while it is
   * queued, sending or deferred (at most the give-up age, {@code herald.delivery} retries). Joins the caller's
   * transaction.
   *
   * @return the message's id
   */
  @Transactional
  public long sendOnce(long organizationId, long sendingDomainId, MessageSourceKind kind, String fromAddress, String subject,
      BulkRecipient recipient) {
    long message = open(organizationId, sendingDomainId, kind, fromAddress, subject);
    jdbc.sql("update outbound_message set erase_addresses = true where id = ?").param(message).update();
    add(message, List.of(recipient));
    return message;
  }

  /**
   * Blanks the recipients' addresses of {@link #sendOnce} messages whose recipients are all in a final state: the
   * address, its key and domain, the last reply and the attempts' reply texts (a remote reply often quotes the address).
   * The rows stay with their states (the sending volume counts them; a late DSN naming one is known for what it is).
   * Run every minute by {@link FinishedAddresses}; at most {@code limit} messages a call.
   *
   * @return how many messages were swept
   */
  @Transactional
  public int eraseFinishedAddresses(int limit) {
    return jdbc.sql("""
        with done as (
          select m.id from outbound_message m
          where m.erase_addresses
            and not exists (select 1 from outbound_recipient r where r.message_id = m.id and r.state in ('queued', 'sending', 'deferred', 'held'))
          order by m.id limit :limit for update of m skip locked
        ), attempts as (
          update outbound_attempt a set reply_text = '' from done, outbound_recipient r
          where r.message_id = done.id and a.recipient_id = r.id and a.reply_text <> '' returning a.id
        ), recipients as (
          update outbound_recipient r set address = '', address_key = 'erased:' || r.id, domain = '', last_reply = ''
          from done where r.message_id = done.id returning r.id
        )
        update outbound_message m set erase_addresses = false from done where m.id = done.id""")
        .param("limit", limit).update();
  }

  /**
   * Records what a bulk send tracks: the flags, and its tracked links (link number n at index n - 1) in outbound_link,
   * once per message however many recipients it has; each recipient's copy carries its own tokens
   * ({@link dev.herald.messages.LinkTracking}). Idempotent: the source renders the same links from the same content on
   * every node, so a second call (another worker, a restart) changes nothing.
   */
  @Transactional
  public void track(long messageId, boolean opens, boolean clicks, List<String> links) {
    requireBulk(messageId);
    jdbc.sql("update outbound_message set track_opens = ?, track_clicks = ? where id = ? and (track_opens <> ? or track_clicks <> ?)")
        .params(opens, clicks, messageId, opens, clicks).update();
    if (links.isEmpty()) return;
    Integer[] numbers = new Integer[links.size()];
    for (int i = 0; i < numbers.length; i++) numbers[i] = i + 1;
    jdbc.sql("""
        insert into outbound_link (message_id, link_number, url)
        select ?, n, url from unnest(cast(? as integer[]), cast(? as text[])) as t(n, url)
        on conflict (message_id, link_number) do nothing""")
        .params(messageId, numbers, links.toArray(String[]::new)).update();
  }

  /** Pauses the send: its waiting rows are held (not claimed) until {@link #release}. */
  @Transactional
  public void hold(long messageId) {
    requireBulk(messageId);
    jdbc.sql("update outbound_message set held = true where id = ?").param(messageId).update();
    jdbc.sql("update outbound_recipient set state = 'held' where message_id = ? and state in ('queued', 'deferred')")
        .param(messageId).update();
  }

  /**
   * Takes back the send's rows that were never tried and are not being tried (queued or held, no attempt): they leave
   * the queue and their refs are returned, for the sender to hand them again later (a campaign whose throttle is set
   * after its recipients were queued: the queue alone would send them at full speed). Rows a worker has claimed are in
   * flight and stay; a claim that holds a row's lock makes this wait for it, then see it {@code sending}.
   */
  @Transactional
  public List<Long> withdraw(long messageId) {
    requireBulk(messageId);
    return jdbc.sql("""
        delete from outbound_recipient where message_id = ? and state in ('queued', 'held') and attempts = 0
        returning source_ref""").param(messageId).query(Long.class).list();
  }

  /** Resumes a held send: its held rows wait again, queued if never tried, else deferred (keeping their next attempt). */
  @Transactional
  public void release(long messageId) {
    requireBulk(messageId);
    jdbc.sql("update outbound_message set held = false where id = ?").param(messageId).update();
    jdbc.sql("""
        update outbound_recipient set state = case when attempts = 0 then 'queued' else 'deferred' end
        where message_id = ? and state = 'held'""").param(messageId).update();
  }

  /**
   * Cancels the send: its waiting and held rows end {@link RecipientState#DELETED} with the reason as their last reply.
   * Rows in flight finish their attempt (a deferred one is ended by its source's {@link MessageSource.Cancelled}).
   *
   * @return how many rows were ended
   */
  @Transactional
  public int cancel(long messageId, String reason) {
    requireBulk(messageId);
    return jdbc.sql("""
        update outbound_recipient set state = 'deleted', last_reply = :reason, finished_at = :now, lease_until = null
        where message_id = :message and state in ('queued', 'deferred', 'held')""")
        .param("reason", reason == null || reason.isBlank() ? "Cancelled" : reason.strip())
        .param("now", Timestamp.from(clock.instant())).param("message", messageId).update();
  }

  /** The send's recipients by state, and how many of them ended (delivered, bounced, ...) after {@code since}. */
  public record Progress(Map<RecipientState, Long> states, long endedSince) {}

  /** {@link #states} and the rows that ended after {@code since} (a live rate), in one scan of the send's rows. */
  @Transactional(readOnly = true)
  public Progress progress(long messageId, Instant since) {
    Map<RecipientState, Long> states = new EnumMap<>(RecipientState.class);
    long[] ended = {0};
    jdbc.sql("""
        select state, count(*), count(*) filter (where finished_at > ?) from outbound_recipient where message_id = ?
        group by state""").params(Timestamp.from(since), messageId)
        .query(rs -> {
          RecipientState state = TextEnum.fromText(RecipientState.class, rs.getString(1));
          states.put(state, rs.getLong(2));
          if (state.ended()) ended[0] += rs.getLong(3);
        });
    return new Progress(states, ended[0]);
  }

  /**
   * Whether any of the send's recipients still waits (queued, sending, deferred or held): what a sender polls while its
   * send drains. Walks the send's rows from the newest, where the waiting ones are while it drains (the queue claims in
   * id order), and stops at the first: a poll costs a few rows, not a count of every row as {@link #states} does (at a
   * million recipients, a million index entries per poll). Once nothing waits it reads them all, once.
   */
  @Transactional(readOnly = true)
  public boolean waiting(long messageId) {
    return !jdbc.sql("""
        select id from outbound_recipient where message_id = ? and state in ('queued', 'sending', 'deferred', 'held')
        order by id desc limit 1""").param(messageId).query(Long.class).list().isEmpty();
  }

  /** How many of the send's recipients are in each state (progress). */
  @Transactional(readOnly = true)
  public Map<RecipientState, Long> states(long messageId) {
    Map<RecipientState, Long> states = new EnumMap<>(RecipientState.class);
    jdbc.sql("select state, count(*) from outbound_recipient where message_id = ? group by state").param(messageId)
        .query(rs -> {
          states.put(TextEnum.fromText(RecipientState.class, rs.getString(1)), rs.getLong(2));
        });
    return states;
  }

  /**
   * A page of the send's recipients in queue order, after the row {@code afterId} (0 for the first page), optionally
   * only those in {@code state}.
   */
  @Transactional(readOnly = true)
  public List<Recipient> page(long messageId, RecipientState state, long afterId, int limit) {
    return jdbc.sql("""
        select id, source_ref, address, state, attempts, last_reply, last_attempt_at, finished_at from outbound_recipient
        where message_id = :message and id > :after and (cast(:state as text) is null or state = :state)
        order by id limit :limit""")
        .param("message", messageId).param("after", afterId).param("state", state == null ? null : state.text())
        .param("limit", Math.clamp(limit, 1, 1000))
        .query((rs, i) -> new Recipient(rs.getLong(1), rs.getLong(2), rs.getString(3), TextEnum.fromText(RecipientState.class,
            rs.getString(4)), rs.getInt(5), rs.getString(6), instant(rs.getTimestamp(7)), instant(rs.getTimestamp(8))))
        .list();
  }

  private void requireBulk(long messageId) {
    if (jdbc.sql("select count(*) from outbound_message where id = ? and content is null")
        .param(messageId).query(Long.class).single() == 0) {
      throw Refused.notFound("Bulk send " + messageId);
    }
  }

  private static Instant instant(Timestamp t) {
    return t == null ? null : t.toInstant();
  }
}
