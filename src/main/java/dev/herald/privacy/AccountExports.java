package dev.herald.privacy;

import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.AuditLog;
import java.io.IOException;
import java.io.OutputStream;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * The request side of account exports: an owner starts one (a job for {@link AccountExportWorker}), follows its
 * progress, and downloads the ZIP chunk by chunk until it expires ({@link #KEPT} after it finished).
 */
@Service
class AccountExports {
  /** How long a finished export can be downloaded before the worker deletes it: it holds everyone's personal data. */
  static final java.time.Duration KEPT = java.time.Duration.ofDays(7);
  /** 1 TB at 1 MB a chunk: a bound on the download's loop that no export reaches. */
  static final int MAX_CHUNKS = 1 << 20;
  private final JdbcClient jdbc;
  private final AuditLog audit;
  private final Clock clock;

  AccountExports(JdbcClient jdbc, AuditLog audit, Clock clock) {
    this.jdbc = jdbc;
    this.audit = audit;
    this.clock = clock;
  }

  /** An export as the panel and the API show it. */
  record ExportView(long id, JobStatus status, int partsTotal, int partsDone, String currentPart, long rows, long sizeBytes,
      Instant createdAt, Instant finishedAt, Instant expiresAt, String failure) {
    /** Parts done of all parts, 0 to 100; 100 only once finished. */
    public int percent() {
      if (status == JobStatus.FINISHED) return 100;
      if (partsTotal <= 0) return 0;
      return Math.min(99, partsDone * 100 / partsTotal);
    }

    public boolean downloadable() {
      return status == JobStatus.FINISHED;
    }
  }

  private static final String SELECT = """
      select id, status, parts_total, parts_done, current_part, rows_written, size_bytes, created_at, finished_at, expires_at, failure
      from organization_export""";

  private static ExportView map(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    return new ExportView(rs.getLong(1), TextEnum.fromText(JobStatus.class, rs.getString(2)), rs.getInt(3), rs.getInt(4), rs.getString(5),
        rs.getLong(6), rs.getLong(7), rs.getTimestamp(8).toInstant(), instant(rs.getTimestamp(9)), instant(rs.getTimestamp(10)),
        rs.getString(11));
  }

  private static Instant instant(java.sql.Timestamp t) {
    return t == null ? null : t.toInstant();
  }

  /** Queues an export of everything the organization holds; refused while another of its exports is under way. */
  @Transactional
  ExportView start(long organizationId, Long userId) {
    // One at a time per organization: the row lock on the organization's other exports makes two clicks take turns.
    boolean running = !jdbc.sql("select id from organization_export where organization_id = ? and status in ('queued', 'running') for update")
        .param(organizationId).query(Long.class).list().isEmpty();
    if (running) throw Refused.conflict("export", "An export of this organization is under way already; wait for it to finish.");
    long id = jdbc.sql("insert into organization_export (organization_id, requested_by, created_at) values (?, ?, ?) returning id")
        .params(organizationId, userId, java.sql.Timestamp.from(clock.instant())).query(Long.class).single();
    audit.record(organizationId, "organization.export_started", "organization_export", id, null);
    return get(organizationId, id).orElseThrow();
  }

  Optional<ExportView> get(long organizationId, long id) {
    return jdbc.sql(SELECT + " where organization_id = ? and id = ?").params(organizationId, id).query(AccountExports::map).optional();
  }

  /** The organization's exports still kept, newest first. */
  List<ExportView> recent(long organizationId) {
    return jdbc.sql(SELECT + " where organization_id = ? order by id desc limit 10").param(organizationId).query(AccountExports::map).list();
  }

  /** Deletes every export of the organization with its ZIP (an erasure: a person may be in them); answers how many. */
  int forget(long organizationId) {
    return jdbc.sql("delete from organization_export where organization_id = ?").param(organizationId).update();
  }

  /** The file name of a download: the organization's slug and the export's date. */
  static String fileName(String slug, ExportView export) {
    return slug + "-export-" + export.createdAt().toString().substring(0, 10) + ".zip";
  }

  /** A finished export, or refused: not found (another organization's, or deleted), or not finished yet. */
  ExportView downloadable(long organizationId, long id) {
    ExportView export = get(organizationId, id).orElseThrow(() -> Refused.notFound("Export " + id));
    if (!export.downloadable()) throw Refused.conflict("export", "This export is " + export.status() + "; download it once it has finished.");
    audit.record(organizationId, "organization.export_downloaded", "organization_export", id, null);
    return export;
  }

  /** Writes the ZIP to {@code out}, one chunk (about 1 MB) per query, so neither side holds the whole file. */
  void write(long organizationId, long id, OutputStream out) throws IOException {
    for (int seq = 0; seq < MAX_CHUNKS; seq++) {
      Optional<byte[]> chunk = jdbc.sql("""
          select c.bytes from organization_export_chunk c join organization_export e on e.id = c.export_id
          where e.organization_id = ? and c.export_id = ? and c.seq = ?""").params(organizationId, id, seq).query(byte[].class).optional();
      if (chunk.isEmpty()) break;
      out.write(chunk.get());
    }
    out.flush();
  }
}
