package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * For holders' tests: whether a holder's declarations match the migrated schema (every text, varchar, jsonb, bytea, inet
 * and array column of each of its tables declared, nothing declared that is not there), and where its tables still name
 * a person after an erasure (the address, its case variants, URL-encoded, MD5, SHA-1 and SHA-256 of it in hex), as issue
 * 13's generic erasure scan looks.
 */
public final class PersonalDataScan {
  private PersonalDataScan() {}

  /** Each table's declared columns equal its columns of the kinds the map covers. */
  public static void assertDeclaredAsMigrated(JdbcClient jdbc, PersonalDataHolder holder) {
    for (PersonalDataTable t : holder.tables()) {
      Set<String> declared = new TreeSet<>(t.otherColumns());
      t.columns().forEach(c -> declared.add(c.column()));
      Set<String> migrated = new TreeSet<>(jdbc.sql("""
          select column_name from information_schema.columns
          where table_schema = current_schema() and table_name = ?
            and (data_type in ('text', 'character varying', 'character', 'jsonb', 'json', 'bytea', 'inet', 'ARRAY'))""")
          .param(t.table()).query(String.class).list());
      assertThat(jdbc.sql("select count(*) from information_schema.tables where table_schema = current_schema() and table_name = ?")
          .param(t.table()).query(Long.class).single()).as("table %s exists", t.table()).isEqualTo(1);
      assertThat(declared).as("%s's declared columns of table %s", holder.capability(), t.table()).isEqualTo(migrated);
    }
  }

  /**
   * The columns (table.column) of the holder's tables whose rows selected by {@code scopes} (table → a WHERE condition,
   * "true" for every row) name the person in any form.
   */
  public static List<String> mentions(JdbcClient jdbc, PersonalDataHolder holder, DataSubject person, Map<String, String> scopes) {
    String[] patterns = PersonMentions.patterns(person);
    List<String> found = new ArrayList<>();
    for (PersonalDataTable t : holder.tables()) {
      String scope = scopes.getOrDefault(t.table(), "true");
      List<String> columns = new ArrayList<>(t.otherColumns());
      t.columns().stream().map(PersonalDataColumn::column).forEach(columns::add);
      for (String column : columns) {
        String type = jdbc.sql("select data_type from information_schema.columns where table_schema = current_schema() and table_name = ? and column_name = ?")
            .params(t.table(), column).query(String.class).single();
        String text = switch (type) {
          case "bytea" -> "lower(encode(" + column + ", 'escape'))";
          default -> "lower(cast(" + column + " as text))";
        };
        long n = jdbc.sql("select count(*) from " + t.table() + " where (" + scope + ") and " + text + " like any (?)")
            .param(patterns).query(Long.class).single();
        if (n > 0) found.add(t.table() + "." + column + " (" + n + " rows)");
      }
    }
    return found;
  }

  /** An archive that keeps its sections, by name. */
  public static final class Archive implements PersonalDataArchive {
    public final Map<String, List<Map<String, Object>>> sections = new java.util.LinkedHashMap<>();

    @Override
    public void section(String capability, String name, String description, List<Map<String, Object>> rows) {
      assertThat(description).as("section %s's description", name).isNotBlank();
      sections.put(name, rows);
    }
  }
}
