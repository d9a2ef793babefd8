package dev.herald.audiences;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.platform.Refused;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;
import org.junit.jupiter.api.Test;

/** The writers on their own: formula neutralization, CSV quoting and line ends, XLSX sheets, formats, scopes, file names. */
class ExportTableTest {

  @Test
  void every_formula_trigger_gets_a_leading_quote_and_nothing_else_does() {
    for (String risky : List.of("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", "=HYPERLINK(\"http://x\")", "=cmd|' /C calc'!A0")) {
      assertThat(ExportTable.neutralize(risky)).isEqualTo("'" + risky);
    }
    for (String safe : List.of("", "Ann", "1-1", "a=b", " =1", "'=1", "ann@example.com", "Zürich")) {
      assertThat(ExportTable.neutralize(safe)).isEqualTo(safe);
    }
  }

  @Test
  void csv_quotes_only_what_needs_it_doubles_quotes_and_ends_lines_with_crlf() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ExportTable csv = new ExportCsv(out)) {
      csv.row("email", "name", "n", "d", "b", "t");
      csv.row("a@example.com", "Smith, Ann", new BigDecimal("-3.50"), LocalDate.of(2026, 1, 2), true,
          Instant.parse("2026-11-22T10:15:30.123456Z"));
      csv.row("b@example.com", "two\nlines \"quoted\"", null, null, false, null);
      csv.row("c@example.com", "\r=1", new BigDecimal("1E+3"), null, null, null);
    }
    assertThat(new String(out.toByteArray(), UTF_8)).isEqualTo("\uFEFF"
        + "email,name,n,d,b,t\r\n"
        + "a@example.com,\"Smith, Ann\",-3.50,2026-01-02,true,2026-11-22T10:15:30Z\r\n"
        + "b@example.com,\"two\nlines \"\"quoted\"\"\",,,false,\r\n"
        + "c@example.com,\"'\r=1\",1000,,,\r\n");
  }

  @Test
  void xlsx_continues_on_a_new_sheet_with_the_header_when_one_is_full() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ExportTable xlsx = new ExportXlsx(out, 3)) {
      xlsx.row("email", "name");
      for (int i = 1; i <= 5; i++) xlsx.row("p" + i + "@example.com", i == 3 ? "=1+1" : "P" + i);
    }
    try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(out.toByteArray()))) {
      List<Sheet> sheets = wb.getSheets().toList();
      assertThat(sheets).extracting(Sheet::getName).containsExactly("Subscribers", "Subscribers 2", "Subscribers 3");
      assertThat(texts(sheets.get(0))).containsExactly(List.of("email", "name"), List.of("p1@example.com", "P1"),
          List.of("p2@example.com", "P2"));
      assertThat(texts(sheets.get(1))).containsExactly(List.of("email", "name"), List.of("p3@example.com", "'=1+1"),
          List.of("p4@example.com", "P4"));
      assertThat(texts(sheets.get(2))).containsExactly(List.of("email", "name"), List.of("p5@example.com", "P5"));
    }
  }

  @Test
  void xlsx_cuts_text_at_excels_cell_limit_and_an_empty_export_is_still_a_workbook() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ExportTable xlsx = new ExportXlsx(out)) {
      xlsx.row("consent_text");
      xlsx.row("x".repeat(40_000));
    }
    try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(out.toByteArray()))) {
      String cut = texts(wb.getFirstSheet()).get(1).get(0);
      assertThat(cut).hasSize(ExportXlsx.MAX_CELL_CHARS).endsWith("x…");
    }
    ByteArrayOutputStream empty = new ByteArrayOutputStream();
    new ExportXlsx(empty).close();
    try (ReadableWorkbook wb = new ReadableWorkbook(new ByteArrayInputStream(empty.toByteArray()))) {
      assertThat(wb.getFirstSheet().read()).isEmpty();
    }
  }

  @Test
  void formats_scopes_and_file_names() {
    assertThat(ExportFormat.parse(null)).isEqualTo(ExportFormat.CSV);
    assertThat(ExportFormat.parse(" Json ")).isEqualTo(ExportFormat.JSON);
    assertThatThrownBy(() -> ExportFormat.parse("xls")).isInstanceOfSatisfying(Refused.class,
        p -> assertThat(p.field()).isEqualTo("format"));
    assertThat(ExportScope.of(null, null, "")).isEqualTo(new ExportScope.All());
    assertThat(ExportScope.of(7L, null, "")).isEqualTo(new ExportScope.OfList(7, null));
    assertThat(ExportScope.of(7L, null, "bounced")).isEqualTo(new ExportScope.OfList(7, SubscriptionStatus.BOUNCED));
    assertThat(ExportScope.of(null, 3L, null)).isEqualTo(new ExportScope.OfSegment(3));
    assertThatThrownBy(() -> ExportScope.of(7L, null, "gone")).isInstanceOfSatisfying(Refused.class,
        p -> assertThat(p.field()).isEqualTo("status"));
    assertThatThrownBy(() -> ExportScope.of(null, null, "subscribed")).isInstanceOfSatisfying(Refused.class,
        p -> assertThat(p.field()).isEqualTo("status"));
    assertThatThrownBy(() -> ExportScope.of(null, 3L, "subscribed")).isInstanceOfSatisfying(Refused.class,
        p -> assertThat(p.field()).isEqualTo("status"));
    assertThatThrownBy(() -> ExportScope.of(7L, 3L, null)).isInstanceOfSatisfying(Refused.class,
        p -> assertThat(p.field()).isEqualTo("segment"));
    assertThat(Exports.slug("Summer News 2026!", "list-1")).isEqualTo("summer-news-2026");
    assertThat(Exports.slug("Café Crème", "list-1")).isEqualTo("cafe-creme");
    assertThat(Exports.slug("日本語", "list-9")).isEqualTo("list-9");
  }

  @Test
  void typed_field_values_fall_back_to_text_when_they_do_not_read_as_their_type() {
    CustomFields.Field number = new CustomFields.Field(1, "age", "Age", "number", List.of(), false);
    CustomFields.Field bool = new CustomFields.Field(2, "vip", "VIP", "boolean", List.of(), false);
    CustomFields.Field date = new CustomFields.Field(3, "born", "Born", "date", List.of(), false);
    assertThat(Exports.typed(number, "-3.50")).isEqualTo(new BigDecimal("-3.50"));
    assertThat(Exports.typed(number, "=1+1")).isEqualTo("=1+1");
    assertThat(Exports.typed(bool, "true")).isEqualTo(Boolean.TRUE);
    assertThat(Exports.typed(bool, "maybe")).isEqualTo("maybe");
    assertThat(Exports.typed(date, "1984-03-02")).isEqualTo(LocalDate.of(1984, 3, 2));
    assertThat(Exports.typed(date, null)).isNull();
  }

  private static List<List<String>> texts(Sheet sheet) throws Exception {
    return sheet.read().stream().map(ExportTableTest::texts).toList();
  }

  private static List<String> texts(Row row) {
    return row.stream().map(Cell::getText).toList();
  }
}
