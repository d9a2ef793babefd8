package dev.herald.privacy;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.ObjectMapper;

/**
 * Data-subject requests and their workflow: opened (by a member, an API client, or the person through a verified
 * self-service link), started, extended once, then completed ({@link RequestCompletion} carries it out) or rejected
 * with a reason. Every step is kept in the request's history with who took it and when. The due date and the
 * overdue and due-soon flags come from {@link DueDates} and the injected clock.
 */
@Service
public class DataSubjectRequests {
  static final int MAX_NOTE = 2000;
  private final JdbcClient jdbc;
  private final Clock clock;
  private final AuditLog audit;
  private final ObjectMapper json;

  DataSubjectRequests(JdbcClient jdbc, Clock clock, AuditLog audit, ObjectMapper json) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.audit = audit;
    this.json = json;
  }

  /**
   * A request as the panel and the API show it. {@code overdue} and {@code dueSoon} are computed now, for open
   * requests only; {@code outcome} is the completion record (counts only).
   */
  public record Request(long id, RequestType type, RequestStatus status, RequestChannel channel, String address,
      Instant receivedAt, Instant dueAt, Instant extendedAt, String extensionReason, String handledBy, Instant closedAt,
      String rejectionReason, Map<String, Object> outcome, boolean overdue, boolean dueSoon) {
    public boolean extendable() {
      return status.open() && extendedAt == null;
    }
  }

  public record Step(RequestAction action, String actor, String note, Instant at) {}

  public record Page(List<Request> items, long total, int page, int size) {}

  /** Which requests a listing shows: null members mean any. {@code flag} is "overdue", "due_soon" or "open". */
  public record Filter(RequestStatus status, RequestType type, String flag, String q) {
    public static final List<String> FLAGS = List.of("open", "overdue", "due_soon");

    public Filter {
      if (flag != null && flag.isBlank()) flag = null;
      if (flag != null && !FLAGS.contains(flag)) throw Refused.invalid("flag", "flag is one of open, overdue, due_soon.");
      q = q == null ? "" : Text.requireNoControls("q", q).strip();
    }
  }

  /** The open requests of an organization: how many, how many overdue, how many due within a week. */
  public record Figures(long open, long overdue, long dueSoon) {}

  // ---- opening ---------------------------------------------------------------------------------

  /** Opens a request received now; {@code note} (optional) goes into the first history step. */
  @Transactional
  public Request open(long organizationId, RequestType type, String address, RequestChannel channel, String actor, String note) {
    return open(organizationId, type, address, channel, actor, note, null);
  }

  /**
   * Opens a request; {@code verification} is a self-service link's nonce, unique, so that the same link confirmed
   * twice finds the request it opened the first time (returned as it is).
   */
  @Transactional
  Request open(long organizationId, RequestType type, String address, RequestChannel channel, String actor, String note,
      String verification) {
    if (type == null) throw Refused.invalid("type", "type is one of " + TextEnum.texts(RequestType.class) + ".");
    EmailAddress parsed = switch (EmailAddress.parse(address)) {
      case EmailAddress.Valid v -> v.address();
      case EmailAddress.Invalid i -> throw Refused.invalid("address", "Not a valid email address: " + i.reason() + ".");
    };
    String cleanNote = note(note, "note");
    if (verification != null) {
      Optional<Long> existing = jdbc.sql("select id from privacy_request where verification = ?").param(verification)
          .query(Long.class).optional();
      if (existing.isPresent()) return get(organizationId, existing.get());
    }
    Instant now = clock.instant();
    long id = jdbc.sql("""
        insert into privacy_request (organization_id, type, status, channel, address, address_key, received_at, due_at,
          handled_by, verification)
        values (?, ?, 'received', ?, ?, ?, ?, ?, ?, ?) returning id""")
        .params(organizationId, type.text(), channel.text(), parsed.address(), parsed.key(), Timestamp.from(now),
            Timestamp.from(DueDates.due(now)), actor, verification)
        .query(Long.class).single();
    step(id, RequestAction.RECEIVED, actor, cleanNote);
    audit.record(organizationId, "privacy.request_opened", "privacy_request", id, type.text());
    return get(organizationId, id);
  }

  // ---- reading ---------------------------------------------------------------------------------

  private static final String SELECT = """
      select id, type, status, channel, address, received_at, due_at, extended_at, extension_reason, handled_by,
             closed_at, rejection_reason, outcome::text from privacy_request""";

  public Optional<Request> find(long organizationId, long id) {
    return jdbc.sql(SELECT + " where organization_id = ? and id = ?").params(organizationId, id).query(this::map).optional();
  }

  Request get(long organizationId, long id) {
    return find(organizationId, id).orElseThrow(() -> Refused.notFound("No such request."));
  }

  /** The request, locked for a change in the caller's transaction; refused when it is already closed. */
  Request lockOpen(long organizationId, long id) {
    Request r = jdbc.sql(SELECT + " where organization_id = ? and id = ? for update").params(organizationId, id)
        .query(this::map).optional().orElseThrow(() -> Refused.notFound("No such request."));
    if (!r.status().open()) throw Refused.conflict("status", "The request is " + r.status().text() + " already.");
    return r;
  }

  /** The history, oldest first. */
  public List<Step> history(long organizationId, long id) {
    return jdbc.sql("""
        select s.action, s.actor, s.note, s.at from privacy_request_step s join privacy_request r on r.id = s.request_id
        where r.organization_id = ? and r.id = ? order by s.id""").params(organizationId, id)
        .query((rs, n) -> new Step(TextEnum.fromText(RequestAction.class, rs.getString(1)), rs.getString(2), rs.getString(3),
            rs.getTimestamp(4).toInstant()))
        .list();
  }

  /** Newest first. */
  public Page search(long organizationId, Filter filter, int page, int size) {
    Refused.checkPage(page, size);
    String where = """
         \swhere organization_id = :org
           and (:status = '' or status = :status)
           and (:type = '' or type = :type)
           and (:q = '' or address_key like '%' || lower(:q) || '%')
           and (:flag = ''
                or (:flag = 'open' and status in ('received', 'in_progress'))
                or (:flag = 'overdue' and status in ('received', 'in_progress') and due_at < :now)
                or (:flag = 'due_soon' and status in ('received', 'in_progress') and due_at >= :now and due_at <= :soon))""";
    Instant now = clock.instant();
    var params = new java.util.HashMap<String, Object>();
    params.put("org", organizationId);
    params.put("status", filter.status() == null ? "" : filter.status().text());
    params.put("type", filter.type() == null ? "" : filter.type().text());
    params.put("q", filter.q());
    params.put("flag", filter.flag() == null ? "" : filter.flag());
    params.put("now", Timestamp.from(now));
    params.put("soon", Timestamp.from(now.plus(DueDates.DUE_SOON)));
    long total = jdbc.sql("select count(*) from privacy_request" + where).params(params).query(Long.class).single();
    params.put("size", size);
    params.put("offset", (long) page * size);
    List<Request> items = jdbc.sql(SELECT + where + " order by received_at desc, id desc limit :size offset :offset")
        .params(params).query(this::map).list();
    return new Page(items, total, page, size);
  }

  /** One grouped query: the organization's open requests, overdue and due soon. */
  public Figures figures(long organizationId) {
    Instant now = clock.instant();
    return jdbc.sql("""
        select count(*), count(*) filter (where due_at < :now), count(*) filter (where due_at >= :now and due_at <= :soon)
        from privacy_request where organization_id = :org and status in ('received', 'in_progress')""")
        .param("org", organizationId).param("now", Timestamp.from(now)).param("soon", Timestamp.from(now.plus(DueDates.DUE_SOON)))
        .query((rs, n) -> new Figures(rs.getLong(1), rs.getLong(2), rs.getLong(3))).single();
  }

  // ---- the workflow ----------------------------------------------------------------------------

  /** Marks a received request as being worked on. */
  @Transactional
  public Request start(long organizationId, long id, String actor, String note) {
    Request r = lockOpen(organizationId, id);
    if (r.status() != RequestStatus.RECEIVED) throw Refused.conflict("status", "The request is in progress already.");
    jdbc.sql("update privacy_request set status = 'in_progress', handled_by = ? where id = ?").params(actor, id).update();
    step(id, RequestAction.STARTED, actor, note(note, "note"));
    return get(organizationId, id);
  }

  /**
   * Extends the due date by two further months (three after receipt): once per request, with the reason, which the
   * person must be told (article 12(3)).
   */
  @Transactional
  public Request extend(long organizationId, long id, String actor, String reason) {
    Request r = lockOpen(organizationId, id);
    String why = required(reason, "reason", "Say why the request needs more time: the person is told the reason.");
    if (r.extendedAt() != null) throw Refused.conflict("reason", "The due date was extended once already; it cannot be extended again.");
    Instant now = clock.instant();
    jdbc.sql("update privacy_request set due_at = ?, extended_at = ?, extension_reason = ?, handled_by = ? where id = ?")
        .params(Timestamp.from(DueDates.extended(r.receivedAt())), Timestamp.from(now), why, actor, id).update();
    step(id, RequestAction.EXTENDED, actor, why);
    audit.record(organizationId, "privacy.request_extended", "privacy_request", id, null);
    return get(organizationId, id);
  }

  /** Rejects the request (manifestly unfounded or excessive, identity not proven, ...), with the reason. */
  @Transactional
  public Request reject(long organizationId, long id, String actor, String reason) {
    lockOpen(organizationId, id);
    String why = required(reason, "reason", "Say why the request is rejected: the person is told the reason.");
    jdbc.sql("""
        update privacy_request set status = 'rejected', rejection_reason = ?, closed_at = ?, handled_by = ? where id = ?""")
        .params(why, Timestamp.from(clock.instant()), actor, id).update();
    step(id, RequestAction.REJECTED, actor, why);
    audit.record(organizationId, "privacy.request_rejected", "privacy_request", id, null);
    return get(organizationId, id);
  }

  /** Closes a request as completed with its completion record, in the caller's transaction (the work's). */
  void markCompleted(long organizationId, long id, String actor, String note, Map<String, Object> outcome) {
    jdbc.sql("""
        update privacy_request set status = 'completed', closed_at = ?, handled_by = ?, outcome = cast(? as jsonb)
        where organization_id = ? and id = ?""")
        .params(Timestamp.from(clock.instant()), actor, json.writeValueAsString(outcome), organizationId, id).update();
    step(id, RequestAction.COMPLETED, actor, note);
    audit.record(organizationId, "privacy.request_completed", "privacy_request", id, null);
  }

  /**
   * An erasure's completion: the request keeps no trace of the person. The address becomes "(erased)", the key a
   * value no address can have, and every note of its history that quoted the address (in any case) says
   * "(erased address)" instead.
   */
  void forgetAddress(long id, String address, String addressKey) {
    java.util.regex.Pattern quoted = java.util.regex.Pattern.compile(
        java.util.regex.Pattern.quote(addressKey) + "|" + java.util.regex.Pattern.quote(address),
        java.util.regex.Pattern.CASE_INSENSITIVE | java.util.regex.Pattern.UNICODE_CASE);
    for (var s : jdbc.sql("select id, note, actor from privacy_request_step where request_id = ?").param(id)
        .query((rs, n) -> new String[] {Long.toString(rs.getLong(1)), rs.getString(2), rs.getString(3)}).list()) {
      String note = quoted.matcher(s[1]).replaceAll("(erased address)");
      String actor = quoted.matcher(s[2]).replaceAll("(erased address)");
      if (!note.equals(s[1]) || !actor.equals(s[2])) {
        jdbc.sql("update privacy_request_step set note = ?, actor = ? where id = ?").params(note, actor, Long.parseLong(s[0])).update();
      }
    }
    var row = jdbc.sql("select extension_reason, handled_by from privacy_request where id = ?").param(id)
        .query((rs, n) -> new String[] {rs.getString(1), rs.getString(2)}).single();
    jdbc.sql("""
        update privacy_request set address = '(erased)', address_key = 'erased:' || id, extension_reason = ?, handled_by = ?
        where id = ?""")
        .params(row[0] == null ? null : quoted.matcher(row[0]).replaceAll("(erased address)"),
            quoted.matcher(row[1]).replaceAll("(erased address)"), id).update();
  }

  /**
   * Privacy's own part of an erasure: the person's other requests in the organization keep no address either, and
   * their archives go. Returns the rows changed (requests anonymized, archives deleted).
   */
  int[] forgetSubject(long organizationId, String address, String addressKey) {
    List<Long> ids = jdbc.sql("select id from privacy_request where organization_id = ? and address_key = ?")
        .params(organizationId, addressKey).query(Long.class).list();
    int archives = 0;
    for (long id : ids) {
      archives += jdbc.sql("delete from privacy_archive where request_id = ?").param(id).update();
      forgetAddress(id, address, addressKey);
    }
    return new int[] {ids.size(), archives};
  }

  /** Adds a step to the history. */
  void step(long id, RequestAction action, String actor, String note) {
    jdbc.sql("insert into privacy_request_step (request_id, action, actor, note, at) values (?, ?, ?, ?, ?)")
        .params(id, action.text(), actor, note == null ? "" : note, Timestamp.from(clock.instant())).update();
  }

  /** A member's note on an open or closed request. */
  @Transactional
  public void note(long organizationId, long id, String actor, String note) {
    get(organizationId, id);
    String text = required(note, "note", "Write the note.");
    step(id, RequestAction.NOTE, actor, text);
  }

  // ---- settings --------------------------------------------------------------------------------

  /** Whether a verified self-service request completes itself (else it waits for a member). */
  public boolean selfServiceCompletes(long organizationId) {
    return jdbc.sql("select self_service_completes from privacy_request_setting where organization_id = ?").param(organizationId)
        .query(Boolean.class).optional().orElse(false);
  }

  @Transactional
  public void setSelfServiceCompletes(long organizationId, boolean completes) {
    jdbc.sql("""
        insert into privacy_request_setting (organization_id, self_service_completes) values (?, ?)
        on conflict (organization_id) do update set self_service_completes = excluded.self_service_completes""")
        .params(organizationId, completes).update();
    audit.record(organizationId, "privacy.settings_changed", "privacy_request_setting", organizationId,
        completes ? "self-service requests complete themselves" : "self-service requests wait for a member");
  }

  // ---- helpers ---------------------------------------------------------------------------------

  static String note(String text, String field) {
    if (text == null) return "";
    String clean = Text.requireNoControls(field, text).strip();
    if (clean.length() > MAX_NOTE) throw Refused.invalid(field, "At most " + MAX_NOTE + " characters.");
    return clean;
  }

  static String required(String text, String field, String message) {
    String clean = note(text, field);
    if (clean.isEmpty()) throw Refused.invalid(field, message);
    return clean;
  }

  private Request map(ResultSet rs, int n) throws SQLException {
    RequestStatus status = TextEnum.fromText(RequestStatus.class, rs.getString("status"));
    Instant due = rs.getTimestamp("due_at").toInstant();
    Instant now = clock.instant();
    String outcome = rs.getString("outcome");
    return new Request(rs.getLong("id"), TextEnum.fromText(RequestType.class, rs.getString("type")), status,
        TextEnum.fromText(RequestChannel.class, rs.getString("channel")), rs.getString("address"),
        rs.getTimestamp("received_at").toInstant(), due, instant(rs, "extended_at"), rs.getString("extension_reason"),
        rs.getString("handled_by"), instant(rs, "closed_at"), rs.getString("rejection_reason"),
        outcome == null ? null : json.readValue(outcome, new TypeReference<Map<String, Object>>() {}),
        status.open() && DueDates.overdue(due, now), status.open() && DueDates.dueSoon(due, now));
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    Timestamp t = rs.getTimestamp(column);
    return t == null ? null : t.toInstant();
  }
}
