package dev.herald.platform;

/**
 * Which control characters stored text may hold, checked where input enters (API, panel, import).
 *
 * <p>PostgreSQL's {@code text} cannot hold U+0000 at all (the driver's insert fails with "invalid
 * byte sequence"), and {@code jsonb} refuses JSON's escape for it, so a NUL that got past the
 * checks turned a bad value into an HTTP 500 or failed a whole import. The other C0 controls
 * (U+0001–U+001F) are stored, but no person types them: they come from broken files, binary junk or
 * attempts to confuse whatever prints the text later. So every C0 control is refused, except TAB, LF
 * and CR in text that may span lines (a subscriber's name, a text field, a note): a quoted
 * spreadsheet cell holds line breaks and tabs legitimately (the import corpus has a name with one),
 * and code that puts such text into a one-line place (a mail header) must fold it there anyway.
 * Tags keep their own stricter rule (one line, no control at all). DEL and C1 controls are left alone:
 * PostgreSQL stores them, and they turn up in text mis-decoded from Windows-1252 that people want kept.
 */
public final class Text {
  private Text() {}

  /** The index of the first C0 control other than TAB, LF and CR, or -1 when there is none (also for null). */
  public static int forbiddenControl(String value) {
    if (value == null) return -1;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20 && c != '\t' && c != '\n' && c != '\r') return i;
    }
    return -1;
  }

  /** Null when the value is fine, else why not, for a message: "a control character (U+0000) at character 2". */
  public static String controlProblem(String value) {
    int at = forbiddenControl(value);
    return at < 0 ? null : "a control character (" + codePoint(value.charAt(at)) + ") at character " + (at + 1);
  }

  /**
   * Returns the value, or refuses it with a 422 naming {@code field} when it holds a C0 control other
   * than TAB, LF or CR. Check before trimming: {@link String#trim()} drops controls at the ends silently.
   */
  public static String requireNoControls(String field, String value) {
    String problem = controlProblem(value);
    if (problem != null) {
      throw Refused.invalid(field, "A" + problem.substring(1) + " cannot be stored; only text, tabs and line breaks can.");
    }
    return value;
  }

  /**
   * For a name shown on one line (an organization, a group, a person, a key): refuses every C0 control,
   * TAB and line breaks included, with a 422 naming {@code field}. A line break in such a name ends up
   * in a mail's subject, where it would start a new header. Check before trimming.
   */
  public static String requireOneLine(String field, String value) {
    if (value == null) return null;
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c < 0x20) {
        throw Refused.invalid(field, "A name is one line of text: a control character or line break ("
            + codePoint(c) + ") at character " + (i + 1) + " cannot be used.");
      }
    }
    return value;
  }

  /**
   * The value with every forbidden control replaced by U+FFFD, for text Herald stores about bad input
   * (an import's rejected cell, an error message quoting it), so that reporting it cannot fail too.
   */
  public static String visible(String value) {
    if (forbiddenControl(value) < 0) return value;
    StringBuilder out = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      out.append(c < 0x20 && c != '\t' && c != '\n' && c != '\r' ? '\uFFFD' : c);
    }
    return out.toString();
  }

  private static String codePoint(char c) {
    return String.format("U+%04X", (int) c);
  }
}
