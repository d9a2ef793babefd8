package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.SqlFragment;
import dev.herald.platform.Text;
import dev.herald.tenancy.AuditLog;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;
import tools.jackson.databind.ObjectMapper;

/**
 * Segments: saved, dynamic conditions over subscribers, evaluated by PostgreSQL when used. A
 * condition is {@code {type, subject, op, value}}:
 * <ul>
 *   <li>{@code field}: subject is email, name, source, created_at or a custom field key; the ops depend
 *       on the field's type (text/choice: eq, neq, contains, not_contains, starts_with; number: eq, neq,
 *       gt, gte, lt, lte; date: on, before, after, in_last_days, not_in_last_days; boolean: is_true,
 *       is_false; all: is_set, is_not_set);</li>
 *   <li>{@code list}: subject is a list id (or "any"), op in / not_in, value a status or "any";</li>
 *   <li>{@code tag}: subject is the tag, op has / has_not;</li>
 *   <li>{@code engagement}: subject opened or clicked, op in_last_days / not_in_last_days (value: days),
 *       ever or never; read from the latest times {@link Engagement} keeps.</li>
 * </ul>
 * Conditions compile to one {@link SqlFragment} over {@code subscriber s} with bound parameters (no
 * user text is ever pasted into SQL); equality on custom fields and tags uses the GIN indexes ({@code @>}).
 */
@Service
class Segments {
  static final int MAX_RULES = 30;
  /** The alias of {@code subscriber} in every fragment a segment compiles to. */
  static final String ALIAS = "s";
  private final JdbcClient jdbc;
  private final CustomFields fields;
  private final MailingLists lists;
  private final ObjectMapper json;
  private final AuditLog audit;

  Segments(JdbcClient jdbc, CustomFields fields, MailingLists lists, ObjectMapper json, AuditLog audit) {
    this.jdbc = jdbc;
    this.fields = fields;
    this.lists = lists;
    this.json = json;
    this.audit = audit;
  }

  public record Rule(String type, String subject, String op, String value) {}

  public record Conditions(String match, List<Rule> rules) {
    public static Conditions empty() {
      return new Conditions("all", List.of());
    }
  }

  public record Segment(long id, String name, Conditions conditions, Instant createdAt, Instant updatedAt) {}

  // ---- stored segments ---------------------------------------------------------------------

  public List<Segment> list(long orgId) {
    return jdbc.sql("select id, name, conditions::text, created_at, updated_at from segment where organization_id = ? order by name")
        .param(orgId).query(this::map).list();
  }

  public Optional<Segment> find(long orgId, long id) {
    return jdbc.sql("select id, name, conditions::text, created_at, updated_at from segment where organization_id = ? and id = ?")
        .params(orgId, id).query(this::map).optional();
  }

  @Transactional
  public Segment create(long orgId, String name, Conditions conditions) {
    String n = name(orgId, name, null);
    compile(orgId, conditions, "seg_");
    long id = jdbc.sql("insert into segment (organization_id, name, conditions) values (?, ?, cast(? as jsonb)) returning id")
        .params(orgId, n, json.writeValueAsString(normalize(conditions))).query(Long.class).single();
    audit.record(orgId, "segment.created", "segment", id, n);
    return find(orgId, id).orElseThrow();
  }

  @Transactional
  public Optional<Segment> update(long orgId, long id, String name, Conditions conditions) {
    if (find(orgId, id).isEmpty()) return Optional.empty();
    String n = name(orgId, name, id);
    compile(orgId, conditions, "seg_");
    jdbc.sql("update segment set name = ?, conditions = cast(? as jsonb), updated_at = now() where organization_id = ? and id = ?")
        .params(n, json.writeValueAsString(normalize(conditions)), orgId, id).update();
    audit.record(orgId, "segment.updated", "segment", id, n);
    return find(orgId, id);
  }

  @Transactional
  public boolean delete(long orgId, long id) {
    int n = jdbc.sql("delete from segment where organization_id = ? and id = ?").params(orgId, id).update();
    if (n == 1) audit.record(orgId, "segment.deleted", "segment", id, null);
    return n == 1;
  }

  // ---- evaluation --------------------------------------------------------------------------

  public long count(long orgId, Conditions conditions) {
    SqlFragment f = matching(orgId, conditions, "seg_");
    return jdbc.sql("select count(*) from subscriber s where " + f.sqlOver("s")).params(f.params()).query(Long.class).single();
  }

  /** Subscriber ids matching, newest first, one page at a time. */
  public List<Long> members(long orgId, Conditions conditions, int page, int size) {
    SqlFragment f = matching(orgId, conditions, "seg_");
    return jdbc.sql("select s.id from subscriber s where " + f.sqlOver("s") + " order by s.created_at desc, s.id desc limit :size offset :offset")
        .params(f.paramsWith(Map.of("size", size, "offset", (long) page * size))).query(Long.class).list();
  }

  /**
   * The subscribers of the organization in a stored segment, as a WHERE condition over {@code subscriber s}
   * whose parameters are all named {@code prefix...}: a campaign's audience, a bulk action's targets. Never
   * negate it (see {@link SqlFragment}).
   */
  public Optional<SqlFragment> predicate(long orgId, long segmentId, String prefix) {
    return find(orgId, segmentId).map(s -> matching(orgId, s.conditions(), prefix));
  }

  /** The subscribers of the organization that meet the conditions: {@link #compile}d and scoped to the organization. */
  public SqlFragment matching(long orgId, Conditions conditions, String prefix) {
    SqlFragment c = compile(orgId, conditions, prefix);
    String org = prefix + "org";
    Map<String, Object> params = new LinkedHashMap<>(c.params());
    params.put(org, orgId);
    return new SqlFragment(ALIAS + ".organization_id = :" + org + " and " + c.sql(), params, ALIAS);
  }

  /**
   * Checks the conditions and turns them into SQL, a bad condition refused naming it. The fragment does not
   * scope to the organization ({@link #matching} does), so that a test can see each condition use its index.
   */
  SqlFragment compile(long orgId, Conditions conditions, String prefix) {
    SqlFragment.checkPrefix(prefix);
    Conditions c = normalize(conditions);
    if (c.rules().size() > MAX_RULES) throw Refused.invalid("rules", "At most " + MAX_RULES + " conditions.");
    Map<String, CustomFields.Field> known = fields.byKey(orgId);
    Map<String, Object> params = new LinkedHashMap<>();
    List<String> parts = new ArrayList<>();
    // No coalesce(..., false) around a rule: it hid every rule from its index (the planner cannot look inside it).
    // A rule may be null for a row (a field it does not have), which a WHERE treats as false, so the predicate is
    // for WHERE clauses only and is never negated as a whole.
    for (int i = 0; i < c.rules().size(); i++) parts.add("(" + rule(orgId, prefix, i, c.rules().get(i), known, params) + ")");
    if (parts.isEmpty()) return new SqlFragment("true", params, ALIAS);
    return new SqlFragment("(" + String.join(c.match().equals("any") ? " or " : " and ", parts) + ")", params, ALIAS);
  }

  private String rule(long orgId, String prefix, int i, Rule r, Map<String, CustomFields.Field> known, Map<String, Object> params) {
    String at = "rules[" + i + "]";
    if (r == null) throw Refused.invalid(at, "A condition is an object {type, subject, op, value}; this one is null.");
    // Conditions are stored as jsonb and bound as SQL parameters; neither can hold a NUL.
    Text.requireNoControls(at + ".subject", r.subject());
    Text.requireNoControls(at + ".value", r.value());
    String type = r.type() == null ? "" : r.type();
    String op = r.op() == null ? "" : r.op();
    String subject = r.subject() == null ? "" : r.subject().trim();
    String value = r.value() == null ? "" : r.value().trim();
    String v = prefix + "v" + i, k = prefix + "k" + i;
    return switch (type) {
      case "tag" -> {
        if (subject.isEmpty()) throw Refused.invalid(at + ".subject", "Name the tag.");
        params.put(v, new String[] {subject});
        yield switch (op) {
          case "has" -> "s.tags @> cast(:" + v + " as text[])";
          case "has_not" -> "not s.tags @> cast(:" + v + " as text[])";
          default -> throw Refused.invalid(at + ".op", "A tag condition is has or has_not.");
        };
      }
      case "list" -> {
        String membership;
        if (subject.equals("any")) {
          params.put(prefix + "org", orgId);
          membership = "exists (select 1 from subscription x join mailing_list xl on xl.id = x.list_id"
              + " where x.subscriber_id = s.id and xl.organization_id = :" + prefix + "org";
        } else {
          long listId;
          try {
            listId = Long.parseLong(subject);
          } catch (NumberFormatException e) {
            throw Refused.invalid(at + ".subject", "Choose a list.");
          }
          if (lists.basic(orgId, listId).isEmpty()) throw Refused.invalid(at + ".subject", "List " + subject + " not found.");
          params.put(k, listId);
          membership = "exists (select 1 from subscription x where x.subscriber_id = s.id and x.list_id = :" + k;
        }
        String status = value.isEmpty() ? "any" : value;
        if (!status.equals("any")) {
          if (!Subscribers.STATUSES.contains(status)) throw Refused.invalid(at + ".value", "Status is any or one of " + Subscribers.STATUSES + ".");
          params.put(v, status);
          membership += " and x.status = :" + v;
        }
        membership += ")";
        yield switch (op) {
          case "in" -> membership;
          case "not_in" -> "not " + membership;
          default -> throw Refused.invalid(at + ".op", "A list condition is in or not_in.");
        };
      }
      case "field" -> field(at, op, subject, value, known, params, v, k);
      case "engagement" -> engagement(at, op, subject, value, params, v);
      default -> throw Refused.invalid(at + ".type", "A condition's type is field, list, tag or engagement.");
    };
  }

  /**
   * Opened or clicked (subject) in or not in the last N days (value), or ever / never. "Not in the
   * last N days" includes those who never did, as a reader expects of "has not opened in 90 days".
   */
  private static String engagement(String at, String op, String subject, String value, Map<String, Object> params, String v) {
    String column = switch (subject) {
      case "opened" -> "s.last_opened_at";
      case "clicked" -> "s.last_clicked_at";
      default -> throw Refused.invalid(at + ".subject", "An engagement condition is about opened or clicked.");
    };
    return switch (op) {
      case "ever" -> column + " is not null";
      case "never" -> column + " is null";
      case "in_last_days", "not_in_last_days" -> {
        int days;
        try {
          days = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
          throw Refused.invalid(at + ".value", "Give a number of days.");
        }
        if (days < 1 || days > 36500) throw Refused.invalid(at + ".value", "Give a number of days from 1 to 36500.");
        params.put(v, days);
        String recent = column + " >= now() - make_interval(days => cast(:" + v + " as int))";
        yield op.equals("in_last_days") ? recent : "(" + column + " is null or not " + recent + ")";
      }
      default -> throw Refused.invalid(at + ".op", "For engagement: in_last_days, not_in_last_days, ever, never.");
    };
  }

  private String field(String at, String op, String subject, String value, Map<String, CustomFields.Field> known,
      Map<String, Object> params, String v, String k) {
    String type;
    String column;
    switch (subject) {
      case "email" -> { type = "text"; column = "s.email"; }
      case "name" -> { type = "text"; column = "s.name"; }
      case "source" -> { type = "text"; column = "s.source"; }
      case "created_at" -> { type = "date"; column = "s.created_at"; }
      default -> {
        CustomFields.Field f = known.get(subject);
        if (f == null) throw Refused.invalid(at + ".subject", "There is no field '" + subject + "'.");
        type = f.type();
        params.put(k, f.key());
        column = switch (type) {
          case "number" -> "cast(s.attributes ->> :" + k + " as numeric)";
          case "date" -> "cast(s.attributes ->> :" + k + " as date)";
          case "boolean" -> "cast(s.attributes ->> :" + k + " as boolean)";
          default -> "(s.attributes ->> :" + k + ")";
        };
      }
    }
    boolean custom = params.containsKey(k);
    // jsonb_exists rather than the ? operator, which JDBC would read as a parameter
    String isSet = custom ? "jsonb_exists(s.attributes, :" + k + ")" : "(" + column + " is not null and cast(" + column + " as text) <> '')";
    if (op.equals("is_set")) return isSet;
    if (op.equals("is_not_set")) return "not " + isSet;
    return switch (type) {
      case "text", "choice" -> {
        if (!Set.of("eq", "neq", "contains", "not_contains", "starts_with").contains(op)) {
          throw Refused.invalid(at + ".op", "For text: eq, neq, contains, not_contains, starts_with, is_set, is_not_set.");
        }
        String like = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        boolean email = subject.equals("email");
        String col = email ? "s.email_key" : column;
        String val = email ? value.toLowerCase(java.util.Locale.ROOT) : value;
        if (custom && (op.equals("eq") || op.equals("neq"))) {
          // @> uses the GIN index on attributes; it holds the key itself, so :k is not used
          params.remove(k);
          params.put(v, json.writeValueAsString(Map.of(subject, value)));
          yield (op.equals("neq") ? "not " : "") + "s.attributes @> cast(:" + v + " as jsonb)";
        }
        yield switch (op) {
          case "eq" -> { params.put(v, val); yield col + " = :" + v; }
          case "neq" -> { params.put(v, val); yield col + " <> :" + v; }
          case "contains" -> { params.put(v, "%" + like + "%"); yield col + " ilike :" + v; }
          case "not_contains" -> { params.put(v, "%" + like + "%"); yield "not " + col + " ilike :" + v; }
          default -> { params.put(v, like + "%"); yield col + " ilike :" + v; }
        };
      }
      case "number" -> {
        String sqlOp = switch (op) {
          case "eq" -> "="; case "neq" -> "<>"; case "gt" -> ">"; case "gte" -> ">="; case "lt" -> "<"; case "lte" -> "<=";
          default -> throw Refused.invalid(at + ".op", "For numbers: eq, neq, gt, gte, lt, lte, is_set, is_not_set.");
        };
        // A number field's bounds: an unbounded 1e999999 overflowed PostgreSQL's numeric in the query.
        params.put(v, CustomFields.number(at + ".value", value));
        yield column + " " + sqlOp + " :" + v;
      }
      case "date" -> switch (op) {
        case "in_last_days", "not_in_last_days" -> {
          int days;
          try {
            days = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw Refused.invalid(at + ".value", "Give a number of days.");
          }
          if (days < 0 || days > 36500) throw Refused.invalid(at + ".value", "Give a number of days from 0 to 36500.");
          params.put(v, days);
          String recent = column + " >= current_date - cast(:" + v + " as int)";
          yield op.equals("in_last_days") ? recent : "not (" + recent + ")";
        }
        case "on", "before", "after" -> {
          if (!value.matches("\\d{4}-\\d{2}-\\d{2}")) throw Refused.invalid(at + ".value", "'" + value + "' is not a date; use YYYY-MM-DD.");
          params.put(v, LocalDate.parse(CustomFields.date(at + ".value", value)));
          String day = "cast(" + column + " as date)";
          yield day + (op.equals("on") ? " = :" : op.equals("before") ? " < :" : " > :") + v;
        }
        default -> throw Refused.invalid(at + ".op", "For dates: on, before, after, in_last_days, not_in_last_days, is_set, is_not_set.");
      };
      case "boolean" -> switch (op) {
        case "is_true" -> column + " = true";
        case "is_false" -> column + " = false";
        default -> throw Refused.invalid(at + ".op", "For yes/no fields: is_true, is_false, is_set, is_not_set.");
      };
      default -> throw new IllegalStateException("unknown field type " + type);
    };
  }

  private static Conditions normalize(Conditions c) {
    if (c == null) return Conditions.empty();
    String match = c.match() == null || c.match().isBlank() ? "all" : c.match().trim();
    if (!match.equals("all") && !match.equals("any")) throw Refused.invalid("match", "match is all or any.");
    return new Conditions(match, c.rules() == null ? List.of() : c.rules());
  }

  private String name(long orgId, String name, Long except) {
    String n = name == null ? "" : Text.requireNoControls("name", name).trim();
    if (n.isEmpty() || n.length() > 100) throw Refused.invalid("name", "Name the segment (1 to 100 characters).");
    boolean taken = jdbc.sql("select exists(select 1 from segment where organization_id = ? and lower(name) = lower(?) and id <> ?)")
        .params(orgId, n, except == null ? -1 : except).query(Boolean.class).single();
    if (taken) throw Refused.conflict("name", "A segment named " + n + " exists already.");
    return n;
  }

  private Segment map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new Segment(rs.getLong(1), rs.getString(2), json.readValue(rs.getString(3), Conditions.class), rs.getTimestamp(4).toInstant(),
        rs.getTimestamp(5).toInstant());
  }
}
