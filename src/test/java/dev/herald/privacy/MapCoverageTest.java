package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.personaldata.DataSubjectKind;
import dev.herald.platform.personaldata.PersonalDataCategory;
import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The coverage check on a made-up schema: it finds what the real test must find. */
class MapCoverageTest {
  static final MapCoverage.SchemaTable SUBSCRIBER = new MapCoverage.SchemaTable("subscriber",
      columns("id", "int8", "email", "citext", "status", "text", "tags", "_text", "created_at", "timestamptz"));
  static final MapCoverage.SchemaTable SEGMENT = new MapCoverage.SchemaTable("segment", columns("id", "int8", "name", "varchar", "rule", "jsonb"));
  static final Map<String, String> OWNERS = Map.of("subscriber", "audiences", "segment", "audiences", "lease", "platform");
  static final MapCoverage.SchemaTable LEASE = new MapCoverage.SchemaTable("lease", columns("name", "text", "holder", "bpchar", "seen_from", "inet"));

  static PersonalDataTable subscriber(String... other) {
    return PersonalDataTable.of("subscriber", DataSubjectKind.SUBSCRIBER, "the audience",
        List.of(PersonalDataColumn.deleted("email", PersonalDataCategory.CONTACT, RetentionCategory.ACCOUNT_LIFETIME)), other);
  }

  static final PersonalDataTable SEGMENT_DECLARED = PersonalDataTable.none("segment", "saved segments", "name", "rule");

  @Test
  void a_complete_map_has_no_problems() {
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER, SEGMENT, LEASE), OWNERS,
        Map.of("audiences", List.of(subscriber("status", "tags"), SEGMENT_DECLARED)), Set.of("platform"))).isEmpty();
  }

  @Test
  void an_undeclared_table_is_named_with_its_owner_and_columns() {
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER, SEGMENT), OWNERS, Map.of("audiences", List.of(subscriber("status", "tags"))), Set.of()))
        .containsExactly("table segment (module audiences) is not in the personal-data map: add PersonalDataTable.of(\"segment\", ...)"
            + " or PersonalDataTable.none(\"segment\", ...) to audiences's PersonalDataHolder, declaring its columns [name, rule]");
  }

  @Test
  void an_undeclared_column_is_named_with_its_type_table_and_owner() {
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER, SEGMENT), OWNERS, Map.of("audiences", List.of(subscriber("status"), SEGMENT_DECLARED)),
        Set.of())).containsExactly("column subscriber.tags (text[], module audiences) is not in the personal-data map: declare it in"
            + " audiences's PersonalDataHolder as a PersonalDataColumn of table subscriber or in its otherColumns");
  }

  @Test
  void a_stale_column_and_a_stale_table_are_reported() {
    PersonalDataTable gone = PersonalDataTable.none("segment_old", "gone");
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER, SEGMENT), OWNERS,
        Map.of("audiences", List.of(subscriber("status", "tags", "nickname"), SEGMENT_DECLARED, gone)), Set.of())).containsExactlyInAnyOrder(
            "column subscriber.nickname (module audiences) is declared but does not exist: remove it from audiences's PersonalDataHolder",
            "table segment_old is declared by audiences but does not exist: remove its PersonalDataTable from audiences's PersonalDataHolder");
  }

  @Test
  void a_table_declared_by_the_wrong_module_is_reported() {
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER, SEGMENT), OWNERS,
        Map.of("audiences", List.of(subscriber("status", "tags")), "campaigns", List.of(SEGMENT_DECLARED)), Set.of())).containsExactly(
            "table segment is declared by campaigns but owned by module audiences: move its PersonalDataTable to audiences's PersonalDataHolder");
  }

  @Test
  void a_column_declared_twice_or_a_table_by_two_modules_is_reported() {
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER, SEGMENT), OWNERS,
        Map.of("audiences", List.of(subscriber("status", "tags", "email"), SEGMENT_DECLARED), "campaigns", List.of(SEGMENT_DECLARED)), Set.of()))
        .containsExactlyInAnyOrder(
            "column subscriber.email (module audiences) is declared twice: keep it either as a PersonalDataColumn or in otherColumns",
            "table segment is declared by both audiences and campaigns: only its owner audiences declares it");
  }

  @Test
  void every_text_like_type_counts_and_other_types_do_not() {
    assertThat(MapCoverage.problems(List.of(LEASE), OWNERS, Map.of("platform", List.of(PersonalDataTable.none("lease", "leases", "name"))),
        Set.of())).containsExactlyInAnyOrder(
            "column lease.holder (bpchar, module platform) is not in the personal-data map: declare it in platform's PersonalDataHolder"
                + " as a PersonalDataColumn of table lease or in its otherColumns",
            "column lease.seen_from (inet, module platform) is not in the personal-data map: declare it in platform's PersonalDataHolder"
                + " as a PersonalDataColumn of table lease or in its otherColumns");
    for (String type : List.of("text", "varchar", "bpchar", "json", "jsonb", "bytea", "inet", "citext", "_varchar")) {
      assertThat(MapCoverage.isTextLike(type)).as(type).isTrue();
    }
    for (String type : List.of("int8", "timestamptz", "uuid", "bool", "_int4")) assertThat(MapCoverage.isTextLike(type)).as(type).isFalse();
  }

  @Test
  void a_capability_not_mapped_yet_is_skipped_until_it_has_a_holder_and_then_must_leave_the_set() {
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER, SEGMENT, LEASE), OWNERS, Map.of(), Set.of("audiences", "platform"))).isEmpty();
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER, SEGMENT), OWNERS, Map.of("audiences", List.of(subscriber("status", "tags"), SEGMENT_DECLARED)),
        Set.of("audiences"))).containsExactly(
            "capability audiences has a PersonalDataHolder now: remove \"audiences\" from PersonalDataMapCoverageTest.NOT_MAPPED_YET");
  }

  @Test
  void a_table_without_an_owner_is_reported() {
    assertThat(MapCoverage.problems(List.of(SUBSCRIBER), Map.of(), Map.of(), Set.of())).containsExactly(
        "table subscriber has no owning module: create it in a migration under '-- module: <name>' (or name its module in"
            + " TableOwnershipTest.TABLE_MODULES)");
  }

  private static Map<String, String> columns(String... nameAndType) {
    Map<String, String> columns = new LinkedHashMap<>();
    for (int i = 0; i < nameAndType.length; i += 2) columns.put(nameAndType[i], nameAndType[i + 1]);
    return columns;
  }
}
