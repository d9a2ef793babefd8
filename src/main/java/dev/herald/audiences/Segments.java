package dev.herald.audiences;

import dev.herald.audiences.SegmentCondition.Op;
import dev.herald.platform.Refused;
import dev.herald.platform.SqlFragment;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
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
 * Types and ops are read into {@link SegmentCondition}'s enums in one place, which names the field of an unknown one.
 * Conditions compile to one {@link SqlFragment} over {@code subscriber s} with bound parameters (no
 * user text is ever pasted into SQL); equality on custom fields and tags uses the GIN indexes ({@code @>}).
 */
@Service
class Segments {
  static final int MAX_RULES = 30;
  /** The alias of {@code subscriber} in every fragment a segment compiles to. */
  static final String ALIAS = "s";
  /** The subscriber's own columns a field condition may name, with their types; custom fields are named by key. */
  static final Map<String, String> BUILT_IN_FIELDS = builtInFields();
  private final JdbcClient jdbc;
  private final CustomFields fields;
  private final MailingLists lists;
  private final ObjectMapper json;
  private final AuditLog audit;
  private final SuppressionScreen screen;

  Segments(JdbcClient jdbc, CustomFields fields, MailingLists lists, ObjectMapper json, AuditLog audit, SuppressionScreen screen) {
    this.screen = screen;
    this.jdbc = jdbc;
    this.fields = fields;
    this.lists = lists;
    this.json = json;
    this.audit = audit;
  }

  public record Rule(String type, String subject, String op, String value) {}

  /** A null match means all, null rules none. */
  public record Conditions(SegmentMatch match, List<Rule> rules) {
    public static Conditions empty() {
      return new Conditions(SegmentMatch.ALL, List.of());
    }

    /** Conditions a client sent with {@code match} as text: an unknown one is refused naming {@code match}. */
    public static Conditions of(String match, List<Rule> rules) {
      return new Conditions(TextEnum.parse(SegmentMatch.class, "match", match), rules);
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
        .params(orgId, n, json.writeValueAsString(stored(conditions))).query(Long.class).single();
    audit.record(orgId, "segment.created", "segment", id, n);
    return find(orgId, id).orElseThrow();
  }

  @Transactional
  public Optional<Segment> update(long orgId, long id, String name, Conditions conditions) {
    if (find(orgId, id).isEmpty()) return Optional.empty();
    String n = name(orgId, name, id);
    compile(orgId, conditions, "seg_");
    jdbc.sql("update segment set name = ?, conditions = cast(? as jsonb), updated_at = now() where organization_id = ? and id = ?")
        .params(n, json.writeValueAsString(stored(conditions)), orgId, id).update();
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

  /**
   * The subscribers of the organization that meet the conditions: {@link #compile}d and scoped to the organization,
   * less the people whose processing is restricted (GDPR art. 18), who are in no segment until it is lifted.
   */
  public SqlFragment matching(long orgId, Conditions conditions, String prefix) {
    SqlFragment c = compile(orgId, conditions, prefix);
    String org = prefix + "org";
    SqlFragment unrestricted = screen.unrestrictedSql(orgId, ALIAS, prefix + "rst_", false);
    Map<String, Object> params = new LinkedHashMap<>(c.params());
    params.putAll(unrestricted.params());
    params.put(org, orgId);
    return new SqlFragment(ALIAS + ".organization_id = :" + org + " and " + c.sql() + " and " + unrestricted.sqlOver(ALIAS), params, ALIAS);
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
    return new SqlFragment("(" + String.join(c.match() == SegmentMatch.ANY ? " or " : " and ", parts) + ")", params, ALIAS);
  }

  private String rule(long orgId, String prefix, int i, Rule r, Map<String, CustomFields.Field> known, Map<String, Object> params) {
    String at = "rules[" + i + "]";
    if (r == null) throw Refused.invalid(at, "A condition is an object {type, subject, op, value}; this one is null.");
    // Conditions are stored as jsonb and bound as SQL parameters; neither can hold a NUL.
    Text.requireNoControls(at + ".subject", r.subject());
    Text.requireNoControls(at + ".value", r.value());
    SegmentCondition c = SegmentCondition.of(at, r);
    Op op = c.op();
    String subject = c.subject();
    String value = c.value();
    String v = prefix + "v" + i, k = prefix + "k" + i;
    return switch (c.type()) {
      case TAG -> {
        if (subject.isEmpty()) throw Refused.invalid(at + ".subject", "Name the tag.");
        params.put(v, new String[] {subject});
        yield switch (op) {
          case HAS -> "s.tags @> cast(:" + v + " as text[])";
          case HAS_NOT -> "not s.tags @> cast(:" + v + " as text[])";
          default -> throw SegmentCondition.notFor(at, "a tag", SegmentCondition.TAG);
        };
      }
      case LIST -> {
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
          SubscriptionStatus st = TextEnum.find(SubscriptionStatus.class, status).orElseThrow(() -> Refused.invalid(at + ".value",
              "Status is any or one of " + TextEnum.texts(SubscriptionStatus.class) + "."));
          params.put(v, st.text());
          membership += " and x.status = :" + v;
        }
        membership += ")";
        yield switch (op) {
          case IN -> membership;
          case NOT_IN -> "not " + membership;
          default -> throw SegmentCondition.notFor(at, "a list", SegmentCondition.LIST);
        };
      }
      case FIELD -> field(at, op, subject, value, known, params, v, k);
      case ENGAGEMENT -> engagement(at, op, subject, value, params, v);
    };
  }

  /**
   * Opened or clicked (subject) in or not in the last N days (value), or ever / never. "Not in the
   * last N days" includes those who never did, as a reader expects of "has not opened in 90 days".
   */
  private static String engagement(String at, Op op, String subject, String value, Map<String, Object> params, String v) {
    String column = switch (subject) {
      case "opened" -> "s.last_opened_at";
      case "clicked" -> "s.last_clicked_at";
      default -> throw Refused.invalid(at + ".subject", "An engagement condition is about opened or clicked.");
    };
    return switch (op) {
      case EVER -> column + " is not null";
      case NEVER -> column + " is null";
      case IN_LAST_DAYS, NOT_IN_LAST_DAYS -> {
        int days;
        try {
          days = Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
          throw Refused.invalid(at + ".value", "Give a number of days.");
        }
        if (days < 1 || days > 36500) throw Refused.invalid(at + ".value", "Give a number of days from 1 to 36500.");
        params.put(v, days);
        String recent = column + " >= now() - make_interval(days => cast(:" + v + " as int))";
        yield op == Op.IN_LAST_DAYS ? recent : "(" + column + " is null or not " + recent + ")";
      }
      default -> throw SegmentCondition.notFor(at, "engagement", SegmentCondition.ENGAGEMENT);
    };
  }

  private String field(String at, Op op, String subject, String value, Map<String, CustomFields.Field> known,
      Map<String, Object> params, String v, String k) {
    String type = BUILT_IN_FIELDS.get(subject);
    String column;
    switch (subject) {
      case "email" -> column = "s.email";
      case "name" -> column = "s.name";
      case "source" -> column = "s.source";
      case "created_at" -> column = "s.created_at";
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
    if (op == Op.IS_SET) return isSet;
    if (op == Op.IS_NOT_SET) return "not " + isSet;
    return switch (type) {
      case "text", "choice" -> {
        if (!SegmentCondition.TEXT.contains(op)) throw SegmentCondition.notFor(at, "text", withPresence(SegmentCondition.TEXT));
        String like = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        boolean email = subject.equals("email");
        String col = email ? "s.email_key" : column;
        String val = email ? value.toLowerCase(java.util.Locale.ROOT) : value;
        if (custom && (op == Op.EQ || op == Op.NEQ)) {
          // @> uses the GIN index on attributes; it holds the key itself, so :k is not used
          params.remove(k);
          params.put(v, json.writeValueAsString(Map.of(subject, value)));
          yield (op == Op.NEQ ? "not " : "") + "s.attributes @> cast(:" + v + " as jsonb)";
        }
        yield switch (op) {
          case EQ -> { params.put(v, val); yield col + " = :" + v; }
          case NEQ -> { params.put(v, val); yield col + " <> :" + v; }
          case CONTAINS -> { params.put(v, "%" + like + "%"); yield col + " ilike :" + v; }
          case NOT_CONTAINS -> { params.put(v, "%" + like + "%"); yield "not " + col + " ilike :" + v; }
          default -> { params.put(v, like + "%"); yield col + " ilike :" + v; }
        };
      }
      case "number" -> {
        String sqlOp = switch (op) {
          case EQ -> "="; case NEQ -> "<>"; case GT -> ">"; case GTE -> ">="; case LT -> "<"; case LTE -> "<=";
          default -> throw SegmentCondition.notFor(at, "numbers", withPresence(SegmentCondition.NUMBER));
        };
        // A number field's bounds: an unbounded 1e999999 overflowed PostgreSQL's numeric in the query.
        params.put(v, CustomFields.number(at + ".value", value));
        yield column + " " + sqlOp + " :" + v;
      }
      case "date" -> switch (op) {
        case IN_LAST_DAYS, NOT_IN_LAST_DAYS -> {
          int days;
          try {
            days = Integer.parseInt(value);
          } catch (NumberFormatException e) {
            throw Refused.invalid(at + ".value", "Give a number of days.");
          }
          if (days < 0 || days > 36500) throw Refused.invalid(at + ".value", "Give a number of days from 0 to 36500.");
          params.put(v, days);
          String recent = column + " >= current_date - cast(:" + v + " as int)";
          yield op == Op.IN_LAST_DAYS ? recent : "not (" + recent + ")";
        }
        case ON, BEFORE, AFTER -> {
          if (!value.matches("\\d{4}-\\d{2}-\\d{2}")) throw Refused.invalid(at + ".value", "'" + value + "' is not a date; use YYYY-MM-DD.");
          params.put(v, LocalDate.parse(CustomFields.date(at + ".value", value)));
          String day = "cast(" + column + " as date)";
          yield day + (op == Op.ON ? " = :" : op == Op.BEFORE ? " < :" : " > :") + v;
        }
        default -> throw SegmentCondition.notFor(at, "dates", withPresence(SegmentCondition.DATE));
      };
      case "boolean" -> switch (op) {
        case IS_TRUE -> column + " = true";
        case IS_FALSE -> column + " = false";
        default -> throw SegmentCondition.notFor(at, "yes/no fields", withPresence(SegmentCondition.BOOLEAN));
      };
      default -> throw new IllegalStateException("unknown field type " + type);
    };
  }

  private static Map<String, String> builtInFields() {
    Map<String, String> types = new LinkedHashMap<>();
    types.put("email", "text");
    types.put("name", "text");
    types.put("source", "text");
    types.put("created_at", "date");
    return java.util.Collections.unmodifiableMap(types);
  }

  private static Set<Op> withPresence(Set<Op> ops) {
    Set<Op> all = java.util.EnumSet.copyOf(ops);
    all.addAll(SegmentCondition.PRESENCE);
    return all;
  }

  /** The conditions as stored: every type and op written by {@link SegmentCondition}, once they compiled. */
  private static Conditions stored(Conditions conditions) {
    Conditions c = normalize(conditions);
    List<Rule> rules = new ArrayList<>();
    for (int i = 0; i < c.rules().size(); i++) rules.add(SegmentCondition.of("rules[" + i + "]", c.rules().get(i)).toRule());
    return new Conditions(c.match(), rules);
  }

  private static Conditions normalize(Conditions c) {
    if (c == null) return Conditions.empty();
    return new Conditions(c.match() == null ? SegmentMatch.ALL : c.match(), c.rules() == null ? List.of() : c.rules());
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
