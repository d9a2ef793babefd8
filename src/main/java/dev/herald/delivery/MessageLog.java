package dev.herald.delivery;

import dev.herald.platform.TextEnum;
import java.nio.charset.StandardCharsets;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * The organization's sent messages as its panel shows them, a mail log: pages of messages newest first with filters,
 * one message with each recipient's state and attempts, its stored source, and the last day's figures. It only reads;
 * {@link OutboundMessages} accepts messages and the worker moves their recipients.
 *
 * <p>Pages are keyset pages over {@code (created_at, id)}, the order of the index {@code outbound_message_org_created}:
 * a page far back costs what the first does, and nothing counts every match (at a million messages a count alone
 * would be the slow part of the page).
 *
 * <p>Campaigns forwarded to a friend ({@link MessageSourceKind#FORWARD}) are not shown: the organization sees only how
 * many there were (campaigns' count), never the friend's address.
 */
@Service
class MessageLog {
  static final int PAGE_SIZE = 50;
  /** Recipients shown on a message's page; the rest are counted. A message has at most 1,000. */
  static final int RECIPIENTS_SHOWN = 200;
  /** Source shown on the page; the download has all of it. */
  static final int SOURCE_SHOWN = 256 * 1024;

  /**
   * What the list is narrowed to; each part optional (null). {@code recipientKey} is an address key
   * ({@code EmailAddress.key()}); {@code since} inclusive, {@code until} exclusive.
   */
  record Filter(RecipientState state, String tag, String recipientKey, Long domainId, Instant since, Instant until) {
    static final Filter NONE = new Filter(null, null, null, null, null, null);
  }

  /** Where a page starts: after (older than) or before (newer than) the message with this id; null for the newest. */
  record Cursor(long id, boolean newer) {}

  record StateCount(RecipientState state, int count) {}

  /** One line of the list: {@code firstRecipient} is the first To address, {@code states} in the enum's order. */
  record Row(long id, Instant createdAt, String from, String subject, List<String> tags, String firstRecipient, int recipients,
      List<StateCount> states) {}

  /** A page and the ids to continue from: {@code newerThan} for the link to newer messages, {@code olderThan} to older. */
  record Page(List<Row> rows, Long newerThan, Long olderThan) {}

  /**
   * One delivery attempt of a recipient: the server that took the session ({@code serverHost} and {@code serverIp}
   * null when none did), the address it left from, and the reply that decided (code null: none came).
   */
  record Attempt(Instant at, AttemptOutcome outcome, String serverHost, String serverIp, String sourceIp, Integer replyCode,
      String enhancedCode, String replyText, int durationMs) {
    /** "mx.example.com [192.0.2.1]", or whichever of the two is known; empty when no server took the session. */
    public String server() {
      if (serverHost == null) return serverIp == null ? "" : serverIp;
      return serverIp == null ? serverHost : serverHost + " [" + serverIp + "]";
    }

    /** "550 5.1.1 No such user": the code and enhanced code before the text, unless the text starts with them already. */
    public String reply() {
      String prefix = (replyCode == null ? "" : replyCode + " ") + (enhancedCode == null ? "" : enhancedCode + " ");
      return replyText.startsWith(prefix.strip()) ? replyText : prefix + replyText;
    }
  }

  record Recipient(long id, String address, RecipientKind kind, RecipientState state, int attempts, Instant lastAttemptAt,
      Instant nextAttemptAt, String lastReply, Instant finishedAt, List<Attempt> timeline) {}

  /** {@code metadata}: each top-level key with its value as text (a JSON string without quotes, anything else as JSON). */
  record Message(long id, String from, String subject, String messageId, Instant date, List<String> tags,
      Map<String, String> metadata, Instant createdAt, Long sendingDomainId, long sourceSize, int recipientCount,
      List<StateCount> states, List<Recipient> recipients) {
    public boolean hasSource() {
      return sourceSize > 0;
    }
  }

  /** The stored, unsigned bytes of a message as queued (signing happens at delivery). */
  record Source(long id, String messageId, byte[] bytes) {
    /** As text for the page: at most {@link #SOURCE_SHOWN} bytes, UTF-8 (an SMTPUTF8 message's headers are UTF-8). */
    public String shown() {
      return new String(bytes, 0, Math.min(bytes.length, SOURCE_SHOWN), StandardCharsets.UTF_8);
    }

    public boolean cut() {
      return bytes.length > SOURCE_SHOWN;
    }

    public int shownLimit() {
      return SOURCE_SHOWN;
    }
  }

  /** The last 24 hours: messages queued, and the recipients with an attempt of each outcome in that time. */
  record LastDay(long accepted, long delivered, long deferred, long bounced, long expired) {}

  private final JdbcClient jdbc;
  private final ObjectMapper json;
  private final Clock clock;

  MessageLog(JdbcClient jdbc, ObjectMapper json, Clock clock) {
    this.jdbc = jdbc;
    this.json = json;
    this.clock = clock;
  }

  // ---- the list ----------------------------------------------------------------------------------------------------

  Page page(long organizationId, Filter filter, Cursor cursor, int size) {
    PageQuery query = pageQuery(organizationId, filter, cursor, size);
    boolean newer = cursor != null && cursor.newer();
    record Head(long id, Instant createdAt, String from, String subject, List<String> tags) {}
    List<Head> heads = new ArrayList<>(jdbc.sql(query.sql()).params(query.params())
        .query((rs, i) -> new Head(rs.getLong(1), instant(rs, 2), rs.getString(3), rs.getString(4), tags(rs, 5))).list());
    boolean more = heads.size() > size;
    if (more) heads.removeLast();
    if (newer) Collections.reverse(heads);
    Long newerThan = heads.isEmpty() || (newer && !more) || cursor == null ? null : heads.getFirst().id();
    Long olderThan = heads.isEmpty() || (!newer && !more) ? null : heads.getLast().id();

    long[] ids = heads.stream().mapToLong(Head::id).toArray();
    Map<Long, List<StateCount>> states = stateCounts(ids);
    Map<Long, String> first = firstRecipients(ids);
    List<Row> rows = heads.stream().map(h -> {
      List<StateCount> s = states.getOrDefault(h.id(), List.of());
      return new Row(h.id(), h.createdAt(), h.from(), h.subject(), h.tags(), first.get(h.id()),
          s.stream().mapToInt(StateCount::count).sum(), s);
    }).toList();
    return new Page(rows, newerThan, olderThan);
  }

  /** A page's SQL with its named parameters; apart so that the plans can be checked (MessageLogPlans). */
  record PageQuery(String sql, Map<String, Object> params) {}

  static PageQuery pageQuery(long organizationId, Filter filter, Cursor cursor, int size) {
    StringBuilder sql = new StringBuilder("""
        select m.id, m.created_at, m.from_address, m.subject, m.tags from outbound_message m where m.organization_id = :org
        and m.source <> 'forward'""");
    Map<String, Object> params = new HashMap<>();
    params.put("org", organizationId);
    where(filter, sql, params);
    boolean newer = cursor != null && cursor.newer();
    if (cursor != null) {
      sql.append(newer ? " and (m.created_at, m.id) > " : " and (m.created_at, m.id) < ")
          .append("(select c.created_at, c.id from outbound_message c where c.id = :cursor and c.organization_id = :org)");
      params.put("cursor", cursor.id());
    }
    sql.append(newer ? " order by m.created_at, m.id" : " order by m.created_at desc, m.id desc").append(" limit :limit");
    params.put("limit", size + 1);
    return new PageQuery(sql.toString(), params);
  }

  /**
   * The filters as conditions on {@code m}, each one an index can serve (plans at a million recipients in
   * MessageLogPlans): a recipient's address through {@code outbound_recipient_org_address}, a tag through the GIN index
   * on tags (@>, which = any would not use), days through {@code outbound_message_org_created}.
   */
  private static void where(Filter f, StringBuilder sql, Map<String, Object> params) {
    if (f.state() != null) {
      // In this form the planner chooses: probe each message's recipients on the walk (a common state), or start from
      // outbound_recipient_org_failed (a rare final failure), V43.
      sql.append(" and m.id in (select r.message_id from outbound_recipient r where r.organization_id = :org and r.state = :state)");
      params.put("state", f.state().text());
    }
    if (f.recipientKey() != null) {
      sql.append(" and m.id in (select r.message_id from outbound_recipient r where r.organization_id = :org and r.address_key = :rcpt)");
      params.put("rcpt", f.recipientKey());
    }
    if (f.tag() != null) {
      sql.append(" and m.tags @> array[cast(:tag as text)]");
      params.put("tag", f.tag());
    }
    if (f.domainId() != null) {
      sql.append(" and m.sending_domain_id = :domain");
      params.put("domain", f.domainId());
    }
    if (f.since() != null) {
      sql.append(" and m.created_at >= :since");
      params.put("since", Timestamp.from(f.since()));
    }
    if (f.until() != null) {
      sql.append(" and m.created_at < :until");
      params.put("until", Timestamp.from(f.until()));
    }
  }

  private Map<Long, List<StateCount>> stateCounts(long... messageIds) {
    Map<Long, Map<RecipientState, Integer>> counts = new HashMap<>();
    if (messageIds.length == 0) return Map.of();
    jdbc.sql("select message_id, state, count(*) from outbound_recipient where message_id = any (:ids) group by message_id, state")
        .param("ids", box(messageIds))
        .query(rs -> {
          counts.computeIfAbsent(rs.getLong(1), k -> new EnumMap<>(RecipientState.class))
              .put(TextEnum.fromText(RecipientState.class, rs.getString(2)), rs.getInt(3));
        });
    Map<Long, List<StateCount>> out = new HashMap<>();
    counts.forEach((id, byState) -> out.put(id, byState.entrySet().stream().map(e -> new StateCount(e.getKey(), e.getValue())).toList()));
    return out;
  }

  private Map<Long, String> firstRecipients(long[] messageIds) {
    Map<Long, String> first = new HashMap<>();
    if (messageIds.length == 0) return first;
    jdbc.sql("""
        select distinct on (message_id) message_id, address from outbound_recipient
        where message_id = any (:ids) order by message_id, id""")
        .param("ids", box(messageIds))
        .query(rs -> {
          first.put(rs.getLong(1), rs.getString(2));
        });
    return first;
  }

  // ---- one message -------------------------------------------------------------------------------------------------

  Optional<Message> message(long organizationId, long id) {
    record Head(long id, String from, String subject, String messageId, Instant date, List<String> tags, String metadata,
        Instant createdAt, Long domainId, long size) {}
    Optional<Head> head = jdbc.sql("""
        select id, from_address, subject, header_message_id, header_date, tags, metadata::text, created_at, sending_domain_id,
          coalesce(octet_length(content), 0)
        from outbound_message where organization_id = ? and id = ? and source <> 'forward'""")
        .params(organizationId, id)
        .query((rs, i) -> new Head(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4), instant(rs, 5), tags(rs, 6),
            rs.getString(7), instant(rs, 8), (Long) rs.getObject(9), rs.getLong(10)))
        .optional();
    return head.map(h -> {
      List<StateCount> states = stateCounts(h.id()).getOrDefault(h.id(), List.of());
      return new Message(h.id(), h.from(), h.subject(), h.messageId(), h.date(), h.tags(), metadata(h.metadata()), h.createdAt(),
          h.domainId(), h.size(), states.stream().mapToInt(StateCount::count).sum(), states, recipients(h.id()));
    });
  }

  private List<Recipient> recipients(long messageId) {
    record R(long id, String address, RecipientKind kind, RecipientState state, int attempts, Instant last, Instant next, String reply,
        Instant finished) {}
    List<R> rows = jdbc.sql("""
        select id, address, kind, state, attempts, last_attempt_at, next_attempt_at, last_reply, finished_at
        from outbound_recipient where message_id = ? order by id limit ?""")
        .params(messageId, RECIPIENTS_SHOWN)
        .query((rs, i) -> {
          RecipientState state = TextEnum.fromText(RecipientState.class, rs.getString(4));
          return new R(rs.getLong(1), rs.getString(2), TextEnum.fromText(RecipientKind.class, rs.getString(3)), state, rs.getInt(5),
              instant(rs, 6), state.waiting() ? instant(rs, 7) : null, rs.getString(8), instant(rs, 9));
        })
        .list();
    Map<Long, List<Attempt>> timelines = attempts(rows.stream().mapToLong(R::id).toArray());
    return rows.stream().map(r -> new Recipient(r.id(), r.address(), r.kind(), r.state(), r.attempts(), r.last(), r.next(), r.reply(),
        r.finished(), timelines.getOrDefault(r.id(), List.of()))).toList();
  }

  /** Each recipient's attempts, oldest first. */
  private Map<Long, List<Attempt>> attempts(long[] recipientIds) {
    Map<Long, List<Attempt>> out = new HashMap<>();
    if (recipientIds.length == 0) return out;
    jdbc.sql("""
        select recipient_id, attempted_at, outcome, server_host, server_ip, source_ip, reply_code, enhanced_code, reply_text, duration_ms
        from outbound_attempt where recipient_id = any (:ids) order by recipient_id, id""")
        .param("ids", box(recipientIds))
        .query(rs -> {
          out.computeIfAbsent(rs.getLong(1), k -> new ArrayList<>()).add(new Attempt(instant(rs, 2),
              TextEnum.fromText(AttemptOutcome.class, rs.getString(3)), rs.getString(4), rs.getString(5), rs.getString(6),
              (Integer) rs.getObject(7), rs.getString(8), rs.getString(9), rs.getInt(10)));
        });
    return out;
  }

  Optional<Source> source(long organizationId, long id) {
    return jdbc.sql("select id, header_message_id, content from outbound_message where organization_id = ? and id = ? and octet_length(content) > 0")
        .params(organizationId, id)
        .query((rs, i) -> new Source(rs.getLong(1), rs.getString(2), rs.getBytes(3)))
        .optional();
  }

  // ---- the overview ------------------------------------------------------------------------------------------------

  /**
   * Messages by {@code outbound_message_org_created}, recipients by their attempts in the window through
   * {@code outbound_attempt_org_time}: each recipient once per outcome (one deferred three times is one deferred).
   */
  LastDay lastDay(long organizationId) {
    Timestamp since = Timestamp.from(clock.instant().minus(Duration.ofHours(24)));
    long accepted = jdbc.sql("select count(*) from outbound_message where organization_id = ? and created_at >= ?")
        .params(organizationId, since).query(Long.class).single();
    Map<AttemptOutcome, Long> byOutcome = new EnumMap<>(AttemptOutcome.class);
    jdbc.sql("""
        select outcome, count(distinct recipient_id) from outbound_attempt
        where organization_id = ? and attempted_at >= ? group by outcome""")
        .params(organizationId, since)
        .query(rs -> {
          byOutcome.put(TextEnum.fromText(AttemptOutcome.class, rs.getString(1)), rs.getLong(2));
        });
    return new LastDay(accepted, byOutcome.getOrDefault(AttemptOutcome.DELIVERED, 0L), byOutcome.getOrDefault(AttemptOutcome.DEFERRED, 0L),
        byOutcome.getOrDefault(AttemptOutcome.BOUNCED, 0L), byOutcome.getOrDefault(AttemptOutcome.EXPIRED, 0L));
  }

  // ---- helpers -----------------------------------------------------------------------------------------------------

  private Map<String, String> metadata(String text) {
    Map<String, String> out = new LinkedHashMap<>();
    JsonNode node = json.readTree(text);
    for (Map.Entry<String, JsonNode> e : node.properties()) {
      out.put(e.getKey(), e.getValue().isString() ? e.getValue().asString() : e.getValue().toString());
    }
    return out;
  }

  private static Long[] box(long[] ids) {
    Long[] boxed = new Long[ids.length];
    for (int i = 0; i < ids.length; i++) boxed[i] = ids[i];
    return boxed;
  }

  private static Instant instant(ResultSet rs, int column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }

  private static List<String> tags(ResultSet rs, int column) throws SQLException {
    Array array = rs.getArray(column);
    return array == null ? List.of() : List.of((String[]) array.getArray());
  }
}
