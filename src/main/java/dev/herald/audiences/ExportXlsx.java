package dev.herald.audiences;

import java.io.IOException;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import org.dhatim.fastexcel.Workbook;
import org.dhatim.fastexcel.Worksheet;

/**
 * XLSX through fastexcel's streaming writer. Three things keep memory flat however long the list:
 * rows are flushed to the zip stream every {@link #FLUSH_EVERY} rows (fastexcel keeps unflushed rows in
 * memory); text goes in as inline strings, because {@code Worksheet.value(String)} puts every distinct
 * string in a shared-strings table held until the end (a million addresses would all be kept); and
 * nothing is read back. A sheet holds at most 1,048,576 rows, so a longer export continues on
 * "Subscribers 2" with the header again. Times are UTC.
 */
final class ExportXlsx implements ExportTable {
  static final int FLUSH_EVERY = 1_000;
  /** Excel's limit for one cell; longer text (a long consent wording) is cut, with an ellipsis. */
  static final int MAX_CELL_CHARS = 32_767;
  private static final String DATE = "yyyy-mm-dd";
  private static final String TIME = "yyyy-mm-dd hh:mm:ss";
  private final Workbook workbook;
  private final int rowsPerSheet;
  private Worksheet sheet;
  private Object[] header;
  private int sheets;
  private int row;

  static final String SHEET = "Subscribers";
  static final int MAX_ROWS = Worksheet.MAX_ROWS;
  private final String sheetName;

  ExportXlsx(OutputStream out) {
    this(out, Worksheet.MAX_ROWS);
  }

  /** {@code rowsPerSheet} (header included) is Excel's limit but in tests, which check the next sheet. */
  ExportXlsx(OutputStream out, int rowsPerSheet) {
    this(out, SHEET, rowsPerSheet);
  }

  /** {@code sheetName}: at most 31 characters, none of {@code []:*?/\} (Excel's rules). */
  ExportXlsx(OutputStream out, String sheetName, int rowsPerSheet) {
    this.workbook = new Workbook(out, "Herald", "1.0");
    this.rowsPerSheet = rowsPerSheet;
    this.sheetName = sheetName;
  }

  @Override
  public void row(Object... cells) throws IOException {
    if (header == null) {
      header = cells.clone();
      startSheet();
      return;
    }
    if (row == rowsPerSheet) {
      sheet.finish();
      startSheet();
    }
    for (int c = 0; c < cells.length; c++) cell(c, cells[c]);
    if (++row % FLUSH_EVERY == 0) sheet.flush();
  }

  private void startSheet() throws IOException {
    sheets++;
    sheet = workbook.newWorksheet(sheets == 1 ? sheetName : sheetName + " " + sheets);
    sheet.freezePane(0, 1);
    sheet.width(0, 32);
    row = 0;
    for (int c = 0; c < header.length; c++) {
      cell(c, header[c]);
      sheet.style(0, c).bold().set();
    }
    row = 1;
  }

  private void cell(int c, Object value) {
    switch (value) {
      case null -> {}
      case String s when s.isEmpty() -> {}
      case String s -> sheet.inlineString(row, c, cap(ExportTable.neutralize(s)));
      case BigDecimal n -> sheet.value(row, c, n);
      case Boolean b -> sheet.value(row, c, b);
      case LocalDate d -> {
        sheet.value(row, c, d);
        sheet.style(row, c).format(DATE).set();
      }
      case Instant t -> {
        sheet.value(row, c, LocalDateTime.ofInstant(t, ZoneOffset.UTC));
        sheet.style(row, c).format(TIME).set();
      }
      default -> throw new IllegalArgumentException("not a cell: " + value.getClass());
    }
  }

  private static String cap(String s) {
    if (s.length() <= MAX_CELL_CHARS) return s;
    int end = MAX_CELL_CHARS - 1;
    if (Character.isHighSurrogate(s.charAt(end - 1))) end--; // never split a character in two
    return s.substring(0, end) + "…";
  }

  /** Writes the rest of the sheet and the workbook's parts, and ends the zip; the stream stays open. */
  @Override
  public void close() throws IOException {
    if (header == null) row(); // an empty header: fastexcel refuses a workbook without a sheet
    workbook.finish();
  }
}
