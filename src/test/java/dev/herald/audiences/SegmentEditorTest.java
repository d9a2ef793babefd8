package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.SegmentEditor.Input;
import dev.herald.audiences.SegmentEditor.Option;
import dev.herald.audiences.SegmentEditor.Posted;
import dev.herald.audiences.SegmentEditor.Row;
import dev.herald.platform.Refused;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The segment editor's rows in words: what a new user saw as eq/neq/gt for every field and a free-text choice. */
class SegmentEditorTest {
  static final Map<String, CustomFields.Field> FIELDS = new LinkedHashMap<>();

  static {
    FIELDS.put("age", new CustomFields.Field(1, "age", "Age", "number", List.of(), false));
    FIELDS.put("birthday", new CustomFields.Field(2, "birthday", "Birthday", "date", List.of(), false));
    FIELDS.put("city", new CustomFields.Field(3, "city", "City", "text", List.of(), false));
    FIELDS.put("plan", new CustomFields.Field(4, "plan", "Plan", "choice", List.of("free", "pro"), false));
    FIELDS.put("size", new CustomFields.Field(5, "size", "Size", "choice", List.of("S", "M"), false));
    FIELDS.put("vip", new CustomFields.Field(6, "vip", "VIP", "boolean", List.of(), false));
  }

  static final List<MailingLists.MailingList> LISTS = List.of(list(7, "News"), list(8, "Offers"));

  static MailingLists.MailingList list(long id, String name) {
    return new MailingLists.MailingList(id, name, "", null, null, null, null, List.of(), null, Map.of(), null);
  }

  static Row row(String type, String subject, String op, String value) {
    return row(type, subject, op, value, null);
  }

  static Row row(String type, String subject, String op, String value, String shown) {
    return SegmentEditor.rows(List.of(new Posted(new Segments.Rule(type, subject, op, value), shown)), FIELDS, LISTS).getFirst();
  }

  static List<String> labels(List<Option> options) {
    return options.stream().map(Option::label).toList();
  }

  @Test
  void segment_editor_offers_only_operators_of_the_field_type_in_words() {
    assertThat(labels(row("field", "plan", "eq", "pro").ops())).containsExactly("is", "is not", "is not empty", "is empty");
    assertThat(labels(row("field", "city", "eq", "x").ops()))
        .containsExactly("is", "is not", "contains", "does not contain", "starts with", "is not empty", "is empty");
    assertThat(labels(row("field", "age", "gt", "1").ops()))
        .containsExactly("is", "is not", "is more than", "is at least", "is less than", "is at most", "is not empty", "is empty");
    assertThat(labels(row("field", "birthday", "on", "").ops())).containsExactly("is on", "is before", "is after",
        "is within the last … days", "is not within the last … days", "is not empty", "is empty");
    assertThat(labels(row("field", "vip", "is_true", "").ops())).containsExactly("is yes", "is no", "is not empty", "is empty");
    assertThat(labels(row("field", "email", "contains", "").ops())).as("every subscriber has an address")
        .doesNotContain("is empty", "is not empty");
    assertThat(labels(row("field", "created_at", "after", "").ops())).contains("is after").doesNotContain("is empty", "contains");
    assertThat(labels(row("list", "7", "in", "any").ops())).containsExactly("includes them", "does not include them");
    assertThat(labels(row("tag", "vip", "has", "").ops())).containsExactly("is present", "is absent");
    assertThat(labels(row("engagement", "opened", "ever", "").ops()))
        .containsExactly("in the last … days", "not in the last … days", "ever", "never");
    // The codes stay the values the form posts: what the API and the stored segment know.
    assertThat(row("field", "plan", "eq", "pro").ops().stream().map(Option::value)).containsExactly("eq", "neq", "is_set", "is_not_set");
  }

  @Test
  void each_type_asks_for_its_value_the_way_it_needs_it() {
    Row plan = row("field", "plan", "neq", "");
    assertThat(plan.input()).isEqualTo(Input.CHOICE);
    assertThat(labels(plan.values())).containsExactly("free", "pro");
    assertThat(plan.value()).as("the select shows its first choice, and the count counts it").isEqualTo("free");
    assertThat(row("field", "age", "gte", "3").input()).isEqualTo(Input.NUMBER);
    assertThat(row("field", "birthday", "before", "2000-01-01").input()).isEqualTo(Input.DATE);
    assertThat(row("field", "birthday", "in_last_days", "7").input()).isEqualTo(Input.DAYS);
    assertThat(row("field", "vip", "is_false", "x").input()).isEqualTo(Input.NONE);
    assertThat(row("field", "vip", "is_false", "x").rule().value()).isEmpty();
    assertThat(row("field", "city", "is_set", "x").input()).isEqualTo(Input.NONE);
    assertThat(row("engagement", "clicked", "in_last_days", "30").input()).isEqualTo(Input.DAYS);
    assertThat(row("engagement", "clicked", "never", "").input()).isEqualTo(Input.NONE);

    Row list = row("list", "8", "in", "");
    assertThat(list.input()).isEqualTo(Input.STATUS);
    assertThat(list.value()).isEqualTo("any");
    assertThat(labels(list.values())).containsExactly("with any status", "as waiting for confirmation", "as subscribed", "as unsubscribed",
        "as bounced", "as having reported spam");
    assertThat(labels(list.subjects())).containsExactly("Any list", "News", "Offers");
    assertThat(labels(row("field", "email", "eq", "").subjects()))
        .startsWith("Email address", "Name", "Source", "Date added").contains("Plan", "VIP").doesNotContain("created_at", "email");
    assertThat(row("tag", "vip", "has", "").subjects()).as("a tag is typed").isNull();
  }

  @Test
  void choosing_another_field_brings_the_comparisons_and_value_of_its_type() {
    // Was "City contains Par", now the person picked Plan: contains and "Par" belonged to City.
    Row plan = row("field", "plan", "contains", "Par", "field/TEXT/city");
    assertThat(plan.op()).isEqualTo("eq");
    assertThat(plan.value()).isEqualTo("free");
    assertThat(plan.shown()).isEqualTo("field/CHOICE/plan");
    // From one choice field to another: the comparison fits, the old field's value does not.
    Row size = row("field", "size", "neq", "pro", "field/CHOICE/plan");
    assertThat(size.op()).isEqualTo("neq");
    assertThat(size.value()).isEqualTo("S");
    // Another list keeps the comparison and the status.
    Row offers = row("list", "8", "not_in", "bounced", "list/STATUS/7");
    assertThat(offers.op()).isEqualTo("not_in");
    assertThat(offers.value()).isEqualTo("bounced");
    // "is on" a date to "within the last days": a date is not a number of days.
    Row days = row("field", "birthday", "in_last_days", "2020-01-01", "field/DATE/birthday");
    assertThat(days.value()).isEmpty();
    // Another type: the subject, comparison and value start again.
    Row engagement = row("engagement", "city", "contains", "Par", "field/TEXT/city");
    assertThat(engagement.rule()).isEqualTo(new Segments.Rule("engagement", "opened", "in_last_days", ""));
    Row tag = row("tag", "city", "contains", "", "field/TEXT/city");
    assertThat(tag.subject()).isEmpty();
  }

  @Test
  void what_the_editor_does_not_offer_is_kept_when_it_came_from_the_api_and_gone_things_are_named() {
    Row contains = row("field", "plan", "contains", "pr");
    assertThat(contains.op()).isEqualTo("contains");
    assertThat(labels(contains.ops())).endsWith("contains");
    assertThat(contains.input()).isEqualTo(Input.TEXT);
    Row emailSet = row("field", "email", "is_set", "");
    assertThat(emailSet.op()).isEqualTo("is_set");
    assertThat(labels(emailSet.ops())).endsWith("is not empty");
    Row platinum = row("field", "plan", "eq", "platinum");
    assertThat(platinum.value()).isEqualTo("platinum");
    assertThat(labels(platinum.values())).contains("platinum (not one of the choices)");
    Row deleted = row("list", "99", "in", "any");
    assertThat(deleted.subject()).isEqualTo("99");
    assertThat(labels(deleted.subjects())).endsWith("A deleted list");
    // An op no type takes from a crafted post becomes the type's first, and the row says it differs from what was posted.
    Row crafted = row("field", "city", "gt", "1");
    assertThat(crafted.op()).isEqualTo("eq");
    assertThat(crafted.differsFrom(new Segments.Rule("field", "city", "gt", "1"))).isTrue();
    assertThat(row("field", "age", "gte", " 3 ").differsFrom(new Segments.Rule("field", "age", "gte", " 3 "))).isFalse();
  }

  @Test
  void refusals_are_said_in_the_rows_words_not_the_apis() {
    List<Row> rows = SegmentEditor.rows(List.of(new Posted(new Segments.Rule("tag", "vip", "has", ""), null),
        new Posted(new Segments.Rule("field", "plan", "eq", "pro"), null), new Posted(new Segments.Rule("field", "age", "gt", ""), null),
        new Posted(new Segments.Rule("list", "99", "in", "any"), null)), FIELDS, LISTS);
    Refused op = SegmentEditor.inWords(Refused.invalid("rules[1].op", "For text: eq, neq, contains, is_set."), rows);
    assertThat(op.field()).as("the key the page shows it beside").isEqualTo("rules[1].op");
    assertThat(op.getMessage()).isEqualTo("Choose one of: is, is not, is not empty or is empty.");
    assertThat(SegmentEditor.inWords(Refused.invalid("rules[2].value", "'' is not a number."), rows).getMessage()).isEqualTo("Enter a number.");
    assertThat(SegmentEditor.inWords(Refused.invalid("rules[3].subject", "List 99 not found."), rows).getMessage())
        .isEqualTo("The list it names was deleted; choose another.");
    assertThat(SegmentEditor.countError(Refused.invalid("rules[2].value", "'' is not a number."), rows))
        .isEqualTo("Condition 3: Enter a number.");
    assertThat(SegmentEditor.inWords(Refused.invalid("match", "match is all or any."), rows).getMessage()).doesNotContain("match");
    Refused name = Refused.conflict("name", "A segment named X exists already.");
    assertThat(SegmentEditor.inWords(name, rows)).isSameAs(name);
  }
}
