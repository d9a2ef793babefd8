package dev.herald.platform.personaldata;

import java.util.List;

/**
 * A table in the personal-data map. {@code subject} is whose data its rows are (null for a table without personal
 * data); {@code columns} are the personal ones; {@code otherColumns} the text, varchar, jsonb and bytea columns that
 * hold none (statuses, kinds, names of things), so the coverage test can tell an undeclared column from one that was
 * looked at; {@code purpose} is why it is kept, as the record of processing activities shows it.
 */
public record PersonalDataTable(String table, DataSubjectKind subject, String purpose, List<PersonalDataColumn> columns,
    List<String> otherColumns) {
  public PersonalDataTable {
    columns = List.copyOf(columns);
    otherColumns = List.copyOf(otherColumns);
    if ((subject == null) != columns.isEmpty()) {
      throw new IllegalArgumentException(table + ": a table has a subject exactly when it declares personal columns");
    }
  }

  /** A table that holds personal data. */
  public static PersonalDataTable of(String table, DataSubjectKind subject, String purpose, List<PersonalDataColumn> columns,
      String... otherColumns) {
    return new PersonalDataTable(table, subject, purpose, columns, List.of(otherColumns));
  }

  /** A table without personal data; {@code otherColumns} lists its text, varchar, jsonb and bytea columns. */
  public static PersonalDataTable none(String table, String purpose, String... otherColumns) {
    return new PersonalDataTable(table, null, purpose, List.of(), List.of(otherColumns));
  }
}
