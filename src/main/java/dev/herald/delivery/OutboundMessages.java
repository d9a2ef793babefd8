package dev.herald.delivery;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.platform.SqlFragment;
import dev.herald.platform.TextEnum;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * The accept side of the outbound queue: a message of the send API is checked and built ({@link Composer}), its
 * recipients screened against the suppression lists, and then the message and all its recipients are inserted in
 * one transaction (DESIGN.md reliability rule 1); only after that commits does the caller get ids to answer with.
 * Until the delivery worker exists, accepted recipients stay queued.
 *
 * <p>Idempotency: a request with a key is stored with the key and the hash of the request. The same key with the same
 * request gets the first answer again (no second message); with a different request it is refused (409). Two such
 * requests at the same moment meet at the unique index: the second waits for the first to commit, inserts nothing
 * and answers from the first's rows.
 *
 * <p>A suppressed recipient is not queued: its row is written as {@code failed}, with the suppression's reason as
 * its last reply, so the sender sees why it was not sent, and the other recipients are queued as usual.
 */
@Service
class OutboundMessages {
  static final int MAX_BATCH = 1_000;
  static final int MAX_KEY = 200;

  record AcceptedRecipient(long id, String address, RecipientKind kind, RecipientState state, String lastReply) {}

  record Accepted(long id, String messageId, List<AcceptedRecipient> recipients) {}

  /** One entry of a batch's answer: ids, or why this message was refused. */
  record BatchEntry(int index, Accepted accepted, Refusal refusal) {}

  record RecipientView(long id, String address, RecipientKind kind, RecipientState state, int attempts, Instant lastAttemptAt,
      Instant nextAttemptAt, String lastReply, List<AttemptView> attemptLog) {}

  /** One delivery attempt as the API shows it: the server that took the session and its reply (code null: none came). */
  record AttemptView(Instant at, AttemptOutcome outcome, String serverHost, String serverIp, String sourceIp, Integer replyCode,
      String enhancedCode, String reply, int durationMs) {}

  record MessageView(long id, String from, String subject, String messageId, Instant date, List<String> tags,
      Map<String, Object> metadata, Instant createdAt, boolean trackOpens, boolean trackClicks, List<RecipientView> recipients) {}

  record Summary(long id, String from, String subject, List<String> tags, Instant createdAt, Map<String, Integer> recipients) {}

  record Page(List<Summary> items, long total, int page, int size) {}

  private record Pending(int index, String key, String hash, Composer.Composed composed) {}

  private final JdbcClient jdbc;
  private final Composer composer;
  private final SuppressionScreen screen;
  private final ObjectMapper json;
  private final TransactionTemplate transaction;

  OutboundMessages(JdbcClient jdbc, Composer composer, SuppressionScreen screen, ObjectMapper json, PlatformTransactionManager transactions) {
    this.jdbc = jdbc;
    this.composer = composer;
    this.screen = screen;
    this.json = json;
    this.transaction = new TransactionTemplate(transactions);
  }

  /** Queues one message; {@code idempotencyKey} may be null. */
  Accepted accept(long organizationId, SendRequest request, String idempotencyKey) {
    Pending pending = prepare(organizationId, 0, request, idempotencyKey == null ? null : "single:" + key(idempotencyKey));
    if (pending.composed() == null) return replay(organizationId, pending.key(), pending.hash()).orElseThrow();
    Map<String, String> suppressed = suppressed(organizationId, List.of(pending));
    return transaction.execute(status -> insert(organizationId, pending, suppressed));
  }

  /**
   * Queues up to {@link #MAX_BATCH} messages, each checked on its own: the valid ones are inserted together in one
   * transaction, the others answered with their refusal. With a key, message {@code i} has the key {@code key#i}, so
   * the same batch sent again is answered as the first time, message by message.
   */
  List<BatchEntry> acceptBatch(long organizationId, List<SendRequest> requests, String idempotencyKey) {
    if (requests == null || requests.isEmpty()) throw Refused.invalid("messages", "Send 1 to " + MAX_BATCH + " messages.");
    if (requests.size() > MAX_BATCH) {
      throw Refused.invalid("messages", "At most " + MAX_BATCH + " messages per call; this batch has " + requests.size() + ".");
    }
    String base = idempotencyKey == null ? null : "batch:" + key(idempotencyKey) + "#";
    BatchEntry[] answers = new BatchEntry[requests.size()];
    List<Pending> toInsert = new ArrayList<>();
    for (int i = 0; i < requests.size(); i++) {
      try {
        Pending pending = prepare(organizationId, i, requests.get(i), base == null ? null : base + i);
        if (pending.composed() == null) {
          answers[i] = new BatchEntry(i, replay(organizationId, pending.key(), pending.hash()).orElseThrow(), null);
        } else {
          toInsert.add(pending);
        }
      } catch (Refused refused) {
        answers[i] = new BatchEntry(i, null, refused.refusal());
      }
    }
    Map<String, String> suppressed = suppressed(organizationId, toInsert);
    transaction.executeWithoutResult(status -> {
      for (Pending p : toInsert) {
        try {
          answers[p.index()] = new BatchEntry(p.index(), insert(organizationId, p, suppressed), null);
        } catch (Refused refused) { // a concurrent request took the key with another message
          answers[p.index()] = new BatchEntry(p.index(), null, refused.refusal());
        }
      }
    });
    return List.of(answers);
  }

  /** An earlier answer for the key (composed null), or the message checked and built, ready to insert. */
  private Pending prepare(long organizationId, int index, SendRequest request, String key) {
    String hash = key == null ? null : hash(request);
    if (key != null && replay(organizationId, key, hash).isPresent()) return new Pending(index, key, hash, null);
    return new Pending(index, key, hash, composer.compose(organizationId, request));
  }

  /**
   * Why each suppressed recipient of these messages may not be mailed (address key → the screen's reason), in one
   * query for a whole batch.
   */
  private Map<String, String> suppressed(long organizationId, List<Pending> pending) {
    String[] keys = pending.stream().flatMap(p -> p.composed().recipients().stream()).map(r -> r.address().key())
        .distinct().toArray(String[]::new);
    Map<String, String> reasons = new HashMap<>();
    if (keys.length == 0) return reasons;
    SqlFragment refusal = screen.refusalSql(organizationId, "r", "sup_");
    jdbc.sql("select r.email_key, " + refusal.sqlOver("r") + " from unnest(cast(:keys as text[])) as r(email_key)")
        .params(refusal.paramsWith(Map.of("keys", keys)))
        .query(rs -> {
          if (rs.getString(2) != null) reasons.put(rs.getString(1), rs.getString(2));
        });
    return reasons;
  }

  private static String key(String key) {
    if (key.isBlank() || key.length() > MAX_KEY || !key.chars().allMatch(c -> c > 32 && c < 127)) {
      throw Refused.invalid("Idempotency-Key", "An Idempotency-Key is 1 to " + MAX_KEY + " printable ASCII characters without spaces.");
    }
    return key;
  }

  private String hash(SendRequest request) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(json.writeValueAsBytes(request)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The answer given for the key before, if any; a conflict when the key came with another request. */
  private Optional<Accepted> replay(long organizationId, String key, String hash) {
    if (key == null) return Optional.empty();
    record Earlier(long id, String hash) {}
    Optional<Earlier> earlier = jdbc.sql("select id, request_hash from outbound_message where organization_id = ? and idempotency_key = ?")
        .params(organizationId, key).query((rs, i) -> new Earlier(rs.getLong(1), rs.getString(2))).optional();
    if (earlier.isEmpty()) return Optional.empty();
    if (!earlier.get().hash().equals(hash)) {
      throw Refused.conflict("Idempotency-Key", "This Idempotency-Key was used with a different message; use a new key for a new message.");
    }
    return Optional.of(accepted(earlier.get().id()));
  }

  /** The message and its recipients; in the caller's transaction. */
  private Accepted insert(long organizationId, Pending p, Map<String, String> suppressedReasons) {
    Composer.Composed c = p.composed();
    Optional<Long> id = jdbc.sql("""
        insert into outbound_message (organization_id, sending_domain_id, source, from_address, subject, header_message_id,
          header_date, smtputf8, content, idempotency_key, request_hash, tags, metadata, track_opens, track_clicks)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, cast(? as jsonb), ?, ?)
        on conflict (organization_id, idempotency_key) do nothing
        returning id""")
        .params(organizationId, c.sendingDomainId(), MessageSourceKind.API.text(), c.from(), c.subject(), c.message().messageId(),
            Timestamp.from(c.date()), c.message().smtpUtf8(), c.message().bytes(), p.key(), p.hash(), c.tags().toArray(String[]::new),
            c.metadata(), c.trackOpens(), c.trackClicks())
        .query(Long.class).optional();
    if (id.isEmpty()) return replay(organizationId, p.key(), p.hash()).orElseThrow(); // a concurrent request with the key committed first
    if (!c.links().isEmpty()) {
      jdbc.sql("insert into outbound_link (message_id, link_number, url) select ?, t.n, t.url from unnest(cast(? as text[])) with ordinality as t(url, n)")
          .params(id.get(), c.links().toArray(String[]::new)).update();
    }
    int n = c.recipients().size();
    String[] kinds = new String[n], addresses = new String[n], keys = new String[n], domains = new String[n], states = new String[n],
        replies = new String[n];
    for (int i = 0; i < n; i++) {
      EmailAddress address = c.recipients().get(i).address();
      kinds[i] = c.recipients().get(i).kind().text();
      addresses[i] = address.asciiAddress();
      keys[i] = address.key();
      domains[i] = address.asciiDomain().toLowerCase(java.util.Locale.ROOT);
      String suppressed = suppressedReasons.get(address.key());
      states[i] = (suppressed == null ? RecipientState.QUEUED : RecipientState.FAILED).text();
      replies[i] = suppressed == null ? "" : "Not sent: suppressed (" + suppressed + ")";
    }
    jdbc.sql("""
        insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, last_reply, finished_at)
        select ?, ?, t.kind, t.address, t.address_key, t.domain, t.state, t.reply, case when t.state = 'failed' then now() end
        from unnest(cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]))
          with ordinality as t(kind, address, address_key, domain, state, reply, position)
        order by t.position""")
        .params(id.get(), organizationId, kinds, addresses, keys, domains, states, replies).update();
    return accepted(id.get());
  }

  private Accepted accepted(long id) {
    String messageId = jdbc.sql("select header_message_id from outbound_message where id = ?").param(id).query(String.class).single();
    List<AcceptedRecipient> recipients = jdbc.sql("select id, address, kind, state, last_reply from outbound_recipient where message_id = ? order by id")
        .param(id).query((rs, i) -> new AcceptedRecipient(rs.getLong(1), rs.getString(2), TextEnum.fromText(RecipientKind.class, rs.getString(3)),
            TextEnum.fromText(RecipientState.class, rs.getString(4)), rs.getString(5)))
        .list();
    return new Accepted(id, messageId, recipients);
  }

  // ---- reading -----------------------------------------------------------------------------------------------------

  Optional<MessageView> find(long organizationId, long id) {
    return jdbc.sql("""
        select id, from_address, subject, header_message_id, header_date, tags, metadata::text, created_at, track_opens, track_clicks
        from outbound_message where organization_id = ? and id = ?""")
        .params(organizationId, id)
        .query((rs, i) -> new MessageView(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5), tags(rs, 6),
            metadata(rs.getString(7)), instant(rs, 8), rs.getBoolean(9), rs.getBoolean(10), recipients(rs.getLong(1))))
        .optional();
  }

  private List<RecipientView> recipients(long messageId) {
    Map<Long, List<AttemptView>> attempts = new HashMap<>();
    jdbc.sql("""
        select recipient_id, attempted_at, outcome, server_host, server_ip, source_ip, reply_code, enhanced_code, reply_text, duration_ms
        from outbound_attempt where message_id = ? order by id""")
        .param(messageId)
        .query(rs -> {
          attempts.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new AttemptView(instant(rs, 2),
              TextEnum.fromText(AttemptOutcome.class, rs.getString(3)), rs.getString(4), rs.getString(5), rs.getString(6),
              rs.getObject(7, Integer.class), rs.getString(8), rs.getString(9), rs.getInt(10)));
        });
    return jdbc.sql("""
        select id, address, kind, state, attempts, last_attempt_at, next_attempt_at, last_reply
        from outbound_recipient where message_id = ? order by id""")
        .param(messageId)
        .query((rs, i) -> {
          RecipientState state = TextEnum.fromText(RecipientState.class, rs.getString(4));
          boolean waiting = state == RecipientState.QUEUED || state == RecipientState.DEFERRED;
          return new RecipientView(rs.getLong(1), rs.getString(2), TextEnum.fromText(RecipientKind.class, rs.getString(3)), state,
              rs.getInt(5), instant(rs, 6), waiting ? instant(rs, 7) : null, rs.getString(8),
              attempts.getOrDefault(rs.getLong(1), List.of()));
        })
        .list();
  }

  /** Newest first; each filter optional: a recipient state, a tag, a recipient's address. */
  Page list(long organizationId, RecipientState state, String tag, String recipient, int page, int size) {
    Refused.checkPage(page, size);
    StringBuilder where = new StringBuilder(" where m.organization_id = ?");
    List<Object> params = new ArrayList<>(List.of(organizationId));
    if (state != null) {
      where.append(" and exists (select 1 from outbound_recipient r where r.message_id = m.id and r.state = ?)");
      params.add(state.text());
    }
    if (tag != null && !tag.isBlank()) {
      where.append(" and ? = any (m.tags)");
      params.add(tag.trim());
    }
    if (recipient != null && !recipient.isBlank()) {
      if (!(EmailAddress.parse(recipient) instanceof EmailAddress.Valid valid)) {
        throw Refused.invalid("recipient", "recipient is an email address.");
      }
      where.append(" and exists (select 1 from outbound_recipient r where r.message_id = m.id and r.address_key = ?)");
      params.add(valid.address().key());
    }
    long total = jdbc.sql("select count(*) from outbound_message m" + where).params(params).query(Long.class).single();
    List<Object> pageParams = new ArrayList<>(params);
    pageParams.add(size);
    pageParams.add((long) page * size);
    record Row(long id, String from, String subject, List<String> tags, Instant createdAt) {}
    List<Row> rows = jdbc.sql("select m.id, m.from_address, m.subject, m.tags, m.created_at from outbound_message m" + where
            + " order by m.created_at desc, m.id desc limit ? offset ?")
        .params(pageParams)
        .query((rs, i) -> new Row(rs.getLong(1), rs.getString(2), rs.getString(3), tags(rs, 4), instant(rs, 5))).list();
    Map<Long, Map<String, Integer>> counts = new HashMap<>();
    if (!rows.isEmpty()) {
      jdbc.sql("select message_id, state, count(*) from outbound_recipient where message_id = any (?) group by message_id, state order by state")
          .param(rows.stream().map(Row::id).toArray(Long[]::new))
          .query(rs -> {
            counts.computeIfAbsent(rs.getLong(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getInt(3));
          });
    }
    List<Summary> items = rows.stream()
        .map(r -> new Summary(r.id(), r.from(), r.subject(), r.tags(), r.createdAt(), counts.getOrDefault(r.id(), Map.of()))).toList();
    return new Page(items, total, page, size);
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static List<String> tags(ResultSet rs, int column) throws SQLException {
    Array array = rs.getArray(column);
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }

  @SuppressWarnings("unchecked")
  private Map<String, Object> metadata(String text) {
    return json.readValue(text, Map.class);
  }
}
