package dev.herald.audiences;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * Reads an uploaded subscriber file (CSV, XLSX or JSON) row by row without holding it in memory.
 *
 * <pre>{@code
 * try (var file = SubscriberFileReader.open(upload, SubscriberFileFormat.CSV)) {
 *   Map<String, String> mapping = SubscriberFileReader.suggestMapping(file.headers());
 *   while (file.hasNext()) {
 *     SubscriberFileRow row = file.next();
 *     if (row.cellCountMismatch()) report(row.line(), ...);
 *   }
 * }
 * }</pre>
 *
 * <p>A file that cannot be read throws {@link SubscriberFileException} (from {@code open} or from {@code hasNext}/
 * {@code next}) with the line and a message for the uploader; reading cannot continue after one, and later calls
 * throw it again. Rows whose cells are all blank are skipped, as spreadsheets like to leave such rows at the end.
 * I/O failures of the stream itself surface as {@link UncheckedIOException}. Not thread-safe.
 */
abstract sealed class SubscriberFileReader implements Iterator<SubscriberFileRow>, Closeable
    permits SubscriberFileCsvReader, SubscriberFileXlsxReader, SubscriberFileJsonReader {

  /**
   * Longest cell accepted, in characters. Subscriber data has no business being longer, and the cap is what keeps a
   * broken file (a 100 MB line, a quote that is never closed) from being buffered whole.
   */
  static final int MAX_CELL_CHARS = 64 * 1024;

  /**
   * Most columns a row may have, in every format. Subscriber data has a few dozen at most; without a bound a CSV of
   * 100,000 columns made a 111 MB mapping page, and a workbook of ten million cells in a row took the whole heap.
   */
  static final int MAX_COLUMNS = 500;

  private SubscriberFileRow next;
  private boolean finished;
  /** Once reading failed, the position in the file is lost: every later call reports the same failure. */
  private RuntimeException failure;

  /**
   * Opens a file and reads its header. The reader owns the stream from here on: {@link #close()} closes it, and so
   * does a failing {@code open}.
   *
   * @throws SubscriberFileException the file is empty, not of this format, or its header cannot be read
   */
  public static SubscriberFileReader open(InputStream in, SubscriberFileFormat format) {
    Objects.requireNonNull(in, "in");
    Objects.requireNonNull(format, "format");
    try {
      return switch (format) {
        case CSV -> SubscriberFileCsvReader.open(in);
        case XLSX -> SubscriberFileXlsxReader.open(in);
        case JSON -> SubscriberFileJsonReader.open(in);
      };
    } catch (IOException e) {
      closeQuietly(in, e);
      throw new UncheckedIOException(e);
    } catch (RuntimeException e) {
      closeQuietly(in, e);
      throw e;
    }
  }

  /**
   * Suggests what each column holds, keyed by header: "email", "name", "first_name", "last_name", "tags", the consent
   * evidence "optin_time", "optin_ip", "confirm_time", "confirm_ip", "ignore", or "field:&lt;key&gt;" for a custom field.
   * Knows Mailchimp's export layout and common English and German headings. Each target other than a custom field or
   * "ignore" goes to the first column that asks for it.
   */
  public static Map<String, String> suggestMapping(List<String> headers) {
    return SubscriberFileMapping.suggest(headers);
  }

  /**
   * The column names from the header row, trimmed. For JSON these are the keys of the objects ("fields.city" for a
   * key inside "fields"); a key first seen in a later object is appended when that object is read.
   */
  public abstract List<String> headers();

  @Override
  public final boolean hasNext() {
    if (failure != null) throw failure;
    if (next == null && !finished) {
      try {
        next = readRow();
      } catch (IOException e) {
        throw failure = new UncheckedIOException(e);
      } catch (RuntimeException e) {
        throw failure = e;
      }
      finished = next == null;
    }
    return next != null;
  }

  @Override
  public final SubscriberFileRow next() {
    if (!hasNext()) throw new NoSuchElementException();
    SubscriberFileRow row = next;
    next = null;
    return row;
  }

  /** The remaining rows as a sequential stream; closing the stream does not close the reader. */
  public final Stream<SubscriberFileRow> rows() {
    return StreamSupport.stream(Spliterators.spliteratorUnknownSize(this, Spliterator.ORDERED | Spliterator.NONNULL), false);
  }

  /** The next row that is not blank, or null at the end of the file. */
  abstract SubscriberFileRow readRow() throws IOException;

  /** The message for a row past {@link #MAX_COLUMNS}, the same in every format; the caller names the line. */
  static String tooManyColumns() {
    return "the row has more than " + MAX_COLUMNS + " columns; Herald imports at most " + MAX_COLUMNS
        + ". Remove the columns you do not need and import the file again.";
  }

  static boolean blank(String[] cells, int count) {
    for (int i = 0; i < count; i++) if (!cells[i].isBlank()) return false;
    return true;
  }

  private static void closeQuietly(Closeable c, Exception failure) {
    try {
      c.close();
    } catch (IOException e) {
      failure.addSuppressed(e);
    }
  }
}
