package dev.herald.audiences;

import dev.herald.audiences.SegmentCondition.Op;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The segment editor's condition rows as the panel shows them. A segment stores and the API takes codes
 * ({@code field / plan / eq / pro}); the panel shows each row in words, offers only the comparisons that fit the
 * chosen field's type, and asks for the value the way that type needs it (a select of a choice field's choices,
 * a date picker, a number of days...). {@link Segments} still decides what is valid; this class only words it.
 *
 * <p>A row is drawn from what was posted: when the person picks another field, the form comes back (htmx, or the
 * Refresh button without scripts) with that field's comparisons. Each row posts {@code shown.N} (its type, subject
 * and kind of value as drawn), so that the next post can tell a changed field from a kept one and drop the
 * comparison and value that belonged to the old one.
 */
final class SegmentEditor {
  private SegmentEditor() {}

  /** One choice of a select: the code the form posts, and the words it shows. */
  public record Option(String value, String label) {}

  /** How a row asks for its value. */
  public enum Input { NONE, TEXT, NUMBER, DATE, DAYS, CHOICE, STATUS }

  /** A posted row: the rule's texts and what the row showed before ({@code shown.N}; null for a stored segment). */
  record Posted(Segments.Rule rule, String shown) {}

  /**
   * One condition as drawn. {@code subjects} is null for a tag (typed, not chosen); {@code values} is null unless
   * the value is chosen from a list ({@link Input#CHOICE}, {@link Input#STATUS}).
   */
  public record Row(int index, String type, String subject, List<Option> subjects, String op, List<Option> ops, Input input,
      String value, List<Option> values) {

    /** The condition as this row shows it, which is what the live count counts. */
    Segments.Rule rule() {
      return new Segments.Rule(type, subject, op, input == Input.NONE ? "" : value);
    }

    /**
     * Whether this row, as drawn, says something other than what was posted: a field changed without the form coming
     * back (no scripts), so the comparison or value posted belonged to another field, and the row must be checked again.
     */
    boolean differsFrom(Segments.Rule posted) {
      return posted == null || !rule().equals(new Segments.Rule(strip(posted.type()), strip(posted.subject()), strip(posted.op()),
          input == Input.NONE ? "" : strip(posted.value())));
    }

    /** Posted back as {@code shown.N}. */
    public String shown() {
      return type + "/" + input + "/" + subject;
    }

    /** The words of this row's comparisons, for an error message: "is, is not, is empty or is not empty". */
    String opWords() {
      List<String> words = ops.stream().map(Option::label).toList();
      if (words.size() == 1) return words.getFirst();
      return String.join(", ", words.subList(0, words.size() - 1)) + " or " + words.getLast();
    }
  }

  static final List<Option> TYPES = List.of(new Option("field", "Field"), new Option("list", "List"), new Option("tag", "Tag"),
      new Option("engagement", "Opens and clicks"));

  /** The subscriber's own columns a field condition may name, in the order offered. Their types are {@link Segments#BUILT_IN_FIELDS}. */
  private static final Map<String, String> BUILT_IN_WORDS = Map.of("email", "Email address", "name", "Name", "source", "Source",
      "created_at", "Date added");

  private static final List<Option> ENGAGEMENT_SUBJECTS = List.of(new Option("opened", "opened an email"),
      new Option("clicked", "clicked a link"));

  private static final Map<String, String> STATUS_WORDS = Map.of("subscribed", "as subscribed", "unconfirmed", "as waiting for confirmation",
      "unsubscribed", "as unsubscribed", "bounced", "as bounced", "complained", "as having reported spam");

  /** The rows of these rules, for the organization's fields (by key) and lists. */
  static List<Row> rows(List<Posted> posted, Map<String, CustomFields.Field> fields, List<MailingLists.MailingList> lists) {
    List<Row> rows = new ArrayList<>();
    for (int i = 0; i < posted.size(); i++) rows.add(row(i, posted.get(i), fields, lists));
    return rows;
  }

  static List<Posted> stored(List<Segments.Rule> rules) {
    return rules.stream().map(r -> new Posted(r, null)).toList();
  }

  static List<Segments.Rule> rules(List<Row> rows) {
    return rows.stream().map(Row::rule).toList();
  }

  private static Row row(int index, Posted posted, Map<String, CustomFields.Field> fields, List<MailingLists.MailingList> lists) {
    Segments.Rule r = posted.rule() == null ? new Segments.Rule("field", "", "", "") : posted.rule();
    String type = TYPES.stream().map(Option::value).filter(t -> t.equals(strip(r.type()))).findFirst().orElse("field");
    String subject = strip(r.subject());
    String opText = strip(r.op());
    String value = strip(r.value());
    // What the row showed before this post: type, kind of value, subject (null: nothing, as for a stored segment).
    String[] before = posted.shown() == null ? null : posted.shown().split("/", 3);
    if (before != null && (before.length < 3 || !before[0].equals(type))) {
      // Another type: nothing of the old row fits it.
      before = null;
      subject = "";
      opText = "";
      value = "";
    }

    List<Option> subjects = subjects(type, subject, fields, lists);
    if (subjects != null && subject.isEmpty()) subject = subjects.getFirst().value();
    String kind = kind(type, subject, fields);
    if (before != null && !before[2].equals(subject)) {
      // Another field: a comparison of another type of field does not apply, nor a value of another field.
      if (!kind(type, before[2], fields).equals(kind)) opText = "";
      if (type.equals("field")) value = "";
    }

    List<Op> offered = offered(kind, subject);
    Optional<Op> asked = TextEnum.find(Op.class, opText);
    Op op;
    if (asked.isPresent() && offered.contains(asked.get())) {
      op = asked.get();
    } else if (asked.isPresent() && accepted(kind).contains(asked.get())) {
      // Made through the API (contains on a choice field): kept and shown, not quietly changed to another.
      op = asked.get();
      offered = new ArrayList<>(offered);
      offered.add(op);
    } else {
      op = offered.getFirst();
    }
    List<Option> ops = offered.stream().map(o -> new Option(o.text(), words(o, kind))).toList();

    Input input = input(kind, op);
    // A date does not fit where a number of days goes: another kind of value starts empty.
    if (before != null && !before[1].equals(input.name())) value = "";
    List<Option> values = switch (input) {
      case CHOICE -> options(fields.get(subject).choices(), value);
      case STATUS -> statuses(value);
      default -> null;
    };
    if (values != null && value.isEmpty()) value = values.getFirst().value();
    return new Row(index, type, subject, subjects, op.text(), ops, input, value, values);
  }

  /**
   * What a row compares: a field's type (text, number, date, boolean, choice), "missing" for a field the
   * organization no longer has, or the row's type (list, tag, engagement).
   */
  private static String kind(String type, String subject, Map<String, CustomFields.Field> fields) {
    if (!type.equals("field")) return type;
    String builtIn = Segments.BUILT_IN_FIELDS.get(subject);
    if (builtIn != null) return builtIn;
    CustomFields.Field f = fields.get(subject);
    return f == null ? "missing" : f.type();
  }

  /** The comparisons the editor offers for a kind, in the order shown. */
  private static List<Op> offered(String kind, String subject) {
    List<Op> ops = new ArrayList<>(switch (kind) {
      case "choice" -> List.of(Op.EQ, Op.NEQ);
      case "text", "missing" -> List.of(Op.EQ, Op.NEQ, Op.CONTAINS, Op.NOT_CONTAINS, Op.STARTS_WITH);
      case "number" -> List.of(Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE);
      case "date" -> List.of(Op.ON, Op.BEFORE, Op.AFTER, Op.IN_LAST_DAYS, Op.NOT_IN_LAST_DAYS);
      case "boolean" -> List.of(Op.IS_TRUE, Op.IS_FALSE);
      case "list" -> List.of(Op.IN, Op.NOT_IN);
      case "tag" -> List.of(Op.HAS, Op.HAS_NOT);
      case "engagement" -> List.of(Op.IN_LAST_DAYS, Op.NOT_IN_LAST_DAYS, Op.EVER, Op.NEVER);
      default -> throw new IllegalStateException("unknown kind " + kind);
    });
    // Every subscriber has an address and a date added: "is empty" could never match.
    boolean alwaysSet = subject.equals("email") || subject.equals("created_at");
    if (kind.equals("choice") || kind.equals("text") || kind.equals("number") || kind.equals("date") || kind.equals("boolean")) {
      if (!alwaysSet) ops.addAll(SegmentCondition.PRESENCE);
    }
    return ops;
  }

  /**
   * What {@link Segments} takes for a kind: more than the editor offers for a choice field (it compares as text) and
   * for the address and the date added (never empty), so a segment made through the API with one of those shows it.
   */
  private static Set<Op> accepted(String kind) {
    Set<Op> ops = EnumSet.copyOf(switch (kind) {
      case "choice", "text", "missing" -> SegmentCondition.TEXT;
      case "number" -> SegmentCondition.NUMBER;
      case "date" -> SegmentCondition.DATE;
      case "boolean" -> SegmentCondition.BOOLEAN;
      case "list" -> SegmentCondition.LIST;
      case "tag" -> SegmentCondition.TAG;
      case "engagement" -> SegmentCondition.ENGAGEMENT;
      default -> throw new IllegalStateException("unknown kind " + kind);
    });
    if (!List.of("list", "tag", "engagement").contains(kind)) ops.addAll(SegmentCondition.PRESENCE);
    return ops;
  }

  /** A comparison in words; "in the last days" reads differently after a field than after "opened an email". */
  static String words(Op op, String kind) {
    boolean engagement = kind.equals("engagement");
    return switch (op) {
      case EQ -> "is";
      case NEQ -> "is not";
      case CONTAINS -> "contains";
      case NOT_CONTAINS -> "does not contain";
      case STARTS_WITH -> "starts with";
      case GT -> "is more than";
      case GTE -> "is at least";
      case LT -> "is less than";
      case LTE -> "is at most";
      case ON -> "is on";
      case BEFORE -> "is before";
      case AFTER -> "is after";
      case IN_LAST_DAYS -> engagement ? "in the last … days" : "is within the last … days";
      case NOT_IN_LAST_DAYS -> engagement ? "not in the last … days" : "is not within the last … days";
      case IS_TRUE -> "is yes";
      case IS_FALSE -> "is no";
      case IS_SET -> "is not empty";
      case IS_NOT_SET -> "is empty";
      case IN -> "includes them";
      case NOT_IN -> "does not include them";
      case HAS -> "is present";
      case HAS_NOT -> "is absent";
      case EVER -> "ever";
      case NEVER -> "never";
    };
  }

  private static Input input(String kind, Op op) {
    if (EnumSet.of(Op.IS_SET, Op.IS_NOT_SET, Op.IS_TRUE, Op.IS_FALSE, Op.EVER, Op.NEVER, Op.HAS, Op.HAS_NOT).contains(op)) return Input.NONE;
    return switch (kind) {
      case "list" -> Input.STATUS;
      case "engagement" -> Input.DAYS;
      case "number" -> Input.NUMBER;
      case "date" -> op == Op.IN_LAST_DAYS || op == Op.NOT_IN_LAST_DAYS ? Input.DAYS : Input.DATE;
      case "choice" -> op == Op.EQ || op == Op.NEQ ? Input.CHOICE : Input.TEXT;
      default -> Input.TEXT;
    };
  }

  /** The subjects to choose from, the row's own kept (and said to be gone) when the organization no longer has it; null for a tag. */
  private static List<Option> subjects(String type, String subject, Map<String, CustomFields.Field> fields,
      List<MailingLists.MailingList> lists) {
    List<Option> options = new ArrayList<>();
    String gone;
    switch (type) {
      case "tag" -> {
        return null;
      }
      case "field" -> {
        for (String key : Segments.BUILT_IN_FIELDS.keySet()) options.add(new Option(key, BUILT_IN_WORDS.get(key)));
        for (CustomFields.Field f : fields.values()) options.add(new Option(f.key(), f.label()));
        gone = "'" + subject + "' (a deleted field)";
      }
      case "list" -> {
        options.add(new Option("any", "Any list"));
        for (MailingLists.MailingList l : lists) options.add(new Option(Long.toString(l.id()), l.name()));
        gone = "A deleted list";
      }
      default -> {
        options.addAll(ENGAGEMENT_SUBJECTS);
        gone = subject;
      }
    }
    if (!subject.isEmpty() && options.stream().noneMatch(o -> o.value().equals(subject))) options.add(new Option(subject, gone));
    return options;
  }

  private static List<Option> options(List<String> choices, String value) {
    List<Option> options = new ArrayList<>(choices.stream().map(c -> new Option(c, c)).toList());
    // A value that is no longer one of the choices (or came through the API) is shown as it is, not replaced.
    if (!value.isEmpty() && !choices.contains(value)) options.add(new Option(value, value + " (not one of the choices)"));
    return options;
  }

  private static List<Option> statuses(String value) {
    List<Option> options = new ArrayList<>();
    options.add(new Option("any", "with any status"));
    for (SubscriptionStatus s : SubscriptionStatus.values()) options.add(new Option(s.text(), STATUS_WORDS.getOrDefault(s.text(), s.text())));
    if (!value.isEmpty() && options.stream().noneMatch(o -> o.value().equals(value))) options.add(new Option(value, value));
    return options;
  }

  private static final Pattern RULE_FIELD = Pattern.compile("rules\\[(\\d+)]\\.(type|subject|op|value)");

  /**
   * The refusal in the panel's words: a refusal about a row's type, subject, comparison or value says what to choose
   * among the row's own words (the API's says "eq, neq, ..."). {@code field} stays the API's, the key the page
   * shows the message beside; other refusals are returned as they are.
   */
  static Refused inWords(Refused refused, List<Row> rows) {
    if (!(refused.refusal() instanceof Refusal.Invalid(String field, String message)) || field == null) return refused;
    if (field.equals("match")) return Refused.invalid(field, "Choose whether all or any of the conditions must hold.");
    Matcher m = RULE_FIELD.matcher(field);
    if (!m.matches() || Integer.parseInt(m.group(1)) >= rows.size()) return refused;
    Row row = rows.get(Integer.parseInt(m.group(1)));
    String words = switch (m.group(2)) {
      case "type" -> "Choose what the condition is about: a field, a list, a tag, or opens and clicks.";
      case "op" -> "Choose one of: " + row.opWords() + ".";
      case "subject" -> switch (row.type()) {
        case "list" -> row.subject().matches("\\d+") ? "The list it names was deleted; choose another." : "Choose a list.";
        case "engagement" -> "Choose opened an email or clicked a link.";
        default -> message;
      };
      default -> switch (row.input()) {
        case STATUS -> "Choose a status.";
        case CHOICE -> "Choose one of the field's choices.";
        case NUMBER -> row.value().isEmpty() ? "Enter a number." : message;
        case DATE -> row.value().isEmpty() ? "Choose a date." : message;
        case DAYS -> row.value().isEmpty() ? "Enter a number of days." : message;
        default -> message;
      };
    };
    return Refused.invalid(field, words);
  }

  /** For the live count and the segment list, which show one message for the whole segment: "Condition 2: Enter a number." */
  static String countError(Refused refused, List<Row> rows) {
    Refused worded = inWords(refused, rows);
    Matcher m = worded.field() == null ? null : Pattern.compile("rules\\[(\\d+)].*").matcher(worded.field());
    if (m != null && m.matches()) return "Condition " + (Integer.parseInt(m.group(1)) + 1) + ": " + worded.getMessage();
    return worded.getMessage();
  }

  private static String strip(String s) {
    return s == null ? "" : s.strip();
  }
}
