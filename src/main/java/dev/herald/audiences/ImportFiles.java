package dev.herald.audiences;

import dev.herald.platform.Text;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** The import's view of a subscriber file: {@link SubscriberFileReader} plus the targets a column can map to. */
final class ImportFiles {
  /**
   * {@code status}: the row's state in the source (see {@link ImportLayouts}); {@code attributes}: a JSON object whose
   * keys become custom fields (listmonk). {@code unsubscribed_at} / {@code bounced_at}: a time in that column gives the row its own status (unsubscribed,
   * bounced) whatever the import's "import as" says; Mailchimp's unsubscribed and cleaned exports carry them.
   */
  static final Set<String> TARGETS = Set.of("email", "name", "first_name", "last_name", "tags", "optin_time", "optin_ip",
      "confirm_time", "confirm_ip", "unsubscribed_at", "bounced_at", "status", "attributes", "ignore");

  private ImportFiles() {}

  /**
   * A file that cannot be imported, with the line where that became clear. The message may quote the
   * file (its columns), so a NUL in it is replaced: the job's failure is stored as text.
   */
  static final class BadFile extends RuntimeException {
    BadFile(long line, String message) {
      super(Text.visible(line > 0 ? "Line " + line + ": " + message : message));
    }
  }

  record Row(long line, List<String> cells, boolean cellCountMismatch, int cellCount) {}

  interface Source extends Iterable<Row>, AutoCloseable {
    List<String> headers();

    @Override
    void close();
  }

  static Source open(String format, InputStream in) {
    SubscriberFileReader reader;
    try {
      reader = SubscriberFileReader.open(in, SubscriberFileFormat.valueOf(format.toUpperCase(Locale.ROOT)));
    } catch (SubscriberFileException e) {
      throw new BadFile(e.line(), e.getMessage());
    } catch (UncheckedIOException e) {
      throw new BadFile(0, "The file could not be read: " + e.getCause().getMessage());
    }
    return new Source() {
      @Override
      public List<String> headers() {
        return reader.headers();
      }

      @Override
      public Iterator<Row> iterator() {
        return new Iterator<>() {
          @Override
          public boolean hasNext() {
            try {
              return reader.hasNext();
            } catch (SubscriberFileException e) {
              throw new BadFile(e.line(), e.getMessage());
            }
          }

          @Override
          public Row next() {
            SubscriberFileRow r = reader.next();
            return new Row(r.line(), r.cells(), r.cellCountMismatch(), r.cellCount());
          }
        };
      }

      @Override
      public void close() {
        try {
          reader.close();
        } catch (java.io.IOException ignored) {
          // reading is over; nothing left to lose
        }
      }
    };
  }

  static Map<String, String> suggestMapping(List<String> headers) {
    return SubscriberFileReader.suggestMapping(headers);
  }

  /** The name of the export layout the headers match (Herald's own, Ghost, listmonk, ...), or null. */
  static String layout(List<String> headers) {
    return ImportLayouts.recognize(headers).name();
  }
}
