package dev.herald.audiences;

import dev.herald.platform.Refused;
import java.util.Locale;

/** The file formats of a subscriber export, with what the HTTP response says about each. */
public enum ExportFormat {
  /** UTF-8 with a BOM (Excel otherwise guesses the encoding wrong), comma, RFC 4180 quoting, CRLF. */
  CSV("text/csv;charset=UTF-8", "csv"),
  /** One sheet of an Excel workbook; numbers, dates and yes/no as typed cells. */
  XLSX("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
  /** An array of subscriber objects, each with its lists and its full consent history. */
  JSON("application/json", "json");

  private final String contentType;
  private final String extension;

  ExportFormat(String contentType, String extension) {
    this.contentType = contentType;
    this.extension = extension;
  }

  public String contentType() {
    return contentType;
  }

  public String extension() {
    return extension;
  }

  /** csv, xlsx or json, in any letter case; absent means CSV, anything else is refused naming {@code format}. */
  public static ExportFormat parse(String format) {
    if (format == null || format.isBlank()) return CSV;
    return switch (format.trim().toLowerCase(Locale.ROOT)) {
      case "csv" -> CSV;
      case "xlsx" -> XLSX;
      case "json" -> JSON;
      default -> throw Refused.invalid("format", "format is csv, xlsx or json.");
    };
  }
}
