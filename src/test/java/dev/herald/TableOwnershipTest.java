package dev.herald;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * DESIGN.md, "Not like this": a module querying another module's tables. Every table has one owning
 * module, learnt from the migrations; a module's SQL names only its own tables and asks other modules
 * through their public API or a port.
 */
class TableOwnershipTest {
  static final Path MIGRATIONS = Path.of("src/main/resources/db/migration");

  /**
   * The migrations written before migrations said their module (they cannot be edited: Flyway would refuse
   * to start an installation that applied them). Every later migration says it with {@code -- module: <name>}.
   */
  static final Map<String, String> OLDER_MIGRATIONS = Map.ofEntries(
      Map.entry("V1__platform.sql", "platform"),
      Map.entry("V2__tenancy.sql", "tenancy"),
      Map.entry("V3__audiences.sql", "audiences"),
      Map.entry("V4__import_staging.sql", "audiences"),
      Map.entry("V5__totp_replay.sql", "tenancy"),
      Map.entry("V6__suppression.sql", "suppression"),
      Map.entry("V7__field_editable.sql", "audiences"),
      Map.entry("V8__engagement.sql", "audiences"),
      Map.entry("V9__secrets.sql", "platform"),
      Map.entry("V10__import_row_status.sql", "audiences"),
      Map.entry("V11__confirmation_mail.sql", "audiences"),
      Map.entry("V12__import_progress.sql", "audiences"),
      Map.entry("V13__organization_suspension.sql", "tenancy"));

  /**
   * Tables whose owner the migrations do not tell: a library's tables belong to the module that configures
   * the library (Spring Session: tenancy's {@code Sessions}; Flyway and the event publication registry:
   * platform, which V1 says already), and the sandbox mailbox, created by V1 before delivery existed.
   */
  static final Map<String, String> TABLE_MODULES = Map.of(
      "spring_session", "tenancy",
      "spring_session_attributes", "tenancy",
      "flyway_schema_history", "platform",
      "sandbox_message", "delivery");

  @Test
  void every_module_names_only_its_own_tables_in_its_sql() {
    Map<String, String> owners = TableOwnership.owners(MIGRATIONS, OLDER_MIGRATIONS, TABLE_MODULES);
    assertThat(owners).containsEntry("subscriber", "audiences").containsEntry("organization", "tenancy")
        .containsEntry("suppression", "suppression").containsEntry("import_row", "audiences");
    List<TableOwnership.Violation> violations = TableOwnership.violations(owners, Path.of("src/main/java/dev/herald"),
        Path.of("src/main/resources/dev/herald"));
    assertThat(violations).as("SQL naming another module's table").isEmpty();

    // The scan reads the real sources: were subscriber another module's table, audiences' SQL would be reported.
    Map<String, String> moved = new java.util.HashMap<>(owners);
    moved.put("subscriber", "tenancy");
    assertThat(TableOwnership.violations(moved, Path.of("src/main/java/dev/herald"), Path.of("src/main/resources/dev/herald")))
        .extracting(TableOwnership.Violation::file).contains("audiences/Segments.java", "audiences/BulkActions.java");
  }

  /** SQL lives in repository and service classes (DESIGN.md, "SQL you can read"), never in a web controller. */
  @Test
  void no_controller_runs_sql() throws IOException {
    List<Path> controllers;
    try (var files = Files.walk(Path.of("src/main/java/dev/herald"))) {
      controllers = files.filter(f -> f.toString().endsWith(".java")).filter(f -> {
        String source = read(f);
        return source.contains("\n@Controller") || source.contains("\n@RestController") || source.contains("\n@PanelController");
      }).toList();
    }
    assertThat(controllers).hasSizeGreaterThan(10);
    assertThat(controllers).as("controllers holding a JdbcClient").filteredOn(f -> read(f).contains("JdbcClient")).isEmpty();
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  // ---- the scanner itself, on small made-up modules -------------------------------------------

  @Test
  void a_module_naming_another_modules_table_is_reported_with_file_line_table_and_owner(@TempDir Path dir) throws IOException {
    Path migrations = write(dir, "db/V1__a.sql", """
        -- module: tenancy
        create table organization (id bigint primary key);
        -- module: audiences
        create table if not exists subscriber (id bigint, organization_id bigint references organization);
        create unlogged table import_row (id bigint);
        """);
    Map<String, String> owners = TableOwnership.owners(migrations.getParent(), Map.of(), Map.of("spring_session", "tenancy"));
    assertThat(owners).isEqualTo(Map.of("organization", "tenancy", "subscriber", "audiences", "import_row", "audiences",
        "spring_session", "tenancy"));

    write(dir, "java/tenancy/Organizations.java", """
        package x;
        // a comment naming "select 1 from subscriber" is not SQL
        class Organizations {
          char quote = '"';
          String own = "select id from organization where id = ?";
          String counted = \"""
              select o.id,
                     (select count(*) from subscriber b where b.organization_id = o.id)
              from organization o\""";
          String sessions = "delete from spring_session where principal_name = ?";
        }
        """);
    write(dir, "java/audiences/PublicPages.java", """
        class PublicPages {
          String joined = "select l.name, o.name from mailing_list l join organization o on o.id = l.organization_id";
          String listed = "select 1 from subscriber s, public.organization o";
          String handedOn = "organization o";
          String prose = "Choose a list of this organization.";
          String auditObjectType = "organization";
        }
        """);
    write(dir, "resources/suppression/screen.sql", """
        -- update subscriber is only a comment here
        select 1
          from suppression x
          join import_row r on true
        """);

    List<TableOwnership.Violation> found = TableOwnership.violations(owners, dir.resolve("java"), dir.resolve("resources"));

    assertThat(found).extracting(TableOwnership.Violation::toString).containsExactlyInAnyOrder(
        "audiences/PublicPages.java:2: module audiences names table organization, which tenancy owns;"
            + " ask tenancy through its public API or a port instead",
        "audiences/PublicPages.java:3: module audiences names table organization, which tenancy owns;"
            + " ask tenancy through its public API or a port instead",
        "audiences/PublicPages.java:4: module audiences names table organization, which tenancy owns;"
            + " ask tenancy through its public API or a port instead",
        "tenancy/Organizations.java:8: module tenancy names table subscriber, which audiences owns;"
            + " ask audiences through its public API or a port instead",
        "suppression/screen.sql:4: module suppression names table import_row, which audiences owns;"
            + " ask audiences through its public API or a port instead");
  }

  @Test
  void a_migration_that_does_not_say_its_module_is_refused_by_name(@TempDir Path dir) throws IOException {
    write(dir, "V1__old.sql", "create table organization (id bigint);\n");
    write(dir, "V2__new.sql", "alter table organization add column x int;\ncreate table lease (id bigint);\n");

    assertThatThrownBy(() -> TableOwnership.owners(dir, Map.of("V1__old.sql", "tenancy"), Map.of()))
        .hasMessageContaining("V2__new.sql creates table lease but does not say which module owns it");
    assertThat(TableOwnership.owners(dir, Map.of("V1__old.sql", "tenancy", "V2__new.sql", "platform"), Map.of()))
        .isEqualTo(Map.of("organization", "tenancy", "lease", "platform"));
  }

  @Test
  void two_modules_creating_one_table_are_refused(@TempDir Path dir) throws IOException {
    write(dir, "V1__a.sql", "-- module: tenancy\ncreate table lease (id bigint);\n");
    write(dir, "V2__b.sql", "-- module: platform\ncreate table if not exists lease (id bigint);\n");

    assertThatThrownBy(() -> TableOwnership.owners(dir, Map.of(), Map.of()))
        .hasMessageContaining("V2__b.sql creates table lease for platform, owned by tenancy");
  }

  private static Path write(Path dir, String name, String text) throws IOException {
    Path file = dir.resolve(name);
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }
}
