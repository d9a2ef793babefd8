package dev.herald.suppression;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * CSV as Excel reads it (UTF-8 with a byte order mark, CRLF, RFC 4180 quoting), every text cell
 * formula-neutralized. Audiences has its own writer for subscriber exports; this one is the few
 * lines a text-only table needs, kept here rather than widening audiences' public API.
 */
final class Csv {
  private final Writer out;

  Csv(OutputStream stream) throws IOException {
    this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 16 * 1024);
    out.write('\uFEFF');
  }

  void row(String... cells) throws IOException {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) out.write(',');
      String s = neutralize(cells[i] == null ? "" : cells[i]);
      boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
      out.write(quote ? '"' + s.replace("\"", "\"\"") + '"' : s);
    }
    out.write("\r\n");
  }

  /** Flushes what is buffered; the stream stays open. */
  void flush() throws IOException {
    out.flush();
  }

  static String time(Instant t) {
    return t == null ? null : DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  /**
   * DESIGN.md security rule 6: a spreadsheet runs a cell starting with {@code = + - @} (after a
   * leading tab or CR) as a formula, so a note like {@code =HYPERLINK(...)} would run in the
   * exporter's Excel. A leading single quote makes it text, as OWASP advises.
   */
  static String neutralize(String text) {
    if (text.isEmpty()) return text;
    return switch (text.charAt(0)) {
      case '=', '+', '-', '@', '\t', '\r' -> "'" + text;
      default -> text;
    };
  }
}
