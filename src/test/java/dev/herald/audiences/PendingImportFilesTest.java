package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.personaldata.AddressMentions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * An erased person cut out of an unfinished import's file: whatever the format, the file read back by the importer's
 * own reader holds every other row with the same cells on the same line, and no row mentioning the person.
 */
class PendingImportFilesTest {
  static final Pattern DANA = AddressMentions.javaPattern("dana@example.com");

  record Read(List<String> headers, List<ImportFiles.Row> rows) {}

  static Read read(String format, byte[] content) {
    try (ImportFiles.Source source = ImportFiles.open(format, new ByteArrayInputStream(content))) {
      List<ImportFiles.Row> rows = new ArrayList<>();
      for (ImportFiles.Row row : source) rows.add(row);
      return new Read(List.copyOf(source.headers()), rows);
    }
  }

  static void assertCutOut(String format, byte[] original, int expectedLeft) {
    Read before = read(format, original);
    byte[] scrubbed = PendingImportFiles.withoutMentions(format, original, DANA);
    assertThat(scrubbed).as("the file mentions her").isNotNull();
    Read after = read("csv", scrubbed);
    assertThat(after.headers()).isEqualTo(before.headers());
    List<ImportFiles.Row> kept = before.rows().stream()
        .filter(r -> r.cells().stream().noneMatch(c -> DANA.matcher(c.toLowerCase(java.util.Locale.ROOT)).find())).toList();
    assertThat(kept).hasSize(expectedLeft);
    // The same cells and the same verdict on their count; lines are checked per format (a JSON file's rows get lines of their own)
    assertThat(after.rows().stream().map(ImportFiles.Row::cells).toList())
        .isEqualTo(kept.stream().map(r -> padded(r.cells(), after.headers().size(), r)).toList());
    assertThat(after.rows().stream().map(ImportFiles.Row::cellCountMismatch).toList())
        .isEqualTo(kept.stream().map(ImportFiles.Row::cellCountMismatch).toList());
    assertThat(DANA.matcher(new String(scrubbed, StandardCharsets.UTF_8).toLowerCase(java.util.Locale.ROOT)).find()).isFalse();
  }

  static List<String> padded(List<String> cells, int width, ImportFiles.Row r) {
    if (r.cellCountMismatch()) return cells;
    List<String> out = new ArrayList<>(cells);
    while (out.size() < width) out.add("");
    return out;
  }

  @Test
  void a_csv_keeps_every_other_row_on_its_line_whatever_its_delimiter_encoding_and_quoted_line_breaks() {
    String csv = "email;name;notes\r\n"
        + "ann@example.com;Ann;\"two\r\nlines\"\r\n"
        + "\r\n"
        + "Dana <DANA@Example.com>;Dana;hers\r\n"
        + "bob.dana@example.com;Bob;\"not her: a longer address\"\r\n"
        + "zoé@example.com;Zoé;\"a \"\"quoted\"\" word\"\r\n"
        + "broken@example.com;Broken;one;too;many\r\n"
        + "carl@example.com;Carl;\"asked for dana@example.com\"\r\n";
    byte[] original = csv.getBytes(Charset.forName("windows-1252"));
    assertCutOut("csv", original, 4);
    Read after = read("csv", PendingImportFiles.withoutMentions("csv", original, DANA));
    assertThat(after.rows().stream().map(ImportFiles.Row::line)).containsExactly(2L, 6L, 7L, 8L);
    assertThat(after.rows().get(1).cells()).containsExactly("bob.dana@example.com", "Bob", "not her: a longer address");
    assertThat(after.rows().get(2).cells().get(1)).isEqualTo("Zoé");
    assertThat(after.rows().get(3).cellCountMismatch()).as("still set aside, with the same message").isTrue();
    assertThat(after.rows().get(3).cellCount()).isEqualTo(5);
  }

  @Test
  void a_file_without_the_person_is_left_as_it_is() {
    assertThat(PendingImportFiles.withoutMentions("csv", "email\nann@example.com\n".getBytes(StandardCharsets.UTF_8), DANA)).isNull();
  }

  @Test
  void a_spreadsheet_becomes_a_csv_of_the_same_cells_on_the_same_rows() throws Exception {
    ByteArrayOutputStream xlsx = new ByteArrayOutputStream();
    ExportTable table = ExportTable.open(ExportFormat.XLSX, xlsx, "people");
    table.row("email", "name", "city");
    table.row("ann@example.com", "Ann", "Lyon");
    table.row("dana@example.com", "Dana", "Oslo");
    table.row("bob@example.com", "Bob", null);
    table.close();
    assertCutOut("xlsx", xlsx.toByteArray(), 2);
    Read after = read("csv", PendingImportFiles.withoutMentions("xlsx", xlsx.toByteArray(), DANA));
    assertThat(after.rows().stream().map(ImportFiles.Row::line)).containsExactly(2L, 4L);
  }

  @Test
  void a_json_file_whose_columns_grow_becomes_a_csv_with_every_column() {
    String json = """
        [{"email": "ann@example.com", "name": "Ann"},
         {"email": "Dana@Example.com", "name": "Dana", "fields": {"city": "Oslo"}},
         {"email": "bob@example.com", "name": "Bob", "fields": {"plan": 3}}]""";
    assertCutOut("json", json.getBytes(StandardCharsets.UTF_8), 2);
    Read after = read("csv", PendingImportFiles.withoutMentions("json", json.getBytes(StandardCharsets.UTF_8), DANA));
    assertThat(after.headers()).containsExactly("email", "name", "fields.city", "fields.plan");
    assertThat(after.rows().get(0).cells()).containsExactly("ann@example.com", "Ann", "", "");
    assertThat(after.rows().get(1).cells()).containsExactly("bob@example.com", "Bob", "", "3");
    assertThat(after.rows().stream().map(ImportFiles.Row::line)).as("a JSON file numbers its objects where they start: here, one a line")
        .containsExactly(2L, 3L);
  }
}
