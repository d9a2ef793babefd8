package dev.herald.audiences;

import java.util.Locale;
import java.util.Optional;

/** The kinds of subscriber file Herald imports. */
enum SubscriberFileFormat {
  /** Comma, semicolon, tab or pipe separated text; encoding and delimiter are detected. */
  CSV,
  /** The first sheet of an Excel workbook (.xlsx, not the old binary .xls). */
  XLSX,
  /** An array of objects: {@code [{"email": "...", "name": "...", "fields": {"city": "..."}}]}. */
  JSON;

  /** The format a file name suggests (.csv, .txt, .tsv, .xlsx, .json), or empty when it suggests none. */
  public static Optional<SubscriberFileFormat> fromFileName(String fileName) {
    String name = fileName == null ? "" : fileName.toLowerCase(Locale.ROOT).strip();
    if (name.endsWith(".csv") || name.endsWith(".txt") || name.endsWith(".tsv")) return Optional.of(CSV);
    if (name.endsWith(".xlsx")) return Optional.of(XLSX);
    if (name.endsWith(".json")) return Optional.of(JSON);
    return Optional.empty();
  }
}
