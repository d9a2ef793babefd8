package dev.herald.audiences;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;

/**
 * CSV as RFC 4180 and Excel want it: UTF-8 with a byte order mark (without one Excel reads the file as
 * the local ANSI code page and garbles every accent), comma-separated, CRLF line ends, a cell quoted
 * when it holds a comma, quote, CR or LF, with quotes doubled. Times are ISO 8601 in UTC to the second.
 */
final class ExportCsv implements ExportTable {
  private final Writer out;

  ExportCsv(OutputStream stream) throws IOException {
    this.out = new BufferedWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8), 64 * 1024);
    out.write('\uFEFF');
  }

  @Override
  public void row(Object... cells) throws IOException {
    for (int i = 0; i < cells.length; i++) {
      if (i > 0) out.write(',');
      writeField(text(cells[i]));
    }
    out.write("\r\n");
  }

  static String text(Object cell) {
    return switch (cell) {
      case null -> "";
      case String s -> ExportTable.neutralize(s);
      case BigDecimal n -> n.toPlainString();
      case LocalDate d -> d.toString();
      case Boolean b -> b.toString();
      case Instant t -> DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
      default -> throw new IllegalArgumentException("not a cell: " + cell.getClass());
    };
  }

  private void writeField(String s) throws IOException {
    if (!needsQuotes(s)) {
      out.write(s);
      return;
    }
    out.write('"');
    out.write(s.replace("\"", "\"\""));
    out.write('"');
  }

  private static boolean needsQuotes(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ',' || c == '"' || c == '\r' || c == '\n') return true;
    }
    return false;
  }

  /** Flushes what is buffered; the response stream stays open for the caller. */
  @Override
  public void close() throws IOException {
    out.flush();
  }
}
