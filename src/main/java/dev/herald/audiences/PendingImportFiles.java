package dev.herald.audiences;

import dev.herald.platform.personaldata.AddressMentions;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * Cuts an erased person out of the files of imports that have not finished (draft, queued or running), which
 * {@code import_job.content} keeps until the import ends: without this the address would stay there for as long as a
 * draft lives or an import runs.
 *
 * <p>The file is read with the importer's own reader and written back as CSV (UTF-8, every cell quoted) with the same
 * header and every row but the person's: the importer sees only cells as text, so a CSV of the same cells imports
 * exactly as the original did, whatever its format (an XLSX or JSON file becomes CSV; the job's format says so). Each
 * row is written on the line it started on, blank lines filling the gaps (the CSV reader skips them), so the lines an
 * import reports for the rows it set aside stay those of the member's file. A JSON row whose object starts on a line
 * already written (the header's, or another object's) takes the next line instead, so JSON rows may be renumbered. A row is the person's when any cell mentions their address
 * ({@link AddressMentions}).
 *
 * <p>Why a running import can be edited: its worker read the file into memory when its attempt began and never reads
 * it again, so the running attempt is unaffected (a row of the person it stages later is set aside by the erasure's
 * keyed suppression hash, and the staged rows already there go with the erasure); only an attempt that takes the job
 * over reads the file, and it then reads the scrubbed one, which is the same file less the person. The job's row is
 * locked for the rewrite, so a worker that finishes or fails the job meanwhile (and drops the file) waits for it or went
 * first (and there is no file left to scrub).
 */
@Component
class PendingImportFiles {
  private static final Logger log = LoggerFactory.getLogger(PendingImportFiles.class);
  private static final List<String> PENDING = List.of(ImportStatus.DRAFT.text(), ImportStatus.QUEUED.text(), ImportStatus.RUNNING.text());
  private final JdbcClient jdbc;

  PendingImportFiles(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  private record Stored(long id, String status, String format, byte[] content) {}

  /** Rewrites every pending import file of the organization that mentions the address; answers how many were rewritten. */
  int removeAddress(long organizationId, String addressKey) {
    Pattern mention = AddressMentions.javaPattern(addressKey);
    List<Long> ids = jdbc.sql("""
        select id from import_job where organization_id = ? and content is not null and status = any (?) order by id""")
        .params(organizationId, PENDING.toArray(String[]::new)).query(Long.class).list();
    int rewritten = 0;
    // One file in memory at a time: an import's file is already held whole by the worker that runs it.
    for (long id : ids) {
      Stored job = jdbc.sql("""
          select id, status, format, content from import_job where id = ? and content is not null and status = any (?) for update""")
          .params(id, PENDING.toArray(String[]::new))
          .query((rs, n) -> new Stored(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getBytes(4))).optional().orElse(null);
      if (job == null) continue;
      byte[] scrubbed;
      try {
        scrubbed = withoutMentions(job.format(), job.content(), mention);
      } catch (ImportFiles.BadFile e) {
        scrubbed = unreadable(job);
        if (scrubbed == null) continue;
      }
      if (scrubbed == null) continue;
      jdbc.sql("update import_job set content = ?, format = 'csv' where id = ?").params(scrubbed, job.id()).update();
      rewritten++;
    }
    return rewritten;
  }

  /**
   * A file the importer cannot read cannot be cut either. A draft or queued import of it would fail at its first run
   * anyway: it fails now, and its file goes. A running one is left to its worker, which fails on the same bytes and
   * drops the file.
   */
  private byte[] unreadable(Stored job) {
    if (job.status().equals(ImportStatus.RUNNING.text())) {
      log.warn("Import {} holds a file its reader cannot read; its worker will fail it and drop the file", job.id());
      return null;
    }
    jdbc.sql("""
        update import_job set status = ?, failure = ?, content = null, finished_at = now() where id = ?""")
        .params(ImportStatus.FAILED.text(), "The file could not be read, and a person it may name was erased meanwhile: it was dropped."
            + " Upload the file again.", job.id()).update();
    return null;
  }

  /**
   * The file as CSV without the rows mentioning the address, or null when no row does (the file then stays as it was).
   * Two passes over the stored bytes: the first finds whether the person is there and the whole header (a JSON file's
   * columns grow as its objects are read), the second writes.
   */
  static byte[] withoutMentions(String format, byte[] content, Pattern mention) {
    List<String> headers;
    boolean found = false;
    try (ImportFiles.Source source = ImportFiles.open(format, new ByteArrayInputStream(content))) {
      for (ImportFiles.Row row : source) found |= mentions(row, mention);
      headers = List.copyOf(source.headers());
    }
    if (!found) return null;
    ByteArrayOutputStream out = new ByteArrayOutputStream(content.length + 1024);
    StringBuilder text = new StringBuilder();
    long line = 1 + write(text, headers);
    try (ImportFiles.Source source = ImportFiles.open(format, new ByteArrayInputStream(content))) {
      for (ImportFiles.Row row : source) {
        if (mentions(row, mention)) continue;
        for (; line < row.line(); line++) text.append('\n');
        line += write(text, cells(row, headers.size()));
        if (text.length() > 64 * 1024) flush(text, out);
      }
    }
    flush(text, out);
    return out.toByteArray();
  }

  /**
   * The cells to write for a row so that the importer reads it back the same: as many as the header when the row had
   * as many (a JSON row read before a later object added a column is padded with ""), or as many as it really had when
   * that differed (the importer then sets it aside with the same message).
   */
  private static List<String> cells(ImportFiles.Row row, int width) {
    int count = row.cellCountMismatch() ? row.cellCount() : width;
    String[] cells = new String[count];
    for (int i = 0; i < count; i++) cells[i] = i < row.cells().size() ? row.cells().get(i) : "";
    return List.of(cells);
  }

  private static boolean mentions(ImportFiles.Row row, Pattern mention) {
    for (String cell : row.cells()) {
      if (cell.indexOf('@') >= 0 && mention.matcher(cell.toLowerCase(Locale.ROOT)).find()) return true;
    }
    return false;
  }

  /** Appends one record, every cell quoted; answers the lines it took (line breaks inside cells count, as the reader counts them). */
  private static long write(StringBuilder text, List<String> cells) {
    long lines = 1;
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) text.append(',');
      String cell = cells.get(i);
      text.append('"');
      for (int c = 0; c < cell.length(); c++) {
        char ch = cell.charAt(c);
        if (ch == '"') text.append('"');
        if (ch == '\r' || (ch == '\n' && (c == 0 || cell.charAt(c - 1) != '\r'))) lines++;
        text.append(ch);
      }
      text.append('"');
    }
    text.append('\n');
    return lines;
  }

  private static void flush(StringBuilder text, ByteArrayOutputStream out) {
    out.writeBytes(text.toString().getBytes(StandardCharsets.UTF_8));
    text.setLength(0);
  }
}
