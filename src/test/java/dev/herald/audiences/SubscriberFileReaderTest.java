package dev.herald.audiences;

import static java.nio.charset.StandardCharsets.UTF_16LE;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.InputStream;
import java.nio.charset.Charset;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.dhatim.fastexcel.Workbook;
import org.junit.jupiter.api.Test;

/** The CSV reader: encodings, delimiters, RFC 4180 quoting, line numbers, and files that must be refused. */
class SubscriberFileReaderTest {
  static final Charset WINDOWS_1252 = Charset.forName("windows-1252");

  record Read(List<String> headers, List<SubscriberFileRow> rows) {
    List<String> cells(int row) {
      return rows.get(row).cells();
    }
  }

  static Read csv(byte[] bytes) {
    try (var file = SubscriberFileReader.open(new ByteArrayInputStream(bytes), SubscriberFileFormat.CSV)) {
      return new Read(file.headers(), file.rows().toList());
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Read csv(String text) {
    return csv(text.getBytes(UTF_8));
  }

  static byte[] concat(byte[]... parts) {
    var out = new ByteArrayOutputStream();
    for (byte[] part : parts) out.writeBytes(part);
    return out.toByteArray();
  }

  static String columns(int n, String prefix) {
    var row = new StringBuilder();
    for (int i = 0; i < n; i++) row.append(i == 0 ? "" : ",").append(prefix).append(i);
    return row.toString();
  }

  /** Regression: a CSV of 100,000 columns was read, and its mapping page was 111 MB. */
  @Test
  void a_csv_with_100000_columns_is_refused_naming_the_line() {
    assertThatThrownBy(() -> csv(columns(100_000, "c") + "\n" + columns(100_000, "v") + "\n"))
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(1))
        .hasMessage("the row has more than 500 columns; Herald imports at most 500. Remove the columns you do not need and import "
            + "the file again.");
    assertThatThrownBy(() -> csv("email\na@example.com\n" + columns(501, "x") + "\n"))
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(3))
        .hasMessageContaining("more than 500 columns");
    Read widest = csv(columns(500, "c") + "\n" + columns(500, "v") + "\n");
    assertThat(widest.headers()).hasSize(500);
    assertThat(widest.cells(0)).hasSize(500).endsWith("v499");
  }

  // --- encodings

  @Test
  void utf8_without_bom_is_detected() {
    Read read = csv("email,name\nj@example.de,Jürgen Müller\n".getBytes(UTF_8));
    assertThat(read.cells(0)).containsExactly("j@example.de", "Jürgen Müller");
  }

  @Test
  void utf8_bom_is_stripped_from_the_first_header() {
    Read read = csv(concat(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}, "email,name\r\nj@example.de,Jürgen\r\n".getBytes(UTF_8)));
    assertThat(read.headers()).containsExactly("email", "name");
    assertThat(read.cells(0)).containsExactly("j@example.de", "Jürgen");
  }

  @Test
  void bytes_that_are_not_utf8_are_read_as_windows_1252() {
    Read read = csv("E-Mail;Vorname;Nachname\r\nm@example.de;Jürgen;Müller – „Chef“\r\n".getBytes(WINDOWS_1252));
    assertThat(read.cells(0)).containsExactly("m@example.de", "Jürgen", "Müller – „Chef“");
  }

  @Test
  void a_multibyte_character_cut_by_the_sniffing_window_still_counts_as_utf8() {
    // "ü" is two bytes in UTF-8; put its first byte at the last position the encoding check looks at (64 KB).
    byte[] header = "email,name\n".getBytes(UTF_8);
    byte[] filler = ("a@example.com," + "x".repeat(60_000) + "\n").getBytes(UTF_8);
    byte[] umlaut = "b@example.com,".getBytes(UTF_8);
    byte[] prefix = concat(header, filler);
    byte[] padding = "y".repeat(65535 - prefix.length - umlaut.length).getBytes(UTF_8);
    byte[] file = concat(prefix, umlaut, padding, "ünther\n".getBytes(UTF_8));
    assertThat(file[65535]).isEqualTo((byte) 0xC3); // the cut falls inside "ü"
    Read read = csv(file);
    assertThat(read.rows()).hasSize(2);
    assertThat(read.cells(1).get(1)).endsWith("yünther");
  }

  @Test
  void invalid_utf8_after_the_sniffing_window_becomes_a_replacement_character() {
    byte[] start = ("email,name\n" + ("a@example.com,Ann\n").repeat(5000)).getBytes(UTF_8);
    Read read = csv(concat(start, "b@example.com,M".getBytes(UTF_8), new byte[] {(byte) 0xFC}, "ller\n".getBytes(UTF_8)));
    assertThat(read.rows()).hasSize(5001);
    assertThat(read.cells(5000).get(1)).isEqualTo("M\uFFFDller");
  }

  @Test
  void utf16_with_bom_as_excel_saves_unicode_text() {
    byte[] file = concat(new byte[] {(byte) 0xFF, (byte) 0xFE}, "email\tname\r\nj@example.de\tJürgen\r\n".getBytes(UTF_16LE));
    Read read = csv(file);
    assertThat(read.headers()).containsExactly("email", "name");
    assertThat(read.cells(0)).containsExactly("j@example.de", "Jürgen");
  }

  // --- delimiters

  @Test
  void delimiter_is_the_most_frequent_of_comma_semicolon_tab_and_pipe_in_the_header() {
    assertThat(csv("email,name,city\na@x.de,A;B,Berlin\n").cells(0)).containsExactly("a@x.de", "A;B", "Berlin");
    assertThat(csv("email;name;city\na@x.de;A,B;Berlin\n").cells(0)).containsExactly("a@x.de", "A,B", "Berlin");
    assertThat(csv("email\tname\tcity\na@x.de\tA,B;C\tBerlin\n").cells(0)).containsExactly("a@x.de", "A,B;C", "Berlin");
    assertThat(csv("email|name|city\na@x.de|A,B|Berlin\n").cells(0)).containsExactly("a@x.de", "A,B", "Berlin");
  }

  @Test
  void delimiters_inside_quoted_headers_do_not_count() {
    Read read = csv("\"email, primary, work\";name\na@x.de;Ann\n");
    assertThat(read.headers()).containsExactly("email, primary, work", "name");
  }

  @Test
  void a_single_column_file_reads_with_the_default_comma() {
    Read read = csv("email\na@x.de\nb@x.de\n");
    assertThat(read.headers()).containsExactly("email");
    assertThat(read.rows()).extracting(r -> r.cell(0)).containsExactly("a@x.de", "b@x.de");
  }

  // --- quoting and line numbers

  @Test
  void quoted_cells_hold_delimiters_doubled_quotes_and_line_breaks() {
    Read read = csv("email,name\r\na@x.de,\"Last, First\"\r\nb@x.de,\"He said \"\"hi\"\"\"\r\nc@x.de,\"Line1\r\nLine2\"\r\n");
    assertThat(read.rows()).extracting(r -> r.cell(1)).containsExactly("Last, First", "He said \"hi\"", "Line1\r\nLine2");
  }

  @Test
  void a_record_with_an_embedded_line_break_spans_lines_and_the_next_record_starts_after_it() {
    Read read = csv("email,name\r\na@x.de,\"Line1\r\nLine2\r\nLine3\"\r\nb@x.de,Bo\r\nc@x.de,\"x\ny\"\nd@x.de,Di");
    assertThat(read.rows()).extracting(SubscriberFileRow::line).containsExactly(2L, 5L, 6L, 8L);
    assertThat(read.cells(3)).containsExactly("d@x.de", "Di");
  }

  @Test
  void lf_cr_and_crlf_each_end_one_line() {
    assertThat(csv("h\na\nb\n").rows()).extracting(SubscriberFileRow::line).containsExactly(2L, 3L);
    assertThat(csv("h\ra\rb\r").rows()).extracting(SubscriberFileRow::line).containsExactly(2L, 3L);
    assertThat(csv("h\r\na\r\nb").rows()).extracting(SubscriberFileRow::line).containsExactly(2L, 3L);
  }

  @Test
  void blank_lines_are_skipped_but_counted() {
    Read read = csv("\r\nemail,name\r\n\r\na@x.de,Ann\r\n,\r\n\r\nb@x.de,Bo\r\n\r\n");
    assertThat(read.headers()).containsExactly("email", "name");
    assertThat(read.rows()).extracting(SubscriberFileRow::line).containsExactly(4L, 7L);
  }

  @Test
  void text_after_a_closing_quote_is_kept_as_excel_keeps_it_and_stray_quotes_inside_text_are_literal() {
    assertThat(csv("a,b\n\"x\"y,it's \"ok\"\n").cells(0)).containsExactly("xy", "it's \"ok\"");
  }

  @Test
  void empty_cells_and_a_trailing_delimiter_are_empty_strings() {
    assertThat(csv("a,b,c\n,,\nx,,\n").rows()).hasSize(1).first()
        .satisfies(row -> assertThat(row.cells()).containsExactly("x", "", ""));
  }

  @Test
  void rows_with_too_few_or_too_many_cells_are_returned_and_flagged() {
    Read read = csv("email,first,last\na@x.de,Ann\nb@x.de,Bo,Bee,extra\nc@x.de,Cy,Sea\n");
    SubscriberFileRow few = read.rows().get(0);
    assertThat(few.cells()).containsExactly("a@x.de", "Ann", "");
    assertThat(few.cellCountMismatch()).isTrue();
    assertThat(few.cellCount()).isEqualTo(2);
    SubscriberFileRow many = read.rows().get(1);
    assertThat(many.cells()).containsExactly("b@x.de", "Bo", "Bee");
    assertThat(many.cellCountMismatch()).isTrue();
    assertThat(many.cellCount()).isEqualTo(4);
    assertThat(read.rows().get(2).cellCountMismatch()).isFalse();
    assertThat(read.rows().get(2).line()).isEqualTo(4);
  }

  @Test
  void headers_are_trimmed_and_cells_are_not() {
    Read read = csv(" email , name \n  a@x.de ,Ann\n");
    assertThat(read.headers()).containsExactly("email", "name");
    assertThat(read.cells(0)).containsExactly("  a@x.de ", "Ann");
  }

  @Test
  void cells_spanning_the_internal_buffer_are_read_whole() {
    String longName = "n".repeat(40_000);
    StringBuilder file = new StringBuilder("email,name\n");
    for (int i = 0; i < 10; i++) file.append("a").append(i).append("@x.de,\"").append(longName).append("\"\"\r\n\"\n");
    Read read = csv(file.toString());
    assertThat(read.rows()).hasSize(10).allSatisfy(r -> assertThat(r.cell(1)).isEqualTo(longName + "\"\r\n"));
    assertThat(read.rows()).extracting(SubscriberFileRow::line).containsExactly(2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L, 18L, 20L);
  }

  @Test
  void a_crlf_split_by_the_internal_buffer_counts_as_one_line_break() {
    // The reader's first buffer holds exactly 64 Ki characters; put CR at the last position and LF at the first of the next.
    String header = "email,name\n";
    String plain = header + "a@x.de," + "n".repeat(65536 - 1 - header.length() - 7) + "\r\nb@x.de,Bo\n";
    assertThat(plain.indexOf('\r')).isEqualTo(65535);
    assertThat(csv(plain).rows()).extracting(SubscriberFileRow::line).containsExactly(2L, 3L);

    String quoted = header + "a@x.de,\"" + "n".repeat(65536 - 1 - header.length() - 8) + "\r\nm\"\nb@x.de,Bo\n";
    assertThat(quoted.indexOf('\r')).isEqualTo(65535);
    Read read = csv(quoted);
    assertThat(read.rows()).extracting(SubscriberFileRow::line).containsExactly(2L, 4L);
    assertThat(read.cells(0).get(1)).endsWith("n\r\nm");
  }

  // --- files that are not (good) CSV

  @Test
  void an_empty_file_is_refused() {
    assertThatThrownBy(() -> csv(new byte[0])).isInstanceOf(SubscriberFileException.class)
        .hasMessage("The file is empty.").extracting(e -> ((SubscriberFileException) e).line()).isEqualTo(0L);
    assertThatThrownBy(() -> csv(new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})).hasMessage("The file is empty.");
    assertThatThrownBy(() -> csv("\r\n\r\n  \n")).hasMessageContaining("no header row");
  }

  @Test
  void the_exception_keeps_the_line_apart_from_the_message() {
    var e = new SubscriberFileException(7, "a quoted cell starts here but its closing quote (\") is missing.");
    assertThat(e.line()).isEqualTo(7);
    assertThat(e.getMessage()).doesNotContain("7");
    assertThat(e).hasToString(SubscriberFileException.class.getName() + ": line 7: " + e.getMessage());
  }

  @Test
  void a_header_only_file_has_headers_and_no_rows() {
    assertThat(csv("Email Address,First Name\r\n")).satisfies(read -> {
      assertThat(read.headers()).containsExactly("Email Address", "First Name");
      assertThat(read.rows()).isEmpty();
    });
    assertThat(csv("email").rows()).isEmpty();
  }

  @Test
  void an_unterminated_quote_is_reported_with_the_line_it_opens_on() {
    assertThatThrownBy(() -> csv("email,name\r\na@x.de,Ann\r\nb@x.de,\"Bo\r\nc@x.de,Cy\r\n"))
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(3))
        .hasMessage("a quoted cell starts here but its closing quote (\") is missing.");
  }

  @Test
  void a_10_mb_line_without_line_break_fails_on_its_line_after_reading_little_of_it() {
    var in = new CountingStream("email,name\r\n".getBytes(UTF_8), (byte) 'x', 10 * 1024 * 1024);
    var file = SubscriberFileReader.open(in, SubscriberFileFormat.CSV);
    assertThatThrownBy(file::hasNext)
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(2))
        .hasMessage("a cell is longer than 65536 characters.");
    assertThat(in.consumed).as("bytes read before giving up").isLessThan(512 * 1024);
    assertThatThrownBy(file::next).as("the failure sticks").hasMessageStartingWith("a cell is longer");
  }

  @Test
  void a_stray_quote_in_a_large_file_stops_at_the_cell_cap_and_names_the_quote() {
    var in = new CountingStream("email,name\na@x.de,\"Ann\n".getBytes(UTF_8), (byte) 'x', 10 * 1024 * 1024);
    var file = SubscriberFileReader.open(in, SubscriberFileFormat.CSV);
    assertThatThrownBy(file::hasNext).hasMessageContaining("quote (\") in this row is never closed")
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(2));
    assertThat(in.consumed).isLessThan(512 * 1024);
  }

  @Test
  void a_row_of_500_cells_of_64_kb_is_refused_by_its_length() {
    String cell = "x".repeat(SubscriberFileReader.MAX_CELL_CHARS);
    String row = String.join(",", java.util.Collections.nCopies(20, cell));
    assertThatThrownBy(() -> csv("email,name\n" + row + "\n")).hasMessage("the row is longer than 1048576 characters.")
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(2));
  }

  @Test
  void a_line_of_millions_of_empty_cells_is_refused_too() {
    var in = new CountingStream("email,name\n".getBytes(UTF_8), (byte) ',', 10 * 1024 * 1024);
    var file = SubscriberFileReader.open(in, SubscriberFileFormat.CSV);
    // The column limit stops it long before the row's length would.
    assertThatThrownBy(file::hasNext).hasMessageStartingWith("the row has more than 500 columns")
        .isInstanceOfSatisfying(SubscriberFileException.class, e -> assertThat(e.line()).isEqualTo(2));
    assertThat(in.consumed).isLessThan(256 * 1024);
  }

  @Test
  void binary_garbage_is_refused_as_not_csv() {
    byte[] garbage = new byte[4096];
    new Random(42).nextBytes(garbage);
    garbage[100] = 0;
    assertThatThrownBy(() -> csv(garbage)).isInstanceOf(SubscriberFileException.class)
        .hasMessageStartingWith("This does not look like a CSV file");
  }

  @Test
  void a_workbook_uploaded_as_csv_is_recognized() throws Exception {
    var xlsx = new ByteArrayOutputStream();
    try (var workbook = new Workbook(xlsx, "Herald", "1.0")) {
      workbook.newWorksheet("Sheet1").value(0, 0, "email");
    }
    assertThatThrownBy(() -> csv(xlsx.toByteArray())).hasMessageContaining("Excel workbook (.xlsx)");
    byte[] xls = {(byte) 0xD0, (byte) 0xCF, 0x11, (byte) 0xE0, (byte) 0xA1, (byte) 0xB1, 0x1A, (byte) 0xE1, 0, 0};
    assertThatThrownBy(() -> csv(xls)).hasMessageContaining("old Excel file (.xls)");
  }

  @Test
  void the_reader_closes_the_stream_on_close_and_when_open_fails() throws Exception {
    var closed = new AtomicBoolean();
    var in = new FilterInputStream(new ByteArrayInputStream("email\na@x.de\n".getBytes(UTF_8))) {
      @Override
      public void close() {
        closed.set(true);
      }
    };
    SubscriberFileReader.open(in, SubscriberFileFormat.CSV).close();
    assertThat(closed).isTrue();

    closed.set(false);
    var empty = new FilterInputStream(new ByteArrayInputStream(new byte[0])) {
      @Override
      public void close() {
        closed.set(true);
      }
    };
    assertThatThrownBy(() -> SubscriberFileReader.open(empty, SubscriberFileFormat.CSV));
    assertThat(closed).isTrue();
  }

  @Test
  void format_follows_the_file_name() {
    assertThat(SubscriberFileFormat.fromFileName("Members.CSV")).contains(SubscriberFileFormat.CSV);
    assertThat(SubscriberFileFormat.fromFileName("export.xlsx")).contains(SubscriberFileFormat.XLSX);
    assertThat(SubscriberFileFormat.fromFileName("list.json")).contains(SubscriberFileFormat.JSON);
    assertThat(SubscriberFileFormat.fromFileName("old.xls")).isEmpty();
  }

  /** Not a benchmark (no assertion on time): prints the rate so a regression is visible in the build log. */
  @Test
  void reads_a_large_eight_column_file_and_prints_the_rate() throws Exception {
    int rows = 500_000;
    var text = new StringBuilder(rows * 110).append("email,first_name,last_name,city,country,company,phone,signup\n");
    for (int i = 0; i < rows; i++) {
      text.append("subscriber").append(i).append("@example.com,Firstname").append(i % 97).append(",Lastname")
          .append(i % 89).append(",Berlin,DE,\"Example, Inc.\",+49 30 ").append(1_000_000 + i).append(",2024-05-28\n");
    }
    byte[] bytes = text.toString().getBytes(UTF_8);
    long count = 0;
    long start = System.nanoTime();
    try (var file = SubscriberFileReader.open(new ByteArrayInputStream(bytes), SubscriberFileFormat.CSV)) {
      while (file.hasNext()) {
        SubscriberFileRow row = file.next();
        if (!row.cellCountMismatch()) count++;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(count).isEqualTo(rows);
    System.out.printf("SubscriberFileReader: %,d rows (%,d MB) in %.2f s = %,.0f rows/s%n", rows, bytes.length >> 20,
        seconds, rows / seconds);
  }

  /** A prefix followed by {@code n} copies of one byte, generated as read, counting what the reader took. */
  static final class CountingStream extends InputStream {
    private final byte[] prefix;
    private final byte fill;
    private final long total;
    long consumed;

    CountingStream(byte[] prefix, byte fill, long n) {
      this.prefix = prefix;
      this.fill = fill;
      this.total = prefix.length + n;
    }

    @Override
    public int read() {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
    }

    @Override
    public int read(byte[] b, int off, int len) {
      if (consumed >= total) return -1;
      int n = (int) Math.min(len, total - consumed);
      for (int i = 0; i < n; i++) {
        long p = consumed + i;
        b[off + i] = p < prefix.length ? prefix[(int) p] : fill;
      }
      consumed += n;
      return n;
    }
  }
}
