package dev.herald.audiences;

/**
 * A subscriber file that cannot be read as a whole: empty, binary, an unclosed quote, a cell too long. The message is
 * written for the person who uploaded the file and leaves the line out, so the caller can place it ("Line 3: a quoted
 * cell starts here but..."); {@link #toString()} has both. Reading stops at the first one; problems of a single row
 * that do not stop reading (a wrong number of cells) are flags on {@link SubscriberFileRow} instead.
 */
class SubscriberFileException extends RuntimeException {
  private final long line;

  /** @param line the 1-based line (CSV, JSON) or spreadsheet row (XLSX) the problem is on; 0 when it is the whole file */
  public SubscriberFileException(long line, String message) {
    super(message);
    this.line = line;
  }

  public SubscriberFileException(long line, String message, Throwable cause) {
    this(line, message);
    initCause(cause);
  }

  /** The 1-based line or spreadsheet row, or 0 when the problem is not on one line. */
  public long line() {
    return line;
  }

  @Override
  public String toString() {
    return getClass().getName() + ": " + (line > 0 ? "line " + line + ": " : "") + getMessage();
  }
}
