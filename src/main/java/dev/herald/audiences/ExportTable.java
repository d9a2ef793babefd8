package dev.herald.audiences;

import java.io.Closeable;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A spreadsheet-shaped export (CSV or XLSX), written one row at a time and never held whole. A cell is
 * a {@code String}, {@code BigDecimal}, {@code LocalDate}, {@code Boolean}, {@code Instant} or
 * {@code null} (empty); the first row written is the header. {@link #close()} finishes the file but
 * leaves the stream open.
 */
public sealed interface ExportTable extends Closeable permits ExportCsv, ExportXlsx {

  void row(Object... cells) throws IOException;

  static ExportTable open(ExportFormat format, OutputStream out) throws IOException {
    return open(format, out, ExportXlsx.SHEET);
  }

  /**
   * A table written as CSV or XLSX (whose sheet is named {@code sheet}); privacy's account export writes every
   * capability's tables with it, so they neutralize formulas and stream the same way.
   */
  static ExportTable open(ExportFormat format, OutputStream out, String sheet) throws IOException {
    return switch (format) {
      case CSV -> new ExportCsv(out);
      case XLSX -> new ExportXlsx(out, sheet, ExportXlsx.MAX_ROWS);
      case JSON -> throw new IllegalArgumentException("JSON is not a table");
    };
  }

  /**
   * DESIGN.md security rule 6. A spreadsheet runs a cell that starts with {@code = + - @} as a
   * formula (and strips a leading tab or CR before looking), so a subscriber named
   * {@code =HYPERLINK(...)} would run in the exporter's Excel. OWASP's remedy: a leading single quote,
   * which spreadsheets show as text and which a person reading the file recognizes. Applied to every
   * text cell; typed numbers and dates are written as such and cannot carry a formula.
   */
  static String neutralize(String text) {
    if (text.isEmpty()) return text;
    return switch (text.charAt(0)) {
      case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
      default -> text;
    };
  }
}
