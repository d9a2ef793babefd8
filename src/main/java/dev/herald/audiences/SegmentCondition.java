package dev.herald.audiences;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import java.util.EnumSet;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A segment condition as {@link Segments} evaluates it. Clients and the stored JSON write a condition as
 * texts ({@link Segments.Rule}); {@link #of} is the one place those texts become a {@link Type} and an
 * {@link Op}, refusing an unknown text with the field that holds it ({@code rules[2].op}), and
 * {@link #toRule} writes them back, so a stored segment holds only the texts below.
 */
record SegmentCondition(Type type, String subject, Op op, String value) {

  /** What a condition is about: {@code type} in the JSON. */
  enum Type implements TextEnum {
    FIELD("field"), LIST("list"), TAG("tag"), ENGAGEMENT("engagement");

    private final String text;

    Type(String text) {
      this.text = text;
    }

    @JsonValue
    @Override
    public String text() {
      return text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  /** How a condition compares: {@code op} in the JSON. Which ones a condition takes depends on its type (see the sets). */
  enum Op implements TextEnum {
    EQ("eq"), NEQ("neq"), CONTAINS("contains"), NOT_CONTAINS("not_contains"), STARTS_WITH("starts_with"),
    GT("gt"), GTE("gte"), LT("lt"), LTE("lte"),
    ON("on"), BEFORE("before"), AFTER("after"), IN_LAST_DAYS("in_last_days"), NOT_IN_LAST_DAYS("not_in_last_days"),
    IS_TRUE("is_true"), IS_FALSE("is_false"), IS_SET("is_set"), IS_NOT_SET("is_not_set"),
    IN("in"), NOT_IN("not_in"), HAS("has"), HAS_NOT("has_not"), EVER("ever"), NEVER("never");

    private final String text;

    Op(String text) {
      this.text = text;
    }

    @JsonValue
    @Override
    public String text() {
      return text;
    }

    @Override
    public String toString() {
      return text;
    }
  }

  static final Set<Op> TEXT = EnumSet.of(Op.EQ, Op.NEQ, Op.CONTAINS, Op.NOT_CONTAINS, Op.STARTS_WITH);
  static final Set<Op> NUMBER = EnumSet.of(Op.EQ, Op.NEQ, Op.GT, Op.GTE, Op.LT, Op.LTE);
  static final Set<Op> DATE = EnumSet.of(Op.ON, Op.BEFORE, Op.AFTER, Op.IN_LAST_DAYS, Op.NOT_IN_LAST_DAYS);
  static final Set<Op> BOOLEAN = EnumSet.of(Op.IS_TRUE, Op.IS_FALSE);
  /** Every field, whatever its type. */
  static final Set<Op> PRESENCE = EnumSet.of(Op.IS_SET, Op.IS_NOT_SET);
  static final Set<Op> LIST = EnumSet.of(Op.IN, Op.NOT_IN);
  static final Set<Op> TAG = EnumSet.of(Op.HAS, Op.HAS_NOT);
  static final Set<Op> ENGAGEMENT = EnumSet.of(Op.IN_LAST_DAYS, Op.NOT_IN_LAST_DAYS, Op.EVER, Op.NEVER);

  /**
   * The condition a rule's texts name; {@code at} is where the rule sits ({@code rules[2]}). An unknown or
   * missing type or op is refused naming {@code at.type} or {@code at.op} and listing the texts allowed.
   * Subject and value stay text: what they may hold depends on the organization's lists and fields.
   */
  static SegmentCondition of(String at, Segments.Rule r) {
    Type type = find(Type.class, r.type())
        .orElseThrow(() -> Refused.invalid(at + ".type", "A condition's type is " + TextEnum.texts(Type.class) + "."));
    Op op = find(Op.class, r.op())
        .orElseThrow(() -> Refused.invalid(at + ".op", "'" + (r.op() == null ? "" : r.op()) + "' is not a comparison; use one of "
            + TextEnum.texts(Op.class) + "."));
    return new SegmentCondition(type, r.subject() == null ? "" : r.subject().trim(), op, r.value() == null ? "" : r.value().trim());
  }

  /** The texts to store. */
  Segments.Rule toRule() {
    return new Segments.Rule(type.text(), subject, op.text(), value);
  }

  /** A refusal of this op for this kind of condition, naming the ops it takes. */
  static Refused notFor(String at, String what, Set<Op> allowed) {
    return Refused.invalid(at + ".op", "For " + what + ": " + allowed.stream().map(Op::text).collect(Collectors.joining(", ")) + ".");
  }

  private static <E extends Enum<E> & TextEnum> Optional<E> find(Class<E> type, String text) {
    return text == null ? Optional.empty() : TextEnum.find(type, text.strip());
  }
}
