package dev.herald;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Which module owns each table, learnt from the Flyway migrations, and which SQL of a module names a
 * table of another. A module's SQL is every string literal in its Java files
 * ({@code <javaRoot>/<module>/**}) and every {@code .sql} file beside them
 * ({@code <resourceRoot>/<module>/**}); a table is "named" where it follows FROM, JOIN, INTO, UPDATE,
 * TABLE, USING, REFERENCES or TRUNCATE (comma lists after FROM included), or where a literal is nothing
 * but a table and its alias ({@code "subscriber s"}, handed to a query built elsewhere). A bare word is
 * not taken for a table: "organization" is also an audit object type and a scope. A name assembled at run
 * time ({@code "from " + table}) is not seen either.
 *
 * <p>A migration says which module owns the tables it creates with a line {@code -- module: <name>}; the
 * line applies to every CREATE TABLE after it, up to the next such line, so one migration can hold
 * tables of two modules. Migrations applied before this rule existed cannot gain that line (Flyway
 * checks every applied script's checksum at start, so an edited comment would stop existing
 * installations), so the caller declares their modules by file name.
 */
public final class TableOwnership {

  /** Where a module's SQL names a table that another module owns. */
  record Violation(String file, int line, String table, String owner, String module) {
    @Override
    public String toString() {
      return file + ":" + line + ": module " + module + " names table " + table + ", which " + owner
          + " owns; ask " + owner + " through its public API or a port instead";
    }
  }

  private static final Pattern MODULE_LINE = Pattern.compile("^\\s*--\\s*module:\\s*([a-z][a-z0-9_]*)\\s*$");
  private static final Pattern CREATE_TABLE = Pattern.compile(
      "(?i)\\bcreate\\s+(?:(?:global|local)\\s+)?(?:(?:temp|temporary|unlogged)\\s+)?table\\s+(?:if\\s+not\\s+exists\\s+)?"
          + "(?:[a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)");
  /** A keyword that is followed by a table name, then the name (schema-qualified or not) and what follows it. */
  private static final Pattern NAMED_AFTER_KEYWORD = Pattern.compile(
      "(?i)\\b(from|join|into|update|table|using|references|truncate)\\s+(?:only\\s+)?(?:if\\s+(?:not\\s+)?exists\\s+)?"
          + "(?:[a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)");
  /** After FROM: {@code [as] alias} then {@code , next_table} as often as it goes. */
  private static final Pattern NEXT_IN_FROM_LIST = Pattern.compile(
      "(?i)\\G(?:\\s+(?:as\\s+)?(?!(?:where|join|left|right|inner|full|cross|on|group|order|limit|natural|lateral)\\b)[a-z_][a-z0-9_]*)?"
          + "\\s*,\\s*(?:[a-z_][a-z0-9_]*\\.)?([a-z_][a-z0-9_]*)");
  private static final Pattern TABLE_AND_ALIAS = Pattern.compile("^\\s*([a-z_][a-z0-9_]*)\\s+[a-z_][a-z0-9_]*\\s*$");

  private TableOwnership() {}

  /**
   * Table → owning module of this project, as {@link TableOwnershipTest} computes it (its migrations, its map of the
   * older migrations' modules and of the libraries' tables), for tests in other packages that need each table's owner.
   */
  public static Map<String, String> ofThisProject() {
    return owners(TableOwnershipTest.MIGRATIONS, TableOwnershipTest.OLDER_MIGRATIONS, TableOwnershipTest.TABLE_MODULES);
  }

  /**
   * Table → owning module, from the migrations in {@code migrations}. {@code modulesOfOlderMigrations}
   * names the module of a migration file that has no {@code -- module:} line; {@code tableModules} names
   * the module of a table no migration tells right (a library's table, owned by the module that
   * configures that library) and wins over the migrations. A CREATE TABLE whose module nothing tells is
   * an error naming the file.
   */
  static Map<String, String> owners(Path migrations, Map<String, String> modulesOfOlderMigrations, Map<String, String> tableModules) {
    Map<String, String> owners = new TreeMap<>();
    List<String> problems = new ArrayList<>();
    for (Path file : files(migrations, ".sql")) {
      String name = file.getFileName().toString();
      String module = modulesOfOlderMigrations.get(name);
      for (String line : read(file).split("\n", -1)) {
        Matcher declared = MODULE_LINE.matcher(line);
        if (declared.matches()) {
          module = declared.group(1);
          continue;
        }
        Matcher created = CREATE_TABLE.matcher(stripComment(line));
        while (created.find()) {
          String table = created.group(1).toLowerCase(Locale.ROOT);
          if (tableModules.containsKey(table)) continue;
          if (module == null) {
            problems.add(name + " creates table " + table + " but does not say which module owns it: add a line"
                + " '-- module: <name>' above the CREATE TABLE");
          } else {
            String before = owners.putIfAbsent(table, module);
            if (before != null && !before.equals(module)) problems.add(name + " creates table " + table + " for " + module + ", owned by " + before);
          }
        }
      }
    }
    if (!problems.isEmpty()) throw new IllegalStateException(String.join("\n", problems));
    tableModules.forEach((table, module) -> owners.put(table.toLowerCase(Locale.ROOT), module));
    return owners;
  }

  /**
   * Every place where a module's SQL names another module's table. Modules are the directories
   * directly under {@code javaRoot} (and under {@code resourceRoot}, which may be absent).
   */
  static List<Violation> violations(Map<String, String> owners, Path javaRoot, Path resourceRoot) {
    List<Violation> found = new ArrayList<>();
    for (Path root : List.of(javaRoot, resourceRoot)) {
      if (!Files.isDirectory(root)) continue;
      for (Path moduleDir : directories(root)) {
        String module = moduleDir.getFileName().toString();
        for (Path file : files(moduleDir, ".java")) {
          for (Literal literal : literals(read(file))) found.addAll(check(owners, module, root.relativize(file), literal));
        }
        for (Path file : files(moduleDir, ".sql")) {
          found.addAll(check(owners, module, root.relativize(file), new Literal(1, stripSqlComments(read(file)))));
        }
      }
    }
    return found;
  }

  /** A string literal (text blocks included) and the line it starts on. */
  record Literal(int line, String text) {}

  /** The tables a piece of SQL names, with the line (from 1) each is on. */
  static Map<Integer, List<String>> tablesNamed(String sql) {
    Map<Integer, List<String>> tables = new LinkedHashMap<>();
    Matcher whole = TABLE_AND_ALIAS.matcher(sql);
    if (whole.matches()) tables.computeIfAbsent(1, l -> new ArrayList<>()).add(whole.group(1).toLowerCase(Locale.ROOT));
    Matcher m = NAMED_AFTER_KEYWORD.matcher(sql);
    while (m.find()) {
      tables.computeIfAbsent(lineAt(sql, m.start(2)), l -> new ArrayList<>()).add(m.group(2).toLowerCase(Locale.ROOT));
      if (!m.group(1).equalsIgnoreCase("from")) continue;
      Matcher next = NEXT_IN_FROM_LIST.matcher(sql);
      int at = m.end();
      while (next.find(at)) {
        tables.computeIfAbsent(lineAt(sql, next.start(1)), l -> new ArrayList<>()).add(next.group(1).toLowerCase(Locale.ROOT));
        at = next.end();
      }
    }
    return tables;
  }

  private static List<Violation> check(Map<String, String> owners, String module, Path file, Literal literal) {
    List<Violation> found = new ArrayList<>();
    tablesNamed(literal.text()).forEach((line, tables) -> {
      for (String table : tables) {
        String owner = owners.get(table);
        if (owner != null && !owner.equals(module)) {
          found.add(new Violation(file.toString().replace('\\', '/'), literal.line() + line - 1, table, owner, module));
        }
      }
    });
    return found;
  }

  /**
   * The string literals of a Java source, text blocks included, skipping comments and char literals.
   * Escapes are left as written: table names never contain them.
   */
  static List<Literal> literals(String java) {
    List<Literal> literals = new ArrayList<>();
    int line = 1;
    int i = 0;
    int n = java.length();
    while (i < n) {
      char c = java.charAt(i);
      if (c == '\n') {
        line++;
        i++;
      } else if (java.startsWith("//", i)) {
        while (i < n && java.charAt(i) != '\n') i++;
      } else if (java.startsWith("/*", i)) {
        int end = java.indexOf("*/", i + 2);
        end = end < 0 ? n : end + 2;
        line += count(java, i, end);
        i = end;
      } else if (java.startsWith("\"\"\"", i)) {
        int start = i + 3;
        int end = start;
        while (end < n && !(java.startsWith("\"\"\"", end) && !escaped(java, end))) end++;
        // The content starts on the line after the opening delimiter.
        int firstLine = line + 1;
        literals.add(new Literal(firstLine, java.substring(Math.min(java.indexOf('\n', start) + 1, end), end)));
        line += count(java, i, Math.min(end + 3, n));
        i = Math.min(end + 3, n);
      } else if (c == '"' || c == '\'') {
        int end = i + 1;
        while (end < n && java.charAt(end) != c && java.charAt(end) != '\n') end += java.charAt(end) == '\\' ? 2 : 1;
        if (c == '"') literals.add(new Literal(line, java.substring(i + 1, Math.min(end, n))));
        i = Math.min(end + 1, n);
      } else {
        i++;
      }
    }
    return literals;
  }

  private static boolean escaped(String s, int at) {
    int backslashes = 0;
    for (int j = at - 1; j >= 0 && s.charAt(j) == '\\'; j--) backslashes++;
    return backslashes % 2 == 1;
  }

  private static int count(String s, int from, int to) {
    int lines = 0;
    for (int j = from; j < to; j++) if (s.charAt(j) == '\n') lines++;
    return lines;
  }

  private static int lineAt(String s, int offset) {
    return count(s, 0, offset) + 1;
  }

  private static String stripComment(String sqlLine) {
    int dash = sqlLine.indexOf("--");
    return dash < 0 ? sqlLine : sqlLine.substring(0, dash);
  }

  /** Blanks {@code --} comments, keeping the lines so that line numbers stay right. */
  private static String stripSqlComments(String sql) {
    StringBuilder out = new StringBuilder();
    for (String line : sql.split("\n", -1)) out.append(stripComment(line)).append('\n');
    return out.toString();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file).replace("\r\n", "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> files(Path dir, String suffix) {
    try (Stream<Path> walk = Files.walk(dir)) {
      return walk.filter(p -> Files.isRegularFile(p) && p.getFileName().toString().endsWith(suffix)).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static List<Path> directories(Path dir) {
    try (Stream<Path> list = Files.list(dir)) {
      return list.filter(Files::isDirectory).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
