package dev.herald.privacy;

import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compares the personal-data map with the schema: every table is declared by the holder of the module that owns it,
 * every text-like column of a declared table is declared (as personal or in {@code otherColumns}), and nothing declared
 * is missing from the schema. A pure function of its inputs, so that its own test can show it failing.
 */
final class MapCoverage {
  /** The column types that can hold an address, a name or a message: what the map must account for. */
  static final Set<String> TEXT_LIKE = Set.of("text", "varchar", "bpchar", "json", "jsonb", "bytea", "inet", "citext");

  private MapCoverage() {}

  /** A table of the schema: every column with its type ({@code udt_name}; an array's starts with "_"). */
  record SchemaTable(String name, Map<String, String> columnTypes) {
    /** The columns the map must declare: text-like ones and arrays of them. */
    List<String> textLikeColumns() {
      return columnTypes.entrySet().stream().filter(e -> isTextLike(e.getValue())).map(Map.Entry::getKey).sorted().toList();
    }
  }

  static boolean isTextLike(String udtName) {
    return TEXT_LIKE.contains(udtName.startsWith("_") ? udtName.substring(1) : udtName);
  }

  /**
   * The problems, one sentence each naming the table, column and owning module and saying what to add or remove.
   *
   * @param schema the tables of the migrated database
   * @param owners table → owning module ({@code TableOwnership})
   * @param declarations capability → the tables its holder declares
   * @param notMappedYet capabilities without a holder yet: their tables are not required (yet)
   */
  static List<String> problems(List<SchemaTable> schema, Map<String, String> owners, Map<String, List<PersonalDataTable>> declarations,
      Set<String> notMappedYet) {
    List<String> problems = new ArrayList<>();
    Map<String, SchemaTable> tables = new TreeMap<>();
    for (SchemaTable t : schema) tables.put(t.name(), t);
    Map<String, String> declaredBy = new HashMap<>();
    Map<String, PersonalDataTable> declared = new HashMap<>();

    for (String capability : new TreeMap<>(declarations).keySet()) {
      if (notMappedYet.contains(capability)) {
        problems.add("capability " + capability + " has a PersonalDataHolder now: remove \"" + capability
            + "\" from PersonalDataMapCoverageTest.NOT_MAPPED_YET");
      }
      for (PersonalDataTable t : declarations.get(capability)) {
        String earlier = declaredBy.putIfAbsent(t.table(), capability);
        if (earlier != null) {
          problems.add("table " + t.table() + " is declared by both " + earlier + " and " + capability + ": only its owner "
              + owners.getOrDefault(t.table(), "(unknown)") + " declares it");
          continue;
        }
        declared.put(t.table(), t);
        String owner = owners.get(t.table());
        if (!tables.containsKey(t.table())) {
          problems.add("table " + t.table() + " is declared by " + capability + " but does not exist: remove its PersonalDataTable from "
              + capability + "'s PersonalDataHolder");
        } else if (owner != null && !owner.equals(capability)) {
          problems.add("table " + t.table() + " is declared by " + capability + " but owned by module " + owner
              + ": move its PersonalDataTable to " + owner + "'s PersonalDataHolder");
        }
      }
    }

    for (SchemaTable table : tables.values()) {
      String owner = owners.get(table.name());
      PersonalDataTable declaration = declared.get(table.name());
      if (owner == null) {
        problems.add("table " + table.name() + " has no owning module: create it in a migration under '-- module: <name>'"
            + " (or name its module in TableOwnershipTest.TABLE_MODULES)");
      }
      if (declaration == null) {
        if (owner != null && !notMappedYet.contains(owner)) {
          problems.add("table " + table.name() + " (module " + owner + ") is not in the personal-data map: add PersonalDataTable.of(\""
              + table.name() + "\", ...) or PersonalDataTable.none(\"" + table.name() + "\", ...) to " + owner
              + "'s PersonalDataHolder, declaring its columns " + table.textLikeColumns());
        }
        continue;
      }
      String module = owner == null ? declaredBy.get(table.name()) : owner;
      Set<String> seen = new HashSet<>();
      List<String> named = new ArrayList<>();
      for (PersonalDataColumn c : declaration.columns()) named.add(c.column());
      named.addAll(declaration.otherColumns());
      for (String column : named) {
        if (!seen.add(column)) {
          problems.add("column " + table.name() + "." + column + " (module " + module + ") is declared twice: keep it either as a"
              + " PersonalDataColumn or in otherColumns");
        } else if (!table.columnTypes().containsKey(column)) {
          problems.add("column " + table.name() + "." + column + " (module " + module + ") is declared but does not exist: remove it"
              + " from " + module + "'s PersonalDataHolder");
        }
      }
      for (String column : table.textLikeColumns()) {
        if (!seen.contains(column)) {
          problems.add("column " + table.name() + "." + column + " (" + typeName(table.columnTypes().get(column)) + ", module " + module
              + ") is not in the personal-data map: declare it in " + module + "'s PersonalDataHolder as a PersonalDataColumn"
              + " of table " + table.name() + " or in its otherColumns");
        }
      }
    }
    return problems;
  }

  private static String typeName(String udtName) {
    return udtName.startsWith("_") ? udtName.substring(1) + "[]" : udtName;
  }
}
