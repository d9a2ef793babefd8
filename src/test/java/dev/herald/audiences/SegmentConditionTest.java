package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The one mapping between a condition's texts and its types. */
class SegmentConditionTest {

  @Test
  void every_type_and_op_reads_back_from_the_text_it_is_stored_as() {
    for (SegmentCondition.Type type : SegmentCondition.Type.values()) {
      for (SegmentCondition.Op op : SegmentCondition.Op.values()) {
        SegmentCondition c = new SegmentCondition(type, "subject", op, "value");
        assertThat(SegmentCondition.of("rules[0]", c.toRule())).isEqualTo(c);
      }
    }
    assertThat(Arrays.stream(SegmentCondition.Op.values()).map(SegmentCondition.Op::text)).doesNotHaveDuplicates()
        .allSatisfy(t -> assertThat(t).matches("[a-z_]+"));
  }

  @Test
  void texts_are_read_without_surrounding_spaces() {
    SegmentCondition c = SegmentCondition.of("rules[0]", new Segments.Rule(" field ", " age ", "gte\n", " 18 "));
    assertThat(c).isEqualTo(new SegmentCondition(SegmentCondition.Type.FIELD, "age", SegmentCondition.Op.GTE, "18"));
    assertThat(c.toRule()).isEqualTo(new Segments.Rule("field", "age", "gte", "18"));
  }

  @Test
  void an_unknown_or_missing_type_or_op_is_refused_naming_its_field_and_the_texts_allowed() {
    assertThat(refusal(new Segments.Rule("colour", "x", "eq", ""))).isEqualTo(new Refusal.Invalid("rules[3].type",
        "A condition's type is field, list, tag, engagement."));
    assertThat(refusal(new Segments.Rule(null, "x", "eq", ""))).extracting(Refusal::field).isEqualTo("rules[3].type");
    Refusal op = refusal(new Segments.Rule("field", "age", "EQ", "1"));
    assertThat(op.field()).isEqualTo("rules[3].op");
    assertThat(op.message()).startsWith("'EQ' is not a comparison; use one of eq, neq,").contains("in_last_days", "has_not", "never");
    assertThat(refusal(new Segments.Rule("tag", "x", null, ""))).extracting(Refusal::field).isEqualTo("rules[3].op");
  }

  private static Refusal refusal(Segments.Rule rule) {
    try {
      SegmentCondition.of("rules[3]", rule);
    } catch (Refused r) {
      return r.refusal();
    }
    throw new AssertionError("not refused: " + rule);
  }

  @Test
  void an_op_of_another_kind_of_condition_is_refused_listing_the_ones_it_takes() {
    assertThatThrownBy(() -> {
      throw SegmentCondition.notFor("rules[1]", "a tag", SegmentCondition.TAG);
    }).isInstanceOf(Refused.class).hasMessage("For a tag: has, has_not.");
  }
}
