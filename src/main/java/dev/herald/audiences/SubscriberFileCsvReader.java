package dev.herald.audiences;

import static java.nio.charset.StandardCharsets.UTF_16BE;
import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.SequenceInputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.CodingErrorAction;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;

/**
 * CSV as spreadsheets and mail services write it (RFC 4180 plus what Excel accepts): quoted cells may hold delimiters,
 * line breaks and doubled quotes; CRLF, LF and CR all end a line.
 *
 * <p>The parser is our own rather than FastCSV's: FastCSV 4.1 reads a quote that is never closed silently to the end of
 * the file, and we need to name the line of that quote, count lines inside quoted cells, and stop a runaway cell after
 * 64 KB without buffering the rest. The loop scans runs of plain characters and copies them in bulk, so it is not the
 * bottleneck of an import.
 */
final class SubscriberFileCsvReader extends SubscriberFileReader {
  /** How much of the file decides the encoding: the header and the first several hundred rows. */
  private static final int SNIFF_BYTES = 64 * 1024;
  /** Binary files show themselves early; text files never hold NUL. */
  private static final int BINARY_CHECK_BYTES = 1024;
  /** Longest record, cells and delimiters together; with the cell cap this bounds memory whatever the input. */
  private static final int MAX_RECORD_CHARS = 1024 * 1024;
  private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
  /** Candidates in order of preference when the header has as many of one as of another. */
  private static final char[] DELIMITERS = {',', ';', '\t', '|'};

  private final Reader in;
  private final char[] buf = new char[64 * 1024];
  private int pos;
  private int len;
  private final char delimiter;
  private final List<String> headers;

  /** Physical line at {@code pos}: counts every CRLF, LF or CR, inside quoted cells too. */
  private long line = 1;
  private long recordLine;
  private int recordChars;
  private final StringBuilder cell = new StringBuilder();
  private String[] cells = new String[32];
  private int count;

  static SubscriberFileCsvReader open(InputStream raw) throws IOException {
    byte[] head = raw.readNBytes(SNIFF_BYTES + 1);
    boolean wholeFile = head.length <= SNIFF_BYTES;
    int sniffed = Math.min(head.length, SNIFF_BYTES);
    Charset charset;
    int bom = 0;
    if (startsWith(head, 0xEF, 0xBB, 0xBF)) {
      charset = UTF_8;
      bom = 3;
    } else if (startsWith(head, 0xFF, 0xFE)) { // Excel's "Unicode text"
      charset = UTF_16LE;
      bom = 2;
    } else if (startsWith(head, 0xFE, 0xFF)) {
      charset = UTF_16BE;
      bom = 2;
    } else {
      if (head.length == 0) throw new SubscriberFileException(0, "The file is empty.");
      rejectBinary(head, sniffed);
      charset = isUtf8(head, sniffed, wholeFile) ? UTF_8 : WINDOWS_1252;
    }
    if (head.length == bom) throw new SubscriberFileException(0, "The file is empty.");
    InputStream rest = new SequenceInputStream(new ByteArrayInputStream(head, bom, head.length - bom), raw);
    // Bytes past the sniffed prefix that are not valid in the detected encoding become U+FFFD rather than failing a
    // long import near its end; the importer sees the replacement character in that cell.
    return new SubscriberFileCsvReader(new InputStreamReader(rest, charset));
  }

  private SubscriberFileCsvReader(Reader in) throws IOException {
    this.in = in;
    for (int n; len < buf.length && (n = in.read(buf, len, buf.length - len)) >= 0; ) len += n;
    delimiter = detectDelimiter(buf, len);
    do {
      if (!readRecord()) throw new SubscriberFileException(0, "The file has no header row: it holds only blank lines.");
    } while (blank(cells, count));
    List<String> names = new ArrayList<>(count);
    for (int i = 0; i < count; i++) names.add(cells[i].strip());
    names.set(0, names.get(0).replace("\uFEFF", "").strip()); // a second BOM, left by tools that add one to a file that had one
    headers = Collections.unmodifiableList(names);
  }

  @Override
  public List<String> headers() {
    return headers;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  @Override
  SubscriberFileRow readRow() throws IOException {
    int width = headers.size();
    while (readRecord()) {
      if (blank(cells, count)) continue;
      String[] row = new String[width]; // cells[] is reused and holds stale values past count
      System.arraycopy(cells, 0, row, 0, Math.min(count, width));
      return SubscriberFileRow.of(recordLine, row, count, width);
    }
    return null;
  }

  /** Reads the next record into {@code cells[0..count)}; false at the end of the input. */
  private boolean readRecord() throws IOException {
    if (!available()) return false;
    recordLine = line;
    recordChars = 0;
    count = 0;
    while (true) {
      readCell();
      if (count == MAX_COLUMNS) throw new SubscriberFileException(recordLine, tooManyColumns());
      if (count == cells.length) cells = Arrays.copyOf(cells, count * 2);
      cells[count++] = cell.isEmpty() ? "" : cell.toString();
      if (!available()) return true; // the last line need not end with a line break
      char c = buf[pos++];
      if (c == delimiter) {
        countRecordChars(1);
        continue;
      }
      line++; // readCell stops only at a delimiter or a line break
      if (c == '\r' && available() && buf[pos] == '\n') pos++;
      return true;
    }
  }

  /** Reads one cell into {@code cell}, stopping before the delimiter or line break that ends it. */
  private void readCell() throws IOException {
    cell.setLength(0);
    if (available() && buf[pos] == '"') {
      pos++;
      readQuoted();
    }
    // Plain text, or text after a closing quote, which is kept as Excel keeps it ("a"b reads as ab).
    while (available()) {
      int end = pos;
      while (end < len) {
        char c = buf[end];
        if (c == delimiter || c == '\n' || c == '\r') break;
        end++;
      }
      append(pos, end, false);
      pos = end;
      if (pos < len) return;
    }
  }

  /** Reads a quoted cell's content after its opening quote, up to and including its closing quote. */
  private void readQuoted() throws IOException {
    long openedOn = line;
    boolean afterCr = false;
    while (true) {
      if (!available()) {
        throw new SubscriberFileException(openedOn, "a quoted cell starts here but its closing quote (\") is missing.");
      }
      int end = pos;
      while (end < len) {
        char c = buf[end];
        if (c == '"') break;
        if (c == '\r' || (c == '\n' && !afterCr)) line++;
        afterCr = c == '\r';
        end++;
      }
      append(pos, end, true);
      pos = end;
      if (pos == len) continue; // the buffer ended inside the cell
      pos++; // a quote: either the closing one or the first of a doubled one
      if (!available() || buf[pos] != '"') return;
      pos++;
      cell.append('"');
      afterCr = false;
    }
  }

  private void append(int start, int end, boolean quoted) {
    if (start == end) return;
    cell.append(buf, start, end - start);
    if (cell.length() > MAX_CELL_CHARS) {
      throw new SubscriberFileException(recordLine, "a cell is longer than " + MAX_CELL_CHARS + " characters"
          + (quoted ? "; most likely a quote (\") in this row is never closed." : "."));
    }
    countRecordChars(end - start);
  }

  private void countRecordChars(int n) {
    recordChars += n;
    if (recordChars > MAX_RECORD_CHARS) {
      throw new SubscriberFileException(recordLine, "the row is longer than " + MAX_RECORD_CHARS + " characters.");
    }
  }

  /** Makes sure {@code buf[pos]} holds a character; false at the end of the input. */
  private boolean available() throws IOException {
    if (pos < len) return true;
    int n;
    do n = in.read(buf, 0, buf.length); while (n == 0);
    pos = 0;
    len = Math.max(n, 0);
    return n > 0;
  }

  /** The candidate found most often outside quotes in the first non-blank line; comma when there is none. */
  static char detectDelimiter(char[] text, int length) {
    int[] counts = new int[DELIMITERS.length];
    boolean quoted = false;
    boolean seenText = false;
    for (int i = 0; i < length; i++) {
      char c = text[i];
      if (c == '"') {
        quoted = !quoted;
      } else if (!quoted && (c == '\n' || c == '\r')) {
        if (seenText) break;
        continue;
      } else if (!quoted) {
        for (int k = 0; k < DELIMITERS.length; k++) if (c == DELIMITERS[k]) counts[k]++;
      }
      seenText = true;
    }
    int best = 0;
    for (int k = 1; k < DELIMITERS.length; k++) if (counts[k] > counts[best]) best = k;
    return DELIMITERS[best];
  }

  /**
   * Whether the prefix decodes as UTF-8. Unless it is the whole file, the prefix may end inside a multi-byte
   * character; the decoder then stops with those bytes unread, which is not an error.
   */
  static boolean isUtf8(byte[] bytes, int length, boolean wholeFile) {
    var decoder = UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT);
    return !decoder.decode(ByteBuffer.wrap(bytes, 0, length), CharBuffer.allocate(length), wholeFile).isError();
  }

  /** Recognizes what people upload by mistake, so the message can say what the file is instead of failing later. */
  private static void rejectBinary(byte[] head, int length) {
    if (startsWith(head, 'P', 'K', 3, 4)) {
      throw new SubscriberFileException(0,
          "This looks like an Excel workbook (.xlsx) or another ZIP file, not CSV. Import it as Excel, or save it as CSV.");
    }
    if (startsWith(head, 0xD0, 0xCF, 0x11, 0xE0)) {
      throw new SubscriberFileException(0, "This looks like an old Excel file (.xls) or a password-protected workbook. "
          + "Save it as .xlsx without a password, or as CSV, and import that.");
    }
    if (startsWith(head, '%', 'P', 'D', 'F')) throw new SubscriberFileException(0, "This is a PDF file, not CSV.");
    for (int i = 0; i < Math.min(length, BINARY_CHECK_BYTES); i++) {
      if (head[i] == 0) {
        throw new SubscriberFileException(0, "This does not look like a CSV file: it contains binary data. "
            + "Export the list as CSV (comma- or semicolon-separated text) and import that.");
      }
    }
  }

  private static boolean startsWith(byte[] bytes, int... prefix) {
    if (bytes.length < prefix.length) return false;
    for (int i = 0; i < prefix.length; i++) if ((bytes[i] & 0xFF) != prefix[i]) return false;
    return true;
  }
}
