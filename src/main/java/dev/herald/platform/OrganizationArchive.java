package dev.herald.platform;

/**
 * Where a capability writes its part of an organization's export (privacy's account export, issue 13): tables of
 * rows, each read by one statement of the capability's own SQL over its own tables, and files (media). Privacy writes
 * each table as CSV, XLSX and JSON in the ZIP it builds. It lives in platform, which everyone may use, so capabilities
 * contribute without depending on privacy (which reads everyone).
 */
public interface OrganizationArchive {

  /**
   * One table: the rows of {@code sql} with its positional {@code params}, read through a cursor and written as they
   * come, so a table of any length never stays in memory. Columns are named and ordered by the query. Cells may be
   * text, numbers, booleans, dates and times, arrays and jsonb. The query must select no secret (password hashes,
   * encrypted keys): exports leave Herald.
   *
   * @param name a file name without extension, lower case ({@code subscribers}); unique within the capability
   */
  void table(String capability, String name, String description, String sql, Object... params);

  /**
   * One file stored in the database (an uploaded image), under {@code <capability>/<folder>/}. The query returns one row
   * per file: its name in the archive (column 1) and its bytes (column 2), read one row at a time.
   */
  void files(String capability, String folder, String sql, Object... params);

  /** A capability's part of the export: one bean per capability that holds an organization's data. */
  interface Part {
    /** The capability, as the migrations name it ("audiences"). */
    String capability();

    /** Writes every table and file of the organization this capability holds. */
    void export(long organizationId, OrganizationArchive archive);
  }
}
