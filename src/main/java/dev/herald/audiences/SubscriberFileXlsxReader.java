package dev.herald.audiences;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.dhatim.fastexcel.reader.Cell;
import org.dhatim.fastexcel.reader.ExcelReaderException;
import org.dhatim.fastexcel.reader.ReadableWorkbook;
import org.dhatim.fastexcel.reader.ReadingOptions;
import org.dhatim.fastexcel.reader.Row;
import org.dhatim.fastexcel.reader.Sheet;

/**
 * The first sheet of an .xlsx workbook, streamed row by row with fastexcel-reader. The row number is the spreadsheet's
 * (empty rows are skipped, so numbers can jump). Cells read as text the way a person sees them: integral numbers
 * without ".0", dates as ISO-8601.
 *
 * <p>An .xlsx is a ZIP whose directory sits at its end, so it cannot be read front to back: the upload is copied to a
 * temporary file (deleted on close, and when opening fails) because fastexcel-reader would otherwise copy a stream into
 * memory whole. Before fastexcel-reader parses it, {@link SubscriberFileXlsxGuard} bounds its unpacked size, rows and
 * columns.
 */
final class SubscriberFileXlsxReader extends SubscriberFileReader {
  private static final DateTimeFormatter DATE_TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");
  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][-+]?\\d+)?");
  /** Format codes with something in quotes, brackets or escaped: none of it says "date". */
  private static final Pattern FORMAT_NOISE = Pattern.compile("\"[^\"]*\"|\\[[^\\]]*\\]|\\\\.");
  private static final Pattern DATE_PART = Pattern.compile("[yYmMdDhHsS]");

  /**
   * Temporary copies are named after the process, so that a leftover can be told to whom it belonged (and a test can
   * look for its own).
   */
  static final String TEMP_PREFIX = "herald-subscribers-" + ProcessHandle.current().pid() + "-";

  private final Path file;
  private final ReadableWorkbook workbook;
  private final Stream<Row> stream;
  private final Iterator<Row> rows;
  private final List<String> headers;
  private long lastRow;

  static SubscriberFileXlsxReader open(InputStream in) throws IOException {
    byte[] head = in.readNBytes(8);
    if (head.length == 0) throw new SubscriberFileException(0, "The file is empty.");
    if (ReadableWorkbook.isOLE2Header(head)) {
      throw new SubscriberFileException(0, "This is an old Excel file (.xls) or a password-protected workbook. "
          + "Save it as .xlsx without a password, or as CSV, and import that.");
    }
    if (!ReadableWorkbook.isOOXMLZipHeader(head)) {
      throw new SubscriberFileException(0, "This is not an Excel workbook (.xlsx). If it is a CSV file, import it as CSV.");
    }
    Path file = Files.createTempFile(TEMP_PREFIX, ".xlsx");
    boolean opened = false;
    try {
      try (OutputStream out = Files.newOutputStream(file)) {
        out.write(head);
        in.transferTo(out);
      }
      in.close();
      SubscriberFileXlsxReader reader = new SubscriberFileXlsxReader(file);
      opened = true;
      return reader;
    } finally {
      // Whatever stopped the opening (an Error included: this is where a hostile workbook once ran out of heap).
      if (!opened) Files.deleteIfExists(file);
    }
  }

  private SubscriberFileXlsxReader(Path file) throws IOException {
    this.file = file;
    ReadableWorkbook opened;
    String guarded;
    try {
      guarded = SubscriberFileXlsxGuard.check(file);
      // withCellFormat: the number format is how a date cell is told from a number
      opened = new ReadableWorkbook(file.toFile(), new ReadingOptions(true, false));
    } catch (IOException | ExcelReaderException e) {
      throw new SubscriberFileException(0, "This Excel file cannot be read; it may be damaged or password-protected. "
          + "Open it in Excel and save it again, or save it as CSV.", e);
    }
    workbook = opened;
    boolean ready = false;
    try {
      Sheet first = workbook.getFirstSheet();
      // The guard counted only this sheet's rows: a sheet it did not read is not parsed.
      if (guarded != null && !guarded.equals(first.getId())) {
        throw new SubscriberFileException(0, "This Excel file cannot be read; it may be damaged. "
            + "Open it in Excel and save it again, or save it as CSV.");
      }
      stream = first.openStream();
      rows = stream.iterator();
      headers = readHeader();
      ready = true;
    } finally {
      if (!ready) close();
    }
  }

  private List<String> readHeader() {
    while (true) {
      Row row = nextRow();
      if (row == null) throw new SubscriberFileException(0, "The first sheet of the workbook is empty.");
      String[] cells = cells(row);
      int width = lastNonBlank(cells) + 1;
      if (width == 0) continue;
      List<String> names = new ArrayList<>(width);
      for (int i = 0; i < width; i++) names.add(cells[i].strip());
      return Collections.unmodifiableList(names);
    }
  }

  @Override
  public List<String> headers() {
    return headers;
  }

  @Override
  SubscriberFileRow readRow() {
    int width = headers.size();
    for (Row row; (row = nextRow()) != null; ) {
      String[] cells = cells(row);
      int used = lastNonBlank(cells) + 1;
      if (used == 0) continue;
      // Spreadsheets leave trailing cells out, so only data beyond the header counts as a mismatch.
      return SubscriberFileRow.of(row.getRowNum(), cells, Math.max(used, width), width);
    }
    return null;
  }

  private Row nextRow() {
    try {
      if (!rows.hasNext()) return null;
      Row row = rows.next();
      lastRow = row.getRowNum();
      return row;
    } catch (UncheckedIOException | ExcelReaderException e) {
      throw new SubscriberFileException(0, "The Excel file cannot be read after row " + lastRow + "; it may be damaged.", e);
    }
  }

  private String[] cells(Row row) {
    // The guard counted every row before; this keeps the bound should a row ever get past it.
    if (row.getCellCount() > MAX_COLUMNS) throw new SubscriberFileException(row.getRowNum(), tooManyColumns());
    String[] cells = new String[row.getCellCount()];
    for (int i = 0; i < cells.length; i++) {
      String text = text(row.getCell(i));
      if (text.length() > MAX_CELL_CHARS) {
        throw new SubscriberFileException(row.getRowNum(), "a cell is longer than " + MAX_CELL_CHARS + " characters.");
      }
      cells[i] = text;
    }
    return cells;
  }

  private static int lastNonBlank(String[] cells) {
    int last = cells.length - 1;
    while (last >= 0 && cells[last].isBlank()) last--;
    return last;
  }

  /** A cell as the person who typed it sees it. */
  static String text(Cell cell) {
    if (cell == null) return "";
    String raw = cell.getRawValue();
    return switch (cell.getType()) {
      case EMPTY -> "";
      case STRING -> Objects.toString(cell.asString(), "");
      case NUMBER -> number(cell, raw);
      case BOOLEAN -> Boolean.TRUE.equals(cell.asBoolean()) ? "TRUE" : "FALSE";
      case FORMULA -> raw != null && NUMBER.matcher(raw).matches() ? number(cell, raw) : Objects.toString(raw, "");
      case ERROR -> Objects.toString(raw, "");
    };
  }

  private static String number(Cell cell, String raw) {
    if (isDateFormat(cell.getDataFormatId(), cell.getDataFormatString())) {
      // Excel keeps dates as fractional days; round away the floating-point dust before printing seconds.
      LocalDateTime time = cell.asDate().plusNanos(500_000_000).truncatedTo(ChronoUnit.SECONDS);
      return time.toLocalTime().equals(LocalTime.MIDNIGHT) ? time.toLocalDate().toString() : DATE_TIME.format(time);
    }
    return new BigDecimal(raw).stripTrailingZeros().toPlainString();
  }

  /** Excel has no date type: a date is a number whose format shows days, months or years (or times). */
  static boolean isDateFormat(Integer id, String format) {
    if (id != null && ((id >= 14 && id <= 22) || (id >= 45 && id <= 47))) return true; // Excel's built-in date formats
    if (format == null) return false;
    return DATE_PART.matcher(FORMAT_NOISE.matcher(format).replaceAll("")).find();
  }

  @Override
  public void close() throws IOException {
    try (workbook) {
      if (stream != null) stream.close();
    } finally {
      Files.deleteIfExists(file);
    }
  }
}
