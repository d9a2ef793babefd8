package dev.herald.audiences;

import dev.herald.audiences.Imports.ImportError;
import dev.herald.platform.Leases;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.stereotype.Component;
import tools.jackson.databind.ObjectMapper;

/**
 * Phase 1 of an import: streams the stored file through the row checks into the unlogged staging table
 * {@code import_row} with PostgreSQL COPY, a chunk at a time (row-by-row inserts would be ~20x slower);
 * rows that fail a check go to {@code import_error} with their line. Then the job's rows are analyzed, so
 * the merge is planned for them and not on statistics of an earlier job.
 */
@Component
class ImportStaging {
  static final int CHUNK = 20_000;
  static final int MAX_STORED_ERRORS = 10_000;
  /**
   * From this many staged rows on, the staging table is analyzed before the merge. Autovacuum analyzes it
   * when it pleases, and between two imports its statistics describe the previous job: the planner then
   * expects one row of the next job and plans nested loops over what may be a million (issue 9). Below
   * this a wrong estimate costs little, less than the analysis.
   */
  static final int ANALYZE_FROM = 1_000;
  private final JdbcClient jdbc;
  private final DataSource dataSource;
  private final ImportTransactions tx;
  private final Leases leases;
  private final CustomFields fields;
  private final ObjectMapper json;

  ImportStaging(JdbcClient jdbc, DataSource dataSource, ImportTransactions tx, @Qualifier(ImportLeases.BEAN) Leases leases,
      CustomFields fields, ObjectMapper json) {
    this.jdbc = jdbc;
    this.dataSource = dataSource;
    this.tx = tx;
    this.leases = leases;
    this.fields = fields;
    this.json = json;
  }

  /**
   * Stages the file and returns how many rows were staged. Throws {@link ImportRun.LeaseLost} when the
   * job was taken over: no chunk is written after that.
   */
  long stage(ImportRun job) {
    Map<String, CustomFields.Field> known = new java.util.LinkedHashMap<>(fields.byKey(job.orgId()));
    List<String> newFields = missingFields(job, known);
    RowConverter converter = new RowConverter(job.mapping(), known, json);
    long total = 0, staged = 0, rejected = 0;
    StringBuilder copy = new StringBuilder(CHUNK * 100);
    List<ImportError> errors = new ArrayList<>();
    int inChunk = 0;
    ByteArrayInputStream file = new ByteArrayInputStream(job.content());
    // What is left of the stored file tells how far the reader got (readers buffer ahead a little; close enough for a bar).
    java.util.function.DoubleSupplier read = () -> 1.0 - (double) file.available() / Math.max(1, job.content().length);
    try (ImportFiles.Source source = ImportFiles.open(job.format(), file)) {
      converter.bind(source.headers());
      for (ImportFiles.Row row : source) {
        total++;
        switch (converter.convert(row)) {
          case RowConverter.Accepted a -> {
            a.appendCopyLine(job.id(), copy);
            staged++;
          }
          case RowConverter.Rejected r -> {
            rejected++;
            if (errors.size() + rejected < MAX_STORED_ERRORS) errors.add(new ImportError(row.line(), r.reason(), r.value()));
          }
        }
        if (++inChunk == CHUNK) {
          newFields.addAll(converter.takeNewFields());
          flush(job, copy, errors, newFields, total, read.getAsDouble(), null);
          inChunk = 0;
        }
      }
      newFields.addAll(converter.takeNewFields());
    }
    flush(job, copy, errors, newFields, total, 1.0, rejected);
    // Its own short transaction: ANALYZE holds a lock that would otherwise keep other jobs' analyses waiting.
    if (staged >= ANALYZE_FROM) tx.run(() -> jdbc.sql("analyze import_row").update());
    return staged;
  }

  /**
   * Writes a chunk and the progress in one transaction, behind a renewal of the lease: a renewal that
   * finds the job taken over stops the attempt before it writes, and one that succeeds locks the job until
   * the chunk is in, so no other node takes it over half-way. The fields the chunk's rows need are created
   * behind the same renewal, so a node that lost its lease creates none. {@code rejected}: on the last
   * chunk, the totals are written too.
   */
  private void flush(ImportRun job, StringBuilder copy, List<ImportError> errors, List<String> newFields, long processed,
      double readFraction, Long rejected) {
    tx.run(() -> {
      if (leases.renew(job.lease()) == Leases.Outcome.LOST) throw new ImportRun.LeaseLost(job);
      createTextFields(job, newFields);
      if (!copy.isEmpty()) {
        copyIn("copy import_row (job_id, line, email, email_key, smtputf8, name, attributes, tags, optin_time, optin_ip, confirm_time,"
            + " row_status, status_time) from stdin", copy.toString().getBytes(StandardCharsets.UTF_8));
      }
      for (ImportError e : errors) {
        jdbc.sql("insert into import_error (job_id, line, reason, value) values (?, ?, ?, ?)")
            .params(job.id(), e.line(), e.reason(), e.value()).update();
      }
      // Progress for the panel and the API.
      jdbc.sql("update import_job set processed_rows = ?, read_fraction = ? where id = ?")
          .params(processed, readFraction, job.id()).update();
      if (rejected != null) {
        jdbc.sql("update import_job set total_rows = ?, skipped = ? where id = ?").params(processed, rejected, job.id()).update();
      }
    });
    copy.setLength(0);
    errors.clear();
    newFields.clear();
  }

  /** COPY on the transaction's connection, so it commits or rolls back with the chunk's lease renewal. */
  private void copyIn(String sql, byte[] data) {
    Connection connection = DataSourceUtils.getConnection(dataSource);
    try {
      CopyIn in = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
      try {
        in.writeToCopy(data, 0, data.length);
        in.endCopy();
      } finally {
        if (in.isActive()) in.cancelCopy();
      }
    } catch (SQLException e) {
      throw new IllegalStateException("COPY into import_row failed: " + e.getMessage(), e);
    } finally {
      DataSourceUtils.releaseConnection(connection, dataSource);
    }
  }

  /**
   * Columns mapped to a field that does not exist yet become text fields, so nothing mapped is dropped:
   * they join {@code known} at once, for the rows, and are returned to be created with the first chunk.
   */
  private static List<String> missingFields(ImportRun job, Map<String, CustomFields.Field> known) {
    List<String> missing = new ArrayList<>();
    for (String target : job.mapping().values()) {
      String key = target.startsWith("field:") ? target.substring(6) : null;
      if (key != null && !known.containsKey(key)) {
        known.put(key, new CustomFields.Field(0, key, key, "text", List.of(), false));
        missing.add(key);
      }
    }
    return missing;
  }

  /** Also the keys of an "attributes" column (listmonk's), found only while reading the rows. */
  private void createTextFields(ImportRun job, java.util.Collection<String> keys) {
    for (String key : keys) {
      jdbc.sql("insert into custom_field (organization_id, key, label, type) values (?, ?, ?, 'text') on conflict do nothing")
          .params(job.orgId(), key, key).update();
    }
  }
}
