package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.function.Consumer;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;
import org.junit.jupiter.api.Test;

/** The first sheet of a workbook written with fastexcel, read back as text rows. */
class SubscriberFileXlsxTest {
  record Read(List<String> headers, List<SubscriberFileRow> rows) {}

  static byte[] workbook(Consumer<Worksheet> fill) throws IOException {
    var out = new ByteArrayOutputStream();
    try (var workbook = new Workbook(out, "Herald", "1.0")) {
      fill.accept(workbook.newWorksheet("Subscribers"));
      workbook.newWorksheet("Other").value(0, 0, "not read");
    }
    return out.toByteArray();
  }

  static Read xlsx(byte[] bytes) {
    try (var file = SubscriberFileReader.open(new ByteArrayInputStream(bytes), SubscriberFileFormat.XLSX)) {
      return new Read(file.headers(), file.rows().toList());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Test
  void reads_text_numbers_and_dates_of_the_first_sheet() throws IOException {
    Read read = xlsx(workbook(ws -> {
      ws.value(0, 0, "Email Address");
      ws.value(0, 1, "First Name");
      ws.value(0, 2, "Member rating");
      ws.value(0, 3, "Score");
      ws.value(0, 4, "Signed up");
      ws.value(0, 5, "Opt-in time");
      ws.value(1, 0, "jurgen@example.de");
      ws.value(1, 1, "Jürgen");
      ws.value(1, 2, 4);
      ws.value(1, 3, 3.25);
      ws.value(1, 4, LocalDate.of(2024, 5, 28));
      ws.style(1, 4).format("yyyy-mm-dd").set();
      ws.value(1, 5, LocalDateTime.of(2021, 3, 28, 3, 44, 7));
      ws.style(1, 5).format("dd.mm.yyyy hh:mm:ss").set();
      ws.value(2, 0, "phone@example.de");
      ws.value(2, 2, 4915112345678L);
      ws.value(2, 3, 1.0);
      ws.value(2, 4, 45000); // a plain number, not formatted as a date
    }));
    assertThat(read.headers()).containsExactly("Email Address", "First Name", "Member rating", "Score", "Signed up",
        "Opt-in time");
    assertThat(read.rows()).hasSize(2);
    SubscriberFileRow first = read.rows().get(0);
    assertThat(first.line()).isEqualTo(2);
    assertThat(first.cells()).containsExactly("jurgen@example.de", "Jürgen", "4", "3.25", "2024-05-28", "2021-03-28T03:44:07");
    assertThat(first.cellCountMismatch()).isFalse();
    SubscriberFileRow second = read.rows().get(1);
    assertThat(second.line()).isEqualTo(3);
    assertThat(second.cells()).containsExactly("phone@example.de", "", "4915112345678", "1", "45000", "");
    assertThat(second.cellCountMismatch()).as("trailing empty cells are normal in a sheet").isFalse();
  }

  @Test
  void line_is_the_spreadsheet_row_and_empty_rows_are_skipped() throws IOException {
    Read read = xlsx(workbook(ws -> {
      ws.value(0, 0, "email");
      ws.value(3, 0, "a@example.com");
      ws.value(4, 0, " ");
      ws.value(6, 0, "b@example.com");
      ws.value(6, 2, "beyond the header");
    }));
    assertThat(read.rows()).extracting(SubscriberFileRow::line).containsExactly(4L, 7L);
    assertThat(read.rows().get(1).cellCountMismatch()).as("data beyond the header columns").isTrue();
    assertThat(read.rows().get(1).cells()).containsExactly("b@example.com");
  }

  @Test
  void a_header_only_sheet_has_no_rows_and_an_empty_sheet_is_refused() throws IOException {
    assertThat(xlsx(workbook(ws -> ws.value(0, 0, "email"))).rows()).isEmpty();
    assertThatThrownBy(() -> xlsx(workbook(ws -> {}))).isInstanceOf(SubscriberFileException.class)
        .hasMessageContaining("empty");
  }

  @Test
  void files_that_are_not_xlsx_are_refused_with_what_they_are() {
    assertThatThrownBy(() -> xlsx(new byte[0])).hasMessage("The file is empty.");
    assertThatThrownBy(() -> xlsx("email,name\na@x.de,Ann\n".getBytes(StandardCharsets.UTF_8)))
        .isInstanceOf(SubscriberFileException.class).hasMessageContaining("not an Excel workbook");
    byte[] xls = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1, 0, 0};
    assertThatThrownBy(() -> xlsx(xls)).hasMessageContaining("old Excel file (.xls)");
    byte[] brokenZip = {'P', 'K', 3, 4, 1, 2, 3, 4, 5, 6, 7, 8};
    assertThatThrownBy(() -> xlsx(brokenZip)).isInstanceOf(SubscriberFileException.class)
        .hasMessageContaining("cannot be read");
  }

  @Test
  void date_formats_are_told_from_number_formats() {
    assertThat(SubscriberFileXlsxReader.isDateFormat(14, "m/d/yy")).isTrue();
    assertThat(SubscriberFileXlsxReader.isDateFormat(164, "[$-407]dd.mm.yyyy")).isTrue();
    assertThat(SubscriberFileXlsxReader.isDateFormat(165, "yyyy-mm-dd\"T\"hh:mm")).isTrue();
    assertThat(SubscriberFileXlsxReader.isDateFormat(0, "General")).isFalse();
    assertThat(SubscriberFileXlsxReader.isDateFormat(4, "#,##0.00")).isFalse();
    assertThat(SubscriberFileXlsxReader.isDateFormat(166, "[Red]0.00\" days\"")).isFalse();
    assertThat(SubscriberFileXlsxReader.isDateFormat(null, null)).isFalse();
  }
}
