package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.NodeRole;
import dev.herald.platform.NodeRoles;
import dev.herald.platform.Text;
import dev.herald.tenancy.AuditLog;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import javax.sql.DataSource;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.jdbc.datasource.DataSourceUtils;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.ObjectMapper;

/**
 * Subscriber imports as background jobs. A worker node claims a queued job with a lease (any node
 * may take over a job whose lease ran out), streams the file through checks into {@code import_row}
 * with PostgreSQL COPY, then merges set-wise in one transaction: duplicates, addresses that
 * complained, bounced or unsubscribed are set aside with their line number, subscribers are inserted
 * or updated, subscriptions and consent records written. Row-by-row inserts would be ~20x slower.
 */
@Service
class Imports {
  private static final Logger log = LoggerFactory.getLogger(Imports.class);
  static final int CHUNK = 20_000;
  static final int MAX_STORED_ERRORS = 10_000;
  static final int LARGE_IMPORT = 10_000;
  static final Duration LEASE = Duration.ofMinutes(2);
  /** How long an upload may wait for its mapping to be confirmed before the file is deleted. */
  static final Duration DRAFT_LIFETIME = Duration.ofDays(1);
  /** Drafts expire by the day, so looking for them once every few minutes is enough (the worker polls every second). */
  static final Duration DRAFT_SWEEP = Duration.ofMinutes(10);
  private volatile Instant lastDraftSweep = Instant.MIN;
  /** LEASE as PostgreSQL reads an interval, for {@code now() + cast(? as interval)}. */
  private static final String LEASE_INTERVAL = LEASE.toSeconds() + " seconds";
  private final JdbcClient jdbc;
  private final DataSource dataSource;
  private final TransactionTemplate tx;
  private final CustomFields fields;
  private final MailingLists lists;
  private final NodeRoles roles;
  private final ObjectMapper json;
  private final AuditLog audit;
  private final ApplicationEventPublisher events;

  private final SuppressionScreen screen;
  private final DoubleOptIn doubleOptIn;
  private final java.time.Clock clock;

  Imports(JdbcClient jdbc, DataSource dataSource, TransactionTemplate tx, CustomFields fields, MailingLists lists, NodeRoles roles,
      ObjectMapper json, AuditLog audit, ApplicationEventPublisher events, SuppressionScreen screen, DoubleOptIn doubleOptIn,
      java.time.Clock clock) {
    this.screen = screen;
    this.doubleOptIn = doubleOptIn;
    this.clock = clock;
    this.jdbc = jdbc;
    this.dataSource = dataSource;
    this.tx = tx;
    this.fields = fields;
    this.lists = lists;
    this.roles = roles;
    this.json = json;
    this.audit = audit;
    this.events = events;
  }

  /**
   * {@code percent}: while the file is read (the row count is not known yet), how much of it was read, as
   * 0 to 90; 99 while the rows are merged; 100 when finished.
   */
  public record Job(long id, Long listId, String fileName, String format, String importAs, String consentBasis, boolean overwrite,
      List<String> tags, String status, Long totalRows, long processedRows, long inserted, long updated, long skipped,
      String failure, Instant createdAt, Instant startedAt, Instant finishedAt, int percent) {}


  public record ImportError(long line, String reason, String value) {}

  /** What a person asks for: the file, how columns map, and how the rows come in. */
  public record Request(long listId, String fileName, byte[] content, String format, Map<String, String> mapping, String importAs,
      String consentBasis, boolean overwrite, List<String> tags) {}

  /** Published once per finished import (not per row: a million events would swamp the outbox). */
  public record SubscribersImported(long organizationId, long listId, long jobId, long inserted, long updated, long skipped) {}

  private static final String COLUMNS = """
      id, list_id, file_name, format, import_as, consent_basis, overwrite, tags, status, total_rows, processed_rows, inserted, updated,
      skipped, failure, created_at, started_at, finished_at,
      case when status = 'finished' then 100 when status = 'running' and total_rows is not null then 99
           when status = 'running' then least(90, floor(read_fraction * 90)) else 0 end""";

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
    lists.basic(orgId, listId).orElseThrow(() -> Refused.invalid("listId", "Choose a list of this organization."));
    if (content == null || content.length == 0) throw Refused.invalid("file", "The file is empty.");
    String f = format == null || format.isBlank()
        ? SubscriberFileFormat.fromFileName(fileName).map(x -> x.name().toLowerCase(Locale.ROOT))
            .orElseThrow(() -> Refused.invalid("format", "Name the format (csv, xlsx or json), or upload a .csv, .xlsx or .json file."))
        : format.trim().toLowerCase(Locale.ROOT);
    if (!List.of("csv", "xlsx", "json").contains(f)) throw Refused.invalid("format", "The format is csv, xlsx or json.");
    Map<String, String> suggested = suggestMapping(f, content);
    // A file name is whatever the browser or client sent; one with a NUL cannot be stored as text.
    String name = fileName == null || fileName.isBlank() ? "upload." + f : Text.visible(fileName);
    long id = jdbc.sql("""
        insert into import_job (organization_id, list_id, file_name, format, content, mapping, consent_basis, status, created_by)
        values (?, ?, ?, ?, ?, cast(? as json), '', 'draft', ?) returning id""")
        .params(orgId, listId, name, f, content,
            json.writeValueAsString(suggested), userId)
        .query(Long.class).single();
    audit.record(orgId, "import.uploaded", "import", id, name);
    return id;
  }

  /** The columns of a draft and what each is mapped to, in the file's order. */
  @SuppressWarnings("unchecked")
  public Map<String, String> mapping(long orgId, long jobId) {
    return jdbc.sql("select mapping::text from import_job where organization_id = ? and id = ?").params(orgId, jobId)
        .query(String.class).optional().map(m -> (Map<String, String>) json.readValue(m, LinkedHashMap.class))
        .orElseThrow(() -> Refused.notFound("Import " + jobId));
  }

  /** Checks the choices and queues the draft for a worker. A null or empty mapping keeps the suggested one. */
  public void start(long orgId, long jobId, Map<String, String> requestedMapping, String importAs, String consentBasis, boolean overwrite,
      List<String> tagList) {
    Map<String, String> mapping = requestedMapping == null || requestedMapping.isEmpty() ? mapping(orgId, jobId) : requestedMapping;
    String as = importAs == null || importAs.isBlank() ? "subscribed" : importAs.trim();
    if (!List.of("subscribed", "unsubscribed", "unconfirmed").contains(as)) {
      throw Refused.invalid("importAs", "Import as subscribed, unsubscribed or unconfirmed.");
    }
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
        .params(json.writeValueAsString(mapping), as, consentBasis.trim(), overwrite, tags.toArray(String[]::new), orgId, jobId)
        .update();
    if (n == 0) throw Refused.conflict("id", "Import " + jobId + " is not a draft waiting to start.");
    audit.record(orgId, "import.started", "import", jobId, as + ", " + (overwrite ? "overwrite" : "keep existing"));
  }

  /** The suggested column mapping for a file's header (Mailchimp's layout maps without changes). */
  public Map<String, String> suggestMapping(String format, byte[] content) {
    try (ImportFiles.Source source = ImportFiles.open(format, new ByteArrayInputStream(content))) {
      return ImportFiles.suggestMapping(source.headers());
    } catch (ImportFiles.BadFile e) {
      throw Refused.invalid("file", e.getMessage());
    }
  }

  public Optional<Job> find(long orgId, long id) {
    return jdbc.sql("select " + COLUMNS + " from import_job where organization_id = ? and id = ?").params(orgId, id)
        .query(Imports::map).optional();
  }

  public List<Job> recent(long orgId) {
    return jdbc.sql("select " + COLUMNS + " from import_job where organization_id = ? order by id desc limit 20").param(orgId)
        .query(Imports::map).list();
  }

  public List<ImportError> errors(long orgId, long jobId, int limit) {
    return jdbc.sql("""
        select e.line, e.reason, e.value from import_error e join import_job j on j.id = e.job_id
        where j.organization_id = ? and e.job_id = ? order by e.line limit ?""")
        .params(orgId, jobId, limit).query(ImportError.class).list();
  }

  // ---- the worker --------------------------------------------------------------------------

  @Scheduled(fixedDelayString = "${herald.imports.poll:PT1S}")
  void work() {
    if (!roles.has(NodeRole.worker)) return;
    if (clock.instant().isAfter(lastDraftSweep.plus(DRAFT_SWEEP))) {
      lastDraftSweep = clock.instant();
      forgetAbandonedDrafts();
    }
    for (Optional<Long> job = claim(); job.isPresent(); job = claim()) run(job.get());
  }

  /**
   * A panel upload whose mapping was never confirmed still holds the whole file, personal data included:
   * after {@link #DRAFT_LIFETIME} it is deleted.
   */
  void forgetAbandonedDrafts() {
    int n = jdbc.sql("delete from import_job where status = 'draft' and created_at < ?")
        .param(java.sql.Timestamp.from(clock.instant().minus(DRAFT_LIFETIME))).update();
    if (n > 0) log.info("Deleted {} import drafts left unstarted for {}", n, DRAFT_LIFETIME);
  }

  /** Takes the oldest queued job, or a running one whose node stopped renewing its lease. */
  Optional<Long> claim() {
    return jdbc.sql("""
        update import_job set status = 'running', started_at = now(), lease_until = now() + cast(? as interval),
          processed_rows = 0, inserted = 0, updated = 0, skipped = 0
        where id = (select id from import_job where status = 'queued' or (status = 'running' and lease_until < now())
                    order by id limit 1 for update skip locked)
        returning id""").param(LEASE_INTERVAL).query(Long.class).optional();
  }

  void run(long jobId) {
    try {
      JobSpec spec = spec(jobId);
      // A job taken over after a crash starts from its file again: clear what the last attempt left.
      jdbc.sql("delete from import_row where job_id = ?").param(jobId).update();
      jdbc.sql("delete from import_error where job_id = ?").param(jobId).update();
      long staged = stage(spec);
      merge(spec, staged);
      if (staged >= LARGE_IMPORT) tidyUp();
    } catch (ImportFiles.BadFile e) {
      fail(jobId, e.getMessage());
    } catch (RuntimeException e) {
      log.error("Import {} failed", jobId, e);
      fail(jobId, "The import stopped because of an internal error; nothing of it was merged. (" + e.getClass().getSimpleName() + ")");
    }
  }

  /**
   * After a large merge, do what autovacuum would do minutes later: clear the replaced row versions
   * (an update import leaves one per row, and they slow every segment count until vacuumed) and
   * refresh the planner's statistics. Outside any transaction, as VACUUM requires.
   */
  private void tidyUp() {
    for (String table : List.of("subscriber", "subscription", "consent_record")) {
      jdbc.sql("vacuum (analyze) " + table).update();
    }
  }

  private void fail(long jobId, String message) {
    jdbc.sql("delete from import_row where job_id = ?").param(jobId).update();
    jdbc.sql("update import_job set status = 'failed', failure = ?, finished_at = now(), content = null, lease_until = null where id = ?")
        .params(message, jobId).update();
  }

  /** {@code startedAt}: set by the claim that began this attempt; the merge checks it is still the job's (fencing). */
  record JobSpec(long id, long orgId, long listId, String format, byte[] content, Map<String, String> mapping, String importAs,
      String basis, boolean overwrite, List<String> tags, Instant startedAt) {}

  @SuppressWarnings("unchecked")
  JobSpec spec(long jobId) {
    return jdbc.sql("""
        select id, organization_id, list_id, format, content, mapping::text, import_as, consent_basis, overwrite, tags, started_at
        from import_job where id = ?""").param(jobId)
        .query((rs, n) -> new JobSpec(rs.getLong(1), rs.getLong(2), rs.getLong(3), rs.getString(4), rs.getBytes(5),
            json.readValue(rs.getString(6), LinkedHashMap.class), rs.getString(7), rs.getString(8), rs.getBoolean(9),
            List.of((String[]) rs.getArray(10).getArray()), rs.getTimestamp(11).toInstant()))
        .single();
  }

  // ---- phase 1: read, check, COPY -------------------------------------------------------------

  /** Streams the file into import_row; rows that fail a check go to import_error with their line. */
  long stage(JobSpec job) {
    ensureFields(job);
    Map<String, CustomFields.Field> known = fields.byKey(job.orgId());
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
          flush(job.id(), copy, errors, total, read.getAsDouble());
          inChunk = 0;
        }
      }
    }
    flush(job.id(), copy, errors, total, 1.0);
    jdbc.sql("update import_job set total_rows = ?, skipped = ? where id = ?").params(total, rejected, job.id()).update();
    return staged;
  }

  private void flush(long jobId, StringBuilder copy, List<ImportError> errors, long processed, double readFraction) {
    if (!copy.isEmpty()) {
      copyIn("copy import_row (job_id, line, email, email_key, smtputf8, name, attributes, tags, optin_time, optin_ip, confirm_time,"
          + " row_status, status_time) from stdin", copy.toString().getBytes(StandardCharsets.UTF_8));
      copy.setLength(0);
    }
    for (ImportError e : errors) {
      jdbc.sql("insert into import_error (job_id, line, reason, value) values (?, ?, ?, ?)")
          .params(jobId, e.line(), e.reason(), e.value()).update();
    }
    errors.clear();
    // Progress for the panel and the API, and the lease renewed so no other node takes the job over.
    jdbc.sql("update import_job set processed_rows = ?, read_fraction = ?, lease_until = now() + cast(? as interval) where id = ?")
        .params(processed, readFraction, LEASE_INTERVAL, jobId).update();
  }

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

  /** Columns mapped to a field that does not exist yet become text fields, so nothing mapped is dropped. */
  private void ensureFields(JobSpec job) {
    Map<String, CustomFields.Field> known = fields.byKey(job.orgId());
    for (String target : job.mapping().values()) {
      if (target.startsWith("field:") && !known.containsKey(target.substring(6))) {
        String key = target.substring(6);
        jdbc.sql("insert into custom_field (organization_id, key, label, type) values (?, ?, ?, 'text') on conflict do nothing")
            .params(job.orgId(), key, key).update();
      }
    }
  }

  // ---- phase 2: set-based merge --------------------------------------------------------------

  void merge(JobSpec job, long staged) {
    boolean merged = Boolean.TRUE.equals(tx.execute(status -> {
      // Fencing: lock the job and check it is still this attempt's. Another node takes a job over only when
      // its lease ran out (claim() then sets a new started_at); holding the row lock for the whole merge keeps
      // claim() (FOR UPDATE SKIP LOCKED) away from it until this transaction ends.
      boolean ours = jdbc.sql("select exists(select 1 from import_job where id = ? and status = 'running' and started_at = ? for update)")
          .params(job.id(), java.sql.Timestamp.from(job.startedAt())).query(Boolean.class).single();
      if (!ours) {
        log.warn("Import {} was taken over by another node before its merge; this attempt stops", job.id());
        return false;
      }
      var p = Map.<String, Object>of("job", job.id(), "org", job.orgId(), "list", job.listId(), "importAs", job.importAs(),
          "basis", job.basis(), "overwrite", job.overwrite(), "tags", job.tags().toArray(String[]::new));
      // Duplicates inside the file: the first line wins.
      jdbc.sql("""
          update import_row r set skip = 'duplicate of line ' || f.first_line
          from (select email_key, min(line) first_line from import_row where job_id = :job group by email_key having count(*) > 1) f
          where r.job_id = :job and r.email_key = f.email_key and r.line <> f.first_line""").params(p).update();
      // Suppressed or erased addresses (this organization's list or the installation's) are never added; rows
      // that only record that people left or bounced are set aside only for erased people.
      jdbc.sql(suppressionScreening()).params(p).update();
      // Never re-subscribe people who complained (anywhere in the organization), bounced or unsubscribed from this list.
      jdbc.sql("""
          update import_row r set skip = case
              when exists (select 1 from subscription c join mailing_list cl on cl.id = c.list_id
                           where c.subscriber_id = s.id and cl.organization_id = :org and c.status = 'complained')
                then 'complained before; an import never re-subscribes this address'
              else 'already ' || x.status || ' on this list; an import does not re-subscribe it' end
          from subscriber s left join subscription x on x.subscriber_id = s.id and x.list_id = :list
          where r.job_id = :job and r.skip is null and coalesce(r.row_status, :importAs) in ('subscribed', 'unconfirmed')
            and s.organization_id = :org and s.email_key = r.email_key
            and (x.status in ('unsubscribed', 'bounced', 'complained')
                 or exists (select 1 from subscription c join mailing_list cl on cl.id = c.list_id
                            where c.subscriber_id = s.id and cl.organization_id = :org and c.status = 'complained'))""")
          .params(p).update();
      jdbc.sql("""
          insert into import_error (job_id, line, reason, value)
          select job_id, line, skip, email from import_row where job_id = :job and skip is not null""").params(p).update();

      // Subscribers: insert new ones; existing ones are updated (overwrite) or only filled in (keep existing).
      var counts = jdbc.sql("""
          with merged as (
            insert into subscriber as s (organization_id, email, email_key, smtputf8, name, attributes, tags, source)
            select :org, email, email_key, smtputf8, coalesce(name, ''), attributes,
                   array(select distinct unnest(tags || cast(:tags as text[]))), 'import'
            from import_row where job_id = :job and skip is null
            on conflict (organization_id, email_key) do update set
              name = case when :overwrite and excluded.name <> '' then excluded.name
                          when s.name = '' then excluded.name else s.name end,
              attributes = case when :overwrite then s.attributes || excluded.attributes else excluded.attributes || s.attributes end,
              tags = array(select distinct unnest(s.tags || excluded.tags)),
              updated_at = now()
            returning (xmax = 0) as inserted)
          select count(*) filter (where inserted), count(*) filter (where not inserted) from merged""")
          .params(p).query((rs, n) -> new long[] {rs.getLong(1), rs.getLong(2)}).single();

      // Subscriptions, and a consent record for each one this import created or changed. A row's own status
      // (Mailchimp's UNSUB_TIME, CLEAN_TIME) wins over the job's. An existing subscription is never demoted from
      // subscribed to unconfirmed (that would stop mail to confirmed people), and a complaint is never overwritten.
      jdbc.sql("""
          with changed as (
            insert into subscription as x (list_id, subscriber_id, status, source, confirmed_at, unsubscribed_at)
            select :list, s.id, coalesce(r.row_status, :importAs), 'import',
                   case when coalesce(r.row_status, :importAs) = 'subscribed' then coalesce(r.confirm_time, now()) end,
                   case when coalesce(r.row_status, :importAs) = 'unsubscribed' then coalesce(r.status_time, now()) end
            from import_row r join subscriber s on s.organization_id = :org and s.email_key = r.email_key
            where r.job_id = :job and r.skip is null
            on conflict (list_id, subscriber_id) do update set status = excluded.status, updated_at = now(),
              confirmed_at = coalesce(x.confirmed_at, excluded.confirmed_at), unsubscribed_at = excluded.unsubscribed_at
              where x.status is distinct from excluded.status and x.status <> 'complained'
                and not (x.status = 'subscribed' and excluded.status = 'unconfirmed')
            returning x.subscriber_id)
          insert into consent_record (organization_id, subscriber_id, list_id, channel, channel_ref, basis, ip, given_at,
                                      confirmed_at, withdrawn_at)
          select :org, c.subscriber_id, :list, 'import', 'import:' || :job, :basis, r.optin_ip, coalesce(r.optin_time, now()),
                 case when coalesce(r.row_status, :importAs) = 'subscribed' then coalesce(r.confirm_time, now()) end,
                 case when coalesce(r.row_status, :importAs) = 'unsubscribed' then coalesce(r.status_time, now()) end
          from changed c join subscriber s on s.id = c.subscriber_id
          join import_row r on r.job_id = :job and r.email_key = s.email_key and r.skip is null""").params(p).update();

      long skippedInMerge = jdbc.sql("select count(*) from import_row where job_id = :job and skip is not null").params(p)
          .query(Long.class).single();
      jdbc.sql("delete from import_row where job_id = :job").params(p).update();
      jdbc.sql("""
          update import_job set status = 'finished', finished_at = now(), lease_until = null, content = null,
            processed_rows = total_rows, inserted = ?, updated = ?, skipped = skipped + ? where id = ?""")
          .params(counts[0], counts[1], skippedInMerge, job.id()).update();
      events.publishEvent(new SubscribersImported(job.orgId(), job.listId(), job.id(), counts[0], counts[1],
          jdbc.sql("select skipped from import_job where id = ?").param(job.id()).query(Long.class).single()));
      return true;
    }));
    if (!merged) return;
    log.info("Import {} finished: {} rows staged", job.id(), staged);
    if (job.importAs().equals("unconfirmed")) mailConfirmations(job);
  }

  /**
   * An import "as unconfirmed" asks each person to confirm: the subscriptions it left unconfirmed get the
   * double opt-in mail, after the merge committed. If the node stops half-way, the rest can be re-sent from
   * the subscriber page or the API; nobody is subscribed without confirming either way.
   */
  private void mailConfirmations(JobSpec job) {
    MailingLists.MailingList list = lists.basic(job.orgId(), job.listId()).orElse(null);
    if (list == null) return;
    List<Long> waiting = jdbc.sql("""
        select x.subscriber_id from subscription x
        where x.list_id = ? and x.status = 'unconfirmed'
          and exists (select 1 from consent_record c where c.subscriber_id = x.subscriber_id and c.list_id = x.list_id
                      and c.channel_ref = ?)""").params(job.listId(), "import:" + job.id()).query(Long.class).list();
    int sent = 0;
    for (long subscriberId : waiting) if (doubleOptIn.sendConfirmation(job.orgId(), subscriberId, list)) sent++;
    log.info("Import {}: {} confirmation mails sent, {} held back by the per-address limit", job.id(), sent, waiting.size() - sent);
  }

  /**
   * Sets aside the rows of {@code :job} whose address is suppressed. One table, no self-join:
   * import_row is never analyzed (it lives for one import), so for a join the planner guessed a handful
   * of rows and chose a nested loop over a million (a benchmark run sat in it for minutes). The
   * expression runs a second time only for the rows it refuses.
   */
  String suppressionScreening() {
    String refusal = screen.refusalSql("email_key");
    return "update import_row set skip = " + refusal + " where job_id = :job and skip is null and ("
        + "(coalesce(row_status, :importAs) in ('subscribed', 'unconfirmed') and " + refusal + " is not null)"
        + " or (coalesce(row_status, :importAs) not in ('subscribed', 'unconfirmed') and " + screen.erasedSql("email_key") + "))";
  }

  private static Job map(java.sql.ResultSet rs, int n) throws SQLException {
    return new Job(rs.getLong(1), (Long) rs.getObject(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getString(6),
        rs.getBoolean(7), List.of((String[]) rs.getArray(8).getArray()), rs.getString(9), (Long) rs.getObject(10), rs.getLong(11),
        rs.getLong(12), rs.getLong(13), rs.getLong(14), rs.getString(15), rs.getTimestamp(16).toInstant(),
        rs.getTimestamp(17) == null ? null : rs.getTimestamp(17).toInstant(),
        rs.getTimestamp(18) == null ? null : rs.getTimestamp(18).toInstant(), rs.getInt(19));
  }
}
