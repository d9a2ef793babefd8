package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedWriter;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.util.List;
import java.util.function.Consumer;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
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

  /**
   * A workbook written by hand, part by part, the way an attacker would: fastexcel's writer would not write what
   * these tests need. {@code sheetData} writes the rows; the ZIP packs them as tightly as deflate can.
   */
  static byte[] handMade(SheetData sheetData) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
      zip.setLevel(Deflater.BEST_COMPRESSION);
      part(zip, "[Content_Types].xml", """
          <?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
          <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
          <Default Extension="xml" ContentType="application/xml"/>\
          <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
          <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
          <Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>\
          </Types>""");
      part(zip, "_rels/.rels", """
          <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
          <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
          Target="xl/workbook.xml"/></Relationships>""");
      part(zip, "xl/workbook.xml", """
          <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
          xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\
          <sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>""");
      part(zip, "xl/styles.xml", """
          <?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
          <cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>""");
      part(zip, "xl/_rels/workbook.xml.rels", """
          <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
          <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
          Target="worksheets/sheet1.xml"/></Relationships>""");
      zip.putNextEntry(new ZipEntry("xl/worksheets/sheet1.xml"));
      var sheet = new BufferedWriter(new OutputStreamWriter(zip, StandardCharsets.UTF_8), 1 << 16);
      sheet.write("<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
          + "<sheetData>");
      sheetData.write(sheet);
      sheet.write("</sheetData></worksheet>");
      sheet.flush();
      zip.closeEntry();
    }
    return bytes.toByteArray();
  }

  interface SheetData {
    void write(Writer sheet) throws IOException;
  }

  private static void part(ZipOutputStream zip, String name, String xml) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(xml.getBytes(StandardCharsets.UTF_8));
    zip.closeEntry();
  }

  /** The probe's workbook: one header row of ten million empty cells, a few hundred KB on disk. */
  static byte[] tenMillionCellsInTheFirstRow() throws IOException {
    return handMade(sheet -> {
      sheet.write("<row r=\"1\">");
      for (int i = 0; i < 10_000_000; i++) sheet.write("<c/>");
      sheet.write("</row>");
    });
  }

  static String inlineRow(int row, int cells) {
    var xml = new StringBuilder("<row r=\"" + row + "\">");
    for (int i = 0; i < cells; i++) xml.append("<c t=\"inlineStr\"><is><t>r").append(row).append('c').append(i).append("</t></is></c>");
    return xml.append("</row>").toString();
  }

  /** Copies of uploads this JVM left in the temporary directory. */
  static long leftoverCopies() throws IOException {
    try (var files = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return files.filter(f -> f.getFileName().toString().startsWith(SubscriberFileXlsxReader.TEMP_PREFIX)).count();
    }
  }

  /** Regression: a 287 KB workbook whose first row held ten million cells took the JVM's whole heap. */
  @Test
  void a_workbook_of_ten_million_cells_in_a_row_is_refused_before_it_is_parsed_and_leaves_no_copy() throws IOException {
    byte[] bomb = tenMillionCellsInTheFirstRow();
    assertThat(bomb.length).as("small on disk").isLessThan(300 * 1024);
    long before = leftoverCopies();
    long heapBefore = usedHeap();
    assertThatThrownBy(() -> xlsx(bomb)).isInstanceOf(SubscriberFileException.class)
        .hasMessageContaining("unpacks to more than 100 times its size");
    assertThat(usedHeap() - heapBefore).as("nothing of the row was held").isLessThan(64L << 20);
    assertThat(leftoverCopies()).isEqualTo(before);
  }

  private static long usedHeap() {
    System.gc();
    return Runtime.getRuntime().totalMemory() - Runtime.getRuntime().freeMemory();
  }

  /** Regression: only a cell's length was bounded, not how many cells a row has; the limit is the CSV reader's. */
  @Test
  void a_row_of_more_than_500_columns_is_refused_naming_its_row() throws IOException {
    byte[] wide = handMade(sheet -> {
      sheet.write(inlineRow(1, 3));
      sheet.write(inlineRow(2, 3));
      sheet.write(inlineRow(4, 501));
    });
    assertThatThrownBy(() -> xlsx(wide)).isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(4))
        .hasMessageContaining("more than 500 columns");
    Read widest = xlsx(handMade(sheet -> {
      sheet.write(inlineRow(1, 500));
      sheet.write(inlineRow(2, 500));
    }));
    assertThat(widest.headers()).hasSize(500);
    assertThat(widest.rows().getFirst().cells()).hasSize(500).endsWith("r2c499");
  }

  /** fastexcel-reader makes room for every column up to a cell's reference, so one far cell is as wide as a full row. */
  @Test
  void a_cell_referenced_past_column_500_is_refused() throws IOException {
    for (String ref : List.of("SH3", "XFD3", "ZZZZZZZZ3")) {
      byte[] far = handMade(sheet -> sheet.write(inlineRow(1, 2) + "<row r=\"3\"><c r=\"" + ref + "\"><v>1</v></c></row>"));
      assertThatThrownBy(() -> xlsx(far)).as(ref).isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(3))
          .hasMessageContaining("more than 500 columns");
    }
    Read near = xlsx(handMade(sheet -> sheet.write(inlineRow(1, 2) + "<row r=\"3\"><c r=\"SF3\"><v>7</v></c></row>")));
    assertThat(near.rows().getFirst().cellCount()).as("column SF is the 500th").isEqualTo(500);
  }

  /** Regression: the guard counted the rows of every sheet, so a wide second sheet refused a workbook whose first was fine. */
  @Test
  void a_wide_second_sheet_does_not_refuse_the_first() throws IOException {
    var out = new ByteArrayOutputStream();
    try (var workbook = new Workbook(out, "Herald", "1.0")) {
      Worksheet people = workbook.newWorksheet("People");
      people.value(0, 0, "email");
      people.value(1, 0, "ada@example.com");
      Worksheet wide = workbook.newWorksheet("Pivot");
      for (int c = 0; c < 2_000; c++) wide.value(0, c, "c" + c);
    }
    Read read = xlsx(out.toByteArray());
    assertThat(read.headers()).containsExactly("email");
    assertThat(read.rows()).extracting(r -> r.cells().getFirst()).containsExactly("ada@example.com");
  }

  /** The imported sheet is the one the workbook lists first, whatever its part is called, and only it is bounded. */
  @Test
  void the_sheet_listed_first_is_the_one_bounded_whatever_its_part_is_called() throws IOException {
    SheetData narrow = sheet -> sheet.write(inlineRow(1, 2) + inlineRow(2, 2));
    SheetData wide = sheet -> sheet.write(inlineRow(1, 2) + inlineRow(2, 501));
    assertThatThrownBy(() -> xlsx(twoSheets(wide, narrow))).isInstanceOfSatisfying(SubscriberFileException.class,
        e -> assertThat(e.line()).isEqualTo(2)).hasMessageContaining("more than 500 columns");
    Read read = xlsx(twoSheets(narrow, wide));
    assertThat(read.headers()).containsExactly("r1c0", "r1c1");
    assertThat(read.rows().getFirst().cells()).containsExactly("r2c0", "r2c1");
  }

  /** Two sheets; the one the workbook lists first is stored as sheet2.xml, after the other. */
  static byte[] twoSheets(SheetData listedFirst, SheetData listedSecond) throws IOException {
    var bytes = new ByteArrayOutputStream();
    try (var zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
      part(zip, "[Content_Types].xml", """
          <?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">\
          <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>\
          <Default Extension="xml" ContentType="application/xml"/>\
          <Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>\
          <Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>\
          </Types>""");
      part(zip, "_rels/.rels", """
          <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
          <Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" \
          Target="xl/workbook.xml"/></Relationships>""");
      part(zip, "xl/workbook.xml", """
          <?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" \
          xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>\
          <sheet name="People" sheetId="2" r:id="rId7"/><sheet name="Other" sheetId="1" r:id="rId3"/></sheets></workbook>""");
      part(zip, "xl/styles.xml", """
          <?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">\
          <cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>""");
      part(zip, "xl/_rels/workbook.xml.rels", """
          <?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">\
          <Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" \
          Target="worksheets/sheet1.xml"/><Relationship Id="rId7" \
          Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="/xl/worksheets/sheet2.xml"/>\
          </Relationships>""");
      sheetPart(zip, "xl/worksheets/sheet1.xml", listedSecond);
      sheetPart(zip, "xl/worksheets/sheet2.xml", listedFirst);
    }
    return bytes.toByteArray();
  }

  private static void sheetPart(ZipOutputStream zip, String name, SheetData rows) throws IOException {
    var sheet = new java.io.StringWriter();
    rows.write(sheet);
    part(zip, name, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">"
        + "<sheetData>" + sheet + "</sheetData></worksheet>");
  }

  @Test
  void a_sheet_of_more_rows_than_excel_holds_is_refused() throws IOException {
    byte[] tall = handMade(sheet -> sheet.write(inlineRow(1, 1) + "<row r=\"1048577\"><c><v>1</v></c></row>"));
    assertThatThrownBy(() -> xlsx(tall)).isInstanceOf(SubscriberFileException.class).hasMessageContaining("more than 1048576 rows");
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
