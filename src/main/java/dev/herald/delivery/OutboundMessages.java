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
    String key = idempotencyKey == null ? null : "single:" + key(idempotencyKey);
    String hash = key == null ? null : hash(request);
    Map<String, Long> earlier = key == null ? Map.of() : earlier(organizationId, new String[] {key}, new String[] {hash});
    if (key != null && earlier.containsKey(key)) return replay(earlier.get(key));
    Pending pending = new Pending(0, key, hash, composer.compose(organizationId, request));
    Map<String, String> suppressed = suppressed(organizationId, List.of(pending));
    BatchEntry entry = transaction.execute(status -> insert(organizationId, List.of(pending), suppressed)).getFirst();
    if (entry.refusal() != null) throw new Refused(entry.refusal());
    return entry.accepted();
  }

  /**
   * Queues up to {@link #MAX_BATCH} messages, each checked on its own: the valid ones are inserted together in one
   * transaction, the others answered with their refusal. With a key, message {@code i} has the key {@code key#i}, so
   * the same batch sent again is answered as the first time, message by message.
   *
   * <p>Set-based: one query finds the batch's earlier keys, one screens its recipients, and one statement each inserts
   * its messages, their recipients and their tracked links, so the cost per message is building it, not round trips.
   */
  List<BatchEntry> acceptBatch(long organizationId, List<SendRequest> requests, String idempotencyKey) {
    if (requests == null || requests.isEmpty()) throw Refused.invalid("messages", "Send 1 to " + MAX_BATCH + " messages.");
    if (requests.size() > MAX_BATCH) {
      throw Refused.invalid("messages", "At most " + MAX_BATCH + " messages per call; this batch has " + requests.size() + ".");
    }
    int n = requests.size();
    String base = idempotencyKey == null ? null : "batch:" + key(idempotencyKey) + "#";
    String[] keys = new String[n], hashes = new String[n];
    if (base != null) {
      for (int i = 0; i < n; i++) {
        keys[i] = base + i;
        hashes[i] = hash(requests.get(i));
      }
    }
    Map<String, Long> earlier = base == null ? Map.of() : earlier(organizationId, keys, hashes);
    BatchEntry[] answers = new BatchEntry[n];
    Map<Integer, Long> replays = new LinkedHashMap<>();
    List<Pending> toInsert = new ArrayList<>();
    Composer.Lookups lookups = new Composer.Lookups();
    for (int i = 0; i < n; i++) {
      try {
        if (keys[i] != null && earlier.containsKey(keys[i])) {
          if (earlier.get(keys[i]) == null) throw conflict();
          replays.put(i, earlier.get(keys[i]));
        } else {
          toInsert.add(new Pending(i, keys[i], hashes[i], composer.compose(organizationId, requests.get(i), lookups)));
        }
      } catch (Refused refused) {
        answers[i] = new BatchEntry(i, null, refused.refusal());
      }
    }
    Map<Long, Accepted> replayed = accepted(replays.values());
    replays.forEach((i, id) -> answers[i] = new BatchEntry(i, replayed.get(id), null));
    Map<String, String> suppressed = suppressed(organizationId, toInsert);
    if (!toInsert.isEmpty()) {
      for (BatchEntry e : transaction.execute(status -> insert(organizationId, toInsert, suppressed))) answers[e.index()] = e;
    }
    return List.of(answers);
  }

  /**
   * Why each suppressed or restricted recipient of these messages may not be mailed (address key → "suppressed (the
   * screen's reason)" or the restriction's), in one query for a whole batch.
   */
  private Map<String, String> suppressed(long organizationId, List<Pending> pending) {
    String[] keys = pending.stream().flatMap(p -> p.composed().recipients().stream()).map(r -> r.address().key())
        .distinct().toArray(String[]::new);
    Map<String, String> reasons = new HashMap<>();
    if (keys.length == 0) return reasons;
    SqlFragment refusal = screen.refusalSql(organizationId, "r", "sup_");
    // A restriction of processing stops the send API's mail too; an objection to marketing does not (this mail is the
    // organization's transactional mail, which the person's objection does not cover).
    SqlFragment restricted = screen.restrictedSql(organizationId, "r", "rst_", false);
    jdbc.sql("select r.email_key, 'suppressed (' || " + refusal.sqlOver("r") + " || ')', " + restricted.sqlOver("r")
            + " from unnest(cast(:keys as text[])) as r(email_key)")
        .params(restricted.paramsWith(refusal.paramsWith(Map.of("keys", keys))))
        .query(rs -> {
          String reason = rs.getString(2) != null ? rs.getString(2) : rs.getString(3);
          if (reason != null) reasons.put(rs.getString(1), reason);
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

  /**
   * The messages stored before under these keys (null entries skipped), key → message id, in one query; the id is
   * null when the key came with another request (another hash), which the caller refuses (409) for that message.
   */
  private Map<String, Long> earlier(long organizationId, String[] keys, String[] hashes) {
    Map<String, String> hashOf = new HashMap<>();
    for (int i = 0; i < keys.length; i++) if (keys[i] != null) hashOf.put(keys[i], hashes[i]);
    Map<String, Long> found = new HashMap<>();
    jdbc.sql("select idempotency_key, id, request_hash from outbound_message where organization_id = ? and idempotency_key = any (?)")
        .params(organizationId, hashOf.keySet().toArray(String[]::new))
        .query(rs -> {
          found.put(rs.getString(1), hashOf.get(rs.getString(1)).equals(rs.getString(3)) ? rs.getLong(2) : null);
        });
    return found;
  }

  /** The first answer again, or the conflict when the key came with another request ({@link #earlier}'s null). */
  private Accepted replay(Long id) {
    if (id == null) throw conflict();
    return accepted(List.of(id)).get(id);
  }

  private static Refused conflict() {
    return Refused.conflict("Idempotency-Key", "This Idempotency-Key was used with a different message; use a new key for a new message.");
  }

  /**
   * The messages, their recipients and their tracked links, one statement each; in the caller's transaction. Ids are
   * drawn first so that every row is named before it is written. A message whose key a concurrent request committed
   * first (the insert waits for it at the unique index, then skips) gets that request's answer, or a conflict.
   */
  private List<BatchEntry> insert(long organizationId, List<Pending> pending, Map<String, String> suppressedReasons) {
    int n = pending.size();
    List<Long> ids = jdbc.sql("select nextval(pg_get_serial_sequence('outbound_message', 'id')) from generate_series(1, ?)")
        .param(n).query(Long.class).list();
    Long[] messageIds = ids.toArray(Long[]::new);
    Long[] domainIds = new Long[n];
    String[] froms = new String[n], subjects = new String[n], headerIds = new String[n], keys = new String[n], hashes = new String[n],
        tags = new String[n], metadata = new String[n];
    String[] dates = new String[n];
    Boolean[] utf8 = new Boolean[n], opens = new Boolean[n], clicks = new Boolean[n];
    byte[][] contents = new byte[n][];
    for (int i = 0; i < n; i++) {
      Pending p = pending.get(i);
      Composer.Composed c = p.composed();
      domainIds[i] = c.sendingDomainId();
      froms[i] = c.from();
      subjects[i] = c.subject();
      headerIds[i] = c.message().messageId();
      dates[i] = c.date().toString(); // ISO 8601 in UTC, which timestamptz reads
      utf8[i] = c.message().smtpUtf8();
      contents[i] = c.message().bytes();
      keys[i] = p.key();
      hashes[i] = p.hash();
      tags[i] = textArray(c.tags());
      metadata[i] = c.metadata();
      opens[i] = c.trackOpens();
      clicks[i] = c.trackClicks();
    }
    // tags go as text literals of arrays ('{"a","b"}'): a two-dimensional array cannot hold rows of different lengths.
    // In statements of CONTENT_CHUNK messages: PostgreSQL receives a statement's parameters whole and copies the contents
    // twice more (the array, then each element out of unnest), so a 1,000-message batch of 20 KB each took ~60 MB of
    // fresh memory per statement: page faults were 12 % of the server's samples during bench/mta.sh (perf), and the
    // insert's time fell by a third in statements of 50 (pg_stat_statements, same bench).
    java.util.Set<Long> inserted = new java.util.HashSet<>();
    for (int from = 0; from < n; from += CONTENT_CHUNK) {
      int to = Math.min(n, from + CONTENT_CHUNK);
      inserted.addAll(jdbc.sql("""
          insert into outbound_message (id, organization_id, sending_domain_id, source, from_address, subject, header_message_id,
            header_date, smtputf8, content, idempotency_key, request_hash, tags, metadata, track_opens, track_clicks)
          select t.id, ?, t.domain_id, ?, t.from_address, t.subject, t.header_id, t.header_date, t.utf8, t.content, t.key, t.hash,
            cast(t.tags as text[]), cast(t.metadata as jsonb), t.opens, t.clicks
          from unnest(cast(? as bigint[]), cast(? as bigint[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
            cast(? as timestamptz[]), cast(? as boolean[]), cast(? as bytea[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
            cast(? as text[]), cast(? as boolean[]), cast(? as boolean[]))
            as t(id, domain_id, from_address, subject, header_id, header_date, utf8, content, key, hash, tags, metadata, opens, clicks)
          order by t.id
          on conflict (organization_id, idempotency_key) do nothing
          returning id""")
          .params(organizationId, MessageSourceKind.API.text(), slice(messageIds, from, to), slice(domainIds, from, to),
              slice(froms, from, to), slice(subjects, from, to), slice(headerIds, from, to), slice(dates, from, to),
              slice(utf8, from, to), slice(contents, from, to), slice(keys, from, to), slice(hashes, from, to), slice(tags, from, to),
              slice(metadata, from, to), slice(opens, from, to), slice(clicks, from, to))
          .query(Long.class).list());
    }

    List<Long> linkMessages = new ArrayList<>(), recipientMessages = new ArrayList<>();
    List<Integer> linkNumbers = new ArrayList<>();
    List<String> urls = new ArrayList<>(), kinds = new ArrayList<>(), addresses = new ArrayList<>(), addressKeys = new ArrayList<>(),
        domains = new ArrayList<>(), states = new ArrayList<>(), replies = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      if (!inserted.contains(messageIds[i])) continue;
      Composer.Composed c = pending.get(i).composed();
      for (int l = 0; l < c.links().size(); l++) {
        linkMessages.add(messageIds[i]);
        linkNumbers.add(l + 1);
        urls.add(c.links().get(l));
      }
      for (Composer.Recipient r : c.recipients()) {
        EmailAddress address = r.address();
        String suppressed = suppressedReasons.get(address.key());
        recipientMessages.add(messageIds[i]);
        kinds.add(r.kind().text());
        addresses.add(address.asciiAddress());
        addressKeys.add(address.key());
        domains.add(address.asciiDomain().toLowerCase(java.util.Locale.ROOT));
        states.add((suppressed == null ? RecipientState.QUEUED : RecipientState.FAILED).text());
        replies.add(suppressed == null ? "" : "Not sent: " + suppressed);
      }
    }
    if (!linkMessages.isEmpty()) {
      jdbc.sql("""
          insert into outbound_link (message_id, link_number, url)
          select * from unnest(cast(? as bigint[]), cast(? as integer[]), cast(? as text[]))""")
          .params(linkMessages.toArray(Long[]::new), linkNumbers.toArray(Integer[]::new), urls.toArray(String[]::new)).update();
    }
    Map<Long, List<AcceptedRecipient>> recipients = new HashMap<>();
    if (!recipientMessages.isEmpty()) {
      // ids follow the order of the select (position), which is the order the answer lists them in
      jdbc.sql("""
          insert into outbound_recipient (message_id, organization_id, kind, address, address_key, domain, state, last_reply, finished_at)
          select t.message_id, ?, t.kind, t.address, t.address_key, t.domain, t.state, t.reply, case when t.state = 'failed' then now() end
          from unnest(cast(? as bigint[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]), cast(? as text[]),
            cast(? as text[])) with ordinality as t(message_id, kind, address, address_key, domain, state, reply, position)
          order by t.position
          returning id, message_id, address, kind, state, last_reply""")
          .params(organizationId, recipientMessages.toArray(Long[]::new), kinds.toArray(String[]::new), addresses.toArray(String[]::new),
              addressKeys.toArray(String[]::new), domains.toArray(String[]::new), states.toArray(String[]::new),
              replies.toArray(String[]::new))
          .query(rs -> {
            recipients.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>()).add(recipient(rs));
          });
      recipients.values().forEach(list -> list.sort(java.util.Comparator.comparingLong(AcceptedRecipient::id)));
    }
    List<BatchEntry> entries = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      Pending p = pending.get(i);
      if (inserted.contains(messageIds[i])) {
        entries.add(new BatchEntry(p.index(), new Accepted(messageIds[i], p.composed().message().messageId(),
            List.copyOf(recipients.getOrDefault(messageIds[i], List.of()))), null));
        continue;
      }
      try { // a concurrent request with the key committed first
        Map<String, Long> earlier = earlier(organizationId, new String[] {p.key()}, new String[] {p.hash()});
        entries.add(new BatchEntry(p.index(), replay(earlier.get(p.key())), null));
      } catch (Refused refused) {
        entries.add(new BatchEntry(p.index(), null, refused.refusal()));
      }
    }
    return entries;
  }

  /** How many messages one insert statement carries (their contents in one parameter). */
  static final int CONTENT_CHUNK = 50;

  private static <T> T[] slice(T[] values, int from, int to) {
    return from == 0 && to == values.length ? values : java.util.Arrays.copyOfRange(values, from, to);
  }

  /** A PostgreSQL array literal of the strings, each quoted. */
  private static String textArray(List<String> values) {
    StringBuilder out = new StringBuilder("{");
    for (String v : values) {
      if (out.length() > 1) out.append(',');
      out.append('"').append(v.replace("\\", "\\\\").replace("\"", "\\\"")).append('"');
    }
    return out.append('}').toString();
  }

  private static AcceptedRecipient recipient(ResultSet rs) throws SQLException {
    return new AcceptedRecipient(rs.getLong(1), rs.getString(3), TextEnum.fromText(RecipientKind.class, rs.getString(4)),
        TextEnum.fromText(RecipientState.class, rs.getString(5)), rs.getString(6));
  }

  /** The answers stored for these messages, id → answer, in two queries. */
  private Map<Long, Accepted> accepted(java.util.Collection<Long> ids) {
    Map<Long, Accepted> answers = new HashMap<>();
    if (ids.isEmpty()) return answers;
    Long[] wanted = ids.toArray(Long[]::new);
    Map<Long, List<AcceptedRecipient>> recipients = new HashMap<>();
    jdbc.sql("select id, message_id, address, kind, state, last_reply from outbound_recipient where message_id = any (?) order by id")
        .param(wanted)
        .query(rs -> {
          recipients.computeIfAbsent(rs.getLong(2), k -> new ArrayList<>()).add(recipient(rs));
        });
    jdbc.sql("select id, header_message_id from outbound_message where id = any (?)").param(wanted)
        .query(rs -> {
          answers.put(rs.getLong(1), new Accepted(rs.getLong(1), rs.getString(2), List.copyOf(recipients.getOrDefault(rs.getLong(1), List.of()))));
        });
    return answers;
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
        from outbound_attempt where recipient_id in (select id from outbound_recipient where message_id = ?) order by id""")
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
      // No stored tag holds a control character (Composer refuses them), and PostgreSQL refuses a NUL in a parameter.
      if (tag.chars().anyMatch(Character::isISOControl)) throw Refused.invalid("tag", "tag has no control characters.");
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
