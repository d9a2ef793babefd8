package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.io.ByteArrayInputStream;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import tools.jackson.databind.ObjectMapper;

/**
 * Asking for subscriber imports: upload checks, the draft and its suggested mapping, starting a job, and
 * reading jobs and the rows they set aside. The work itself happens on worker nodes: {@link ImportWorker}
 * claims a job with a lease, {@link ImportStaging} streams the file into {@code import_row}, and
 * {@link ImportMerge} merges it set-wise.
 */
@Service
class Imports {
  private final JdbcClient jdbc;
  private final MailingLists lists;
  private final ObjectMapper json;
  private final AuditLog audit;

  Imports(JdbcClient jdbc, MailingLists lists, ObjectMapper json, AuditLog audit) {
    this.jdbc = jdbc;
    this.lists = lists;
    this.json = json;
    this.audit = audit;
  }

  /**
   * {@code step}: while running, the step the job is in (null otherwise); {@code percent}: the steps' shares
   * of the bar ({@link ImportStep}), the reading step by how much of the file was read; 100 when finished.
   * While the merge runs, {@code skipped}, {@code inserted}, {@code updated} and {@code subscriptionChanged} are what
   * it found so far. {@code subscriptionChanged}: existing people the import added to the list or whose status on it
   * changed while their subscriber row stayed as it was (one whose row changed too is counted as updated only).
   */
  public record Job(long id, Long listId, String fileName, String format, SubscriptionStatus importAs, String consentBasis, boolean overwrite,
      List<String> tags, ImportStatus status, Long totalRows, long processedRows, long inserted, long updated,
      @io.swagger.v3.oas.annotations.media.Schema(description = "Existing people the import added to the list or whose status on it"
          + " changed, while their own record stayed as it was (one whose record changed too counts as updated only)")
      long subscriptionChanged, long skipped,
      String failure, Instant createdAt, Instant startedAt, Instant finishedAt, int percent, String layout, ImportStep step) {

    /**
     * Rows of people already there whom the import left as they were, neither their subscriber row nor their
     * subscription on the list (the merge skips what a row would not change): once finished, each row read was set
     * aside, or made a subscriber new, updated, subscription changed or unchanged, as rows of the same address are set
     * aside as duplicates. Null while the job is not finished: the merge counts as it goes.
     */
    public Long unchanged() {
      return status == ImportStatus.FINISHED
          ? Math.max(0, processedRows - inserted - updated - subscriptionChanged - skipped) : null;
    }
  }


  public record ImportError(long line, String reason, String value) {}

  /** What a person asks for: the file, how columns map, and how the rows come in. */
  public record Request(long listId, String fileName, byte[] content, String format, Map<String, String> mapping, String importAs,
      String consentBasis, boolean overwrite, List<String> tags) {}

  /** Published once per finished import (not per row: a million events would swamp the outbox). */
  public record SubscribersImported(long organizationId, long listId, long jobId, long inserted, long updated,
      long subscriptionChanged, long skipped) {}

  /** A running job's counts so far are the staging's (on the job) and the merge's (on its latest step). */
  private static final String COLUMNS = """
      j.id, j.list_id, j.file_name, j.format, j.import_as, j.consent_basis, j.overwrite, j.tags, j.status, j.total_rows,
      j.processed_rows,
      case when j.status = 'running' then coalesce(s.inserted, 0) else j.inserted end,
      case when j.status = 'running' then coalesce(s.updated, 0) else j.updated end,
      case when j.status = 'running' then coalesce(s.subscription_changed, 0) else j.subscription_changed end,
      j.skipped + case when j.status = 'running' then coalesce(s.set_aside, 0) else 0 end,
      j.failure, j.created_at, j.started_at, j.finished_at, j.read_fraction, s.step, j.layout
      from import_job j left join lateral (
        select step, set_aside, inserted, updated, subscription_changed from import_step where job_id = j.id order by started_at desc limit 1) s on true""";

  // ---- asking for an import -----------------------------------------------------------------

  /**
   * One call: upload and start (the API's way; the panel uploads, shows the mapping, then starts). One
   * transaction, so a refused start (no consent basis, say) leaves no draft holding the file.
   */
  @org.springframework.transaction.annotation.Transactional
  public long create(long orgId, Long userId, Request r) {
    long id = upload(orgId, userId, r.listId(), r.fileName(), r.content(), r.format());
    start(orgId, id, r.mapping(), r.importAs(), r.consentBasis(), r.overwrite(), r.tags());
    return id;
  }

  /**
   * Stores the file as a draft job with a suggested mapping. The header is read now, so an empty or
   * unreadable file is refused at once with its reason.
   */
  public long upload(long orgId, Long userId, long listId, String fileName, byte[] content, String format) {
    if (content == null || content.length == 0) throw Refused.invalid("file", "The file is empty.");
    lists.basic(orgId, listId).orElseThrow(() -> Refused.invalid("listId", "Choose a list of this organization."));
    String given = displayName(fileName);
    String f = format == null || format.isBlank()
        ? SubscriberFileFormat.fromFileName(given).map(x -> x.name().toLowerCase(Locale.ROOT))
            .orElseThrow(() -> Refused.invalid("format", "Name the format (csv, xlsx or json), or upload a .csv, .xlsx or .json file."))
        : format.trim().toLowerCase(Locale.ROOT);
    if (!List.of("csv", "xlsx", "json").contains(f)) throw Refused.invalid("format", "The format is csv, xlsx or json.");
    String name = given.isEmpty() ? "upload." + f : given;
    Suggestion suggested;
    try {
      suggested = suggest(f, content);
    } catch (Refused r) {
      // The panel shows this beside the file input and the API in its problem: both say which file and why.
      throw Refused.invalid("file", "The file " + name + " cannot be imported. " + r.getMessage());
    }
    long id = jdbc.sql("""
        insert into import_job (organization_id, list_id, file_name, format, content, mapping, consent_basis, status, created_by, layout)
        values (?, ?, ?, ?, ?, cast(? as json), '', 'draft', ?, ?) returning id""")
        .params(orgId, listId, name, f, content,
            json.writeValueAsString(suggested.mapping()), userId, suggested.layout())
        .query(Long.class).single();
    audit.record(orgId, "import.uploaded", "import", id, name);
    return id;
  }

  /** Longest file name kept, in characters; the name is only shown, so the rest is of no use to anyone. */
  static final int MAX_FILE_NAME = 200;

  /**
   * The uploaded file's name as it is shown, "" when nothing of it is left. A file name is whatever the browser or
   * client sent: a NUL in it gave a 500 (PostgreSQL text cannot hold one), a path (some browsers send the whole
   * path, a client may send "../x") says nothing about the file, and controls or bidirectional overrides (one turns
   * "list[RLO]vsc.exe" into "listexe.csv" on screen) are there to mislead whoever reads it. So the name is the last
   * path segment without those.
   */
  static String displayName(String fileName) {
    if (fileName == null) return "";
    String base = fileName.substring(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
    StringBuilder out = new StringBuilder(Math.min(base.length(), MAX_FILE_NAME));
    base.codePoints().forEach(c -> {
      int type = Character.getType(c);
      if (type == Character.CONTROL || type == Character.FORMAT || type == Character.UNASSIGNED || type == Character.SURROGATE) return;
      out.appendCodePoint(Character.isWhitespace(c) || Character.isSpaceChar(c) ? ' ' : c);
    });
    String name = out.toString().replaceAll(" {2,}", " ").strip();
    if (name.length() <= MAX_FILE_NAME) return name;
    // Shortened in the middle: the extension says the format.
    int dot = name.lastIndexOf('.');
    String extension = dot > 0 && name.length() - dot <= 10 ? name.substring(dot) : "";
    int end = MAX_FILE_NAME - 1 - extension.length();
    if (Character.isHighSurrogate(name.charAt(end - 1))) end--;
    return name.substring(0, end) + "…" + extension;
  }

  /** The columns of a draft and what each is mapped to, in the file's order. */
  @SuppressWarnings("unchecked")
  public Map<String, String> mapping(long orgId, long jobId) {
    return jdbc.sql("select mapping::text from import_job where organization_id = ? and id = ?").params(orgId, jobId)
        .query(String.class).optional().map(m -> (Map<String, String>) json.readValue(m, LinkedHashMap.class))
        .orElseThrow(() -> Refused.notFound("Import " + jobId));
  }

  /** Rows read for the mapping page's sample values, and how many values of each column it shows. */
  static final int SAMPLE_ROWS = 10;
  static final int SAMPLES_PER_COLUMN = 3;
  /** Longest sample value shown, in characters: enough to recognize a column, short enough for a phone. */
  static final int SAMPLE_CHARS = 40;
  /** How much of a CSV or JSON file is read for samples (the rows are its first ones); a workbook is a zip, read whole. */
  private static final int SAMPLE_BYTES = 1 << 20;

  /**
   * The first values of each column of a draft, for the mapping page: up to {@link #SAMPLES_PER_COLUMN} non-blank
   * cells of each column from its first {@link #SAMPLE_ROWS} rows, shortened to {@link #SAMPLE_CHARS}, keyed by the
   * column's header. Only a preview: a file that stops reading cleanly (the cut end of a CSV) gives what was read so
   * far, and a job that is no longer a draft (its file is dropped when it finishes) gives nothing.
   */
  public Map<String, List<String>> samples(long orgId, long jobId) {
    record Stored(String format, byte[] content) {}
    Optional<Stored> stored = jdbc.sql("""
        select format, case when format = 'xlsx' then content else substring(content from 1 for ?) end
        from import_job where organization_id = ? and id = ? and status = 'draft' and content is not null""")
        .params(SAMPLE_BYTES, orgId, jobId).query((rs, n) -> new Stored(rs.getString(1), rs.getBytes(2))).optional();
    Map<String, List<String>> samples = new LinkedHashMap<>();
    if (stored.isEmpty()) return samples;
    try (ImportFiles.Source source = ImportFiles.open(stored.get().format(), new ByteArrayInputStream(stored.get().content()))) {
      int rows = 0;
      for (ImportFiles.Row row : source) {
        List<String> headers = source.headers();
        for (int i = 0; i < row.cells().size() && i < headers.size(); i++) {
          String cell = row.cells().get(i);
          if (cell == null || cell.isBlank()) continue;
          List<String> values = samples.computeIfAbsent(headers.get(i), h -> new java.util.ArrayList<>());
          if (values.size() < SAMPLES_PER_COLUMN) values.add(shortened(Text.visible(cell.strip())));
        }
        if (++rows == SAMPLE_ROWS) break;
      }
    } catch (ImportFiles.BadFile | SubscriberFileException | java.io.UncheckedIOException e) {
      // What was read so far is still a fair preview; the import itself reports the file's faults with their lines.
    }
    return samples;
  }

  private static String shortened(String value) {
    if (value.codePointCount(0, value.length()) <= SAMPLE_CHARS) return value;
    return value.substring(0, value.offsetByCodePoints(0, SAMPLE_CHARS - 1)) + "…";
  }

  /** Checks the choices and queues the draft for a worker. A null or empty mapping keeps the suggested one. */
  public void start(long orgId, long jobId, Map<String, String> requestedMapping, String importAs, String consentBasis, boolean overwrite,
      List<String> tagList) {
    Map<String, String> mapping = requestedMapping == null || requestedMapping.isEmpty() ? mapping(orgId, jobId) : requestedMapping;
    SubscriptionStatus as = Objects.requireNonNullElse(TextEnum.parse(SubscriptionStatus.class, "importAs", importAs), SubscriptionStatus.SUBSCRIBED);
    if (as.blocked()) throw Refused.invalid("importAs", "Import as subscribed, unsubscribed or unconfirmed.");
    if (consentBasis == null || consentBasis.isBlank()) {
      throw Refused.invalid("consentBasis", "State how these people gave their consent (e.g. 'signed up on our website form').");
    }
    Text.requireNoControls("consentBasis", consentBasis);
    if (mapping.values().stream().filter("email"::equals).count() != 1) throw Refused.invalid("mapping", "Map exactly one column to email.");
    for (String target : mapping.values()) {
      if (!ImportFiles.TARGETS.contains(target) && !target.matches("field:[a-z][a-z0-9_]{0,39}")) {
        throw Refused.invalid("mapping", "Unknown target '" + target + "'.");
      }
    }
    List<String> tags = Tags.clean("tags", tagList);
    int n = jdbc.sql("""
        update import_job set mapping = cast(? as json), import_as = ?, consent_basis = ?, overwrite = ?, tags = ?, status = 'queued'
        where organization_id = ? and id = ? and status = 'draft'""")
        .params(json.writeValueAsString(mapping), as.text(), consentBasis.trim(), overwrite, tags.toArray(String[]::new), orgId, jobId)
        .update();
    if (n == 0) throw Refused.conflict("id", "Import " + jobId + " is not a draft waiting to start.");
    audit.record(orgId, "import.started", "import", jobId, as + ", " + (overwrite ? "overwrite" : "keep existing"));
  }

  /** The suggested column mapping for a file's header (Mailchimp's layout maps without changes). */
  public Map<String, String> suggestMapping(String format, byte[] content) {
    return suggest(format, content).mapping();
  }

  /** A suggested mapping and the name of the export layout recognized (null: none). */
  record Suggestion(Map<String, String> mapping, String layout) {}

  /**
   * Reads the header, and for JSON every object: a key first seen in a later object is a column too, and would
   * otherwise be left out of the mapping and so dropped without a word.
   */
  private Suggestion suggest(String format, byte[] content) {
    try (ImportFiles.Source source = ImportFiles.open(format, new ByteArrayInputStream(content))) {
      if (format.equals("json")) for (ImportFiles.Row ignored : source) { /* collects the keys into headers() */ }
      return new Suggestion(ImportFiles.suggestMapping(source.headers()), ImportFiles.layout(source.headers()));
    } catch (ImportFiles.BadFile e) {
      throw Refused.invalid("file", e.getMessage());
    }
  }

  public Optional<Job> find(long orgId, long id) {
    return jdbc.sql("select " + COLUMNS + " where j.organization_id = ? and j.id = ?").params(orgId, id)
        .query(Imports::map).optional();
  }

  public record Page(List<Job> items, long total, int page, int size) {}

  /** The organization's imports, newest first, drafts included. */
  public Page page(long orgId, int page, int size) {
    List<Job> items = jdbc.sql("select " + COLUMNS + " where j.organization_id = ? order by j.id desc limit ? offset ?")
        .params(orgId, size, (long) page * size).query(Imports::map).list();
    long total = jdbc.sql("select count(*) from import_job where organization_id = ?").param(orgId).query(Long.class).single();
    return new Page(items, total, page, size);
  }

  public List<Job> recent(long orgId) {
    return jdbc.sql("select " + COLUMNS + " where j.organization_id = ? order by j.id desc limit 20").param(orgId)
        .query(Imports::map).list();
  }

  public List<ImportError> errors(long orgId, long jobId, int limit) {
    return jdbc.sql("""
        select e.line, e.reason, e.value from import_error e join import_job j on j.id = e.job_id
        where j.organization_id = ? and e.job_id = ? order by e.line limit ?""")
        .params(orgId, jobId, limit).query(ImportError.class).list();
  }

  private static Job map(java.sql.ResultSet rs, int n) throws SQLException {
    ImportStatus status = TextEnum.fromText(ImportStatus.class, rs.getString(9));
    ImportStep step = status == ImportStatus.RUNNING && rs.getString(21) != null ? TextEnum.fromText(ImportStep.class, rs.getString(21)) : null;
    int percent = status == ImportStatus.FINISHED ? 100
        : step == ImportStep.READING ? step.from + (int) Math.floor(rs.getDouble(20) * (step.to - step.from))
        : step != null ? step.from : 0;
    return new Job(rs.getLong(1), (Long) rs.getObject(2), rs.getString(3), rs.getString(4), TextEnum.fromText(SubscriptionStatus.class, rs.getString(5)), rs.getString(6),
        rs.getBoolean(7), List.of((String[]) rs.getArray(8).getArray()), status, (Long) rs.getObject(10), rs.getLong(11),
        rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getLong(15), rs.getString(16), rs.getTimestamp(17).toInstant(),
        rs.getTimestamp(18) == null ? null : rs.getTimestamp(18).toInstant(),
        rs.getTimestamp(19) == null ? null : rs.getTimestamp(19).toInstant(), percent, rs.getString(22), step);
  }
}
