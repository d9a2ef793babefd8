package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.SqlFragment;
import dev.herald.tenancy.AuditLog;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.Normalizer;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.RowCallbackHandler;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.exc.JacksonIOException;
import tools.jackson.databind.ObjectMapper;

/**
 * Subscriber exports: a list, a segment or the whole organization, as CSV, XLSX or JSON, with custom
 * fields, subscriptions and consent records. One SQL statement per export, read through a server-side cursor
 * ({@link #FETCH_SIZE} rows at a time) and written to the output as it is read, so memory does not
 * grow with the list. Subscriptions and consent come from correlated subqueries in that statement,
 * never from a query per subscriber.
 *
 * <p>Use {@link #start} (checks, names the file, writes the audit entry, before any byte is sent) and
 * then {@link #write}.
 */
@Service
class Exports {
  private static final Logger log = LoggerFactory.getLogger(Exports.class);
  /** Rows per round trip from PostgreSQL: enough to stream fast, small enough to stay a few MB. */
  static final int FETCH_SIZE = 1_000;
  /** Column names a custom field key could collide with; such a field's column is "fields.key". */
  private static final Set<String> BUILT_IN = Set.of("email", "name", "tags", "created_at", "source", "status", "subscribed_at",
      "confirmed_at", "unsubscribed_at", "lists");

  private final JdbcClient jdbc;
  private final MailingLists lists;
  private final CustomFields fields;
  private final Segments segments;
  private final SuppressionScreen screen;
  private final AuditLog audit;
  private final ObjectMapper json;
  private final TransactionTemplate readOnly;
  private final Clock clock;
  /**
   * An export holds one pooled connection for as long as the client takes to download (a slow client
   * on a 1M export: minutes), so at most a quarter of the pool (at least one) exports at once on a
   * node; the next one is refused with 503 and Retry-After instead of starving every other request.
   */
  private final java.util.concurrent.Semaphore running;
  static final java.time.Duration SLOT_WAIT = java.time.Duration.ofSeconds(3);
  private final int slots;

  Exports(JdbcClient jdbc, MailingLists lists, CustomFields fields, Segments segments, SuppressionScreen screen, AuditLog audit,
      ObjectMapper json, PlatformTransactionManager transactions, Clock clock, dev.herald.platform.HeraldProperties properties) {
    this.screen = screen;
    this.slots = Math.max(1, properties.db().poolSize() / 4);
    this.running = new java.util.concurrent.Semaphore(slots);
    this.jdbc = jdbc;
    this.lists = lists;
    this.fields = fields;
    this.segments = segments;
    this.audit = audit;
    this.json = json;
    // PostgreSQL's driver only uses a cursor (honours the fetch size) with autocommit off, i.e. in a
    // transaction; without one it would read the whole result into memory first.
    this.readOnly = new TransactionTemplate(transactions);
    this.readOnly.setReadOnly(true);
    this.clock = clock;
  }

  /**
   * A checked export request: what the response needs before its first byte (the file name), and
   * what {@link #write} needs (the subscribers' source, resolved once, and the custom fields).
   */
  public record Export(long orgId, ExportFormat format, String fileName, List<CustomFields.Field> fields, Source source) {}

  /**
   * Checks the request (a list or segment must be the organization's: 404 otherwise; a segment whose
   * conditions no longer compile: 422), names the file and records the export in the audit log.
   * Nothing is written yet, so a refusal is still a clean problem response.
   */
  public Export start(long orgId, String orgSlug, ExportScope scope, ExportFormat format) {
    Target target = switch (scope) {
      case ExportScope.All all -> new Target(everyone(orgId), orgSlug, "organization", orgId, "all subscribers");
      case ExportScope.OfList of -> ofList(orgId, of);
      case ExportScope.OfSegment of -> ofSegment(orgId, of);
    };
    audit.record(orgId, "subscribers.exported", target.objectType(), target.objectId(), target.description() + ", " + format);
    String fileName = target.fileBase() + "-subscribers-" + LocalDate.now(clock) + "." + format.extension();
    return new Export(orgId, format, fileName, fields.list(orgId), target.source());
  }

  /**
   * Runs {@code export} while holding one of this node's export slots, or refuses with 503 when all stay
   * taken for {@link #SLOT_WAIT} (before anything is checked, audited or written).
   */
  int slots() {
    return slots;
  }

  <T> T withSlot(java.util.concurrent.Callable<T> export) throws IOException {
    boolean acquired;
    try {
      // A short wait: a client that starts the next download the moment the last one's bytes arrived would
      // otherwise meet the previous export still releasing its slot.
      acquired = running.tryAcquire(SLOT_WAIT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      acquired = false;
    }
    if (!acquired) {
      throw Refused.unavailable("Other exports are running on this server; try again in a minute.", java.time.Duration.ofMinutes(1));
    }
    try {
      return export.call();
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    } finally {
      running.release();
    }
  }

  /**
   * Writes the export to {@code out} (left open) and returns the number of subscribers written. A
   * failure half-way (the client went away, the database failed) throws: the response is then cut
   * off rather than ending as if complete.
   */
  public long write(Export export, OutputStream out) throws IOException {
    long began = System.nanoTime();
    OutputStream target = new KeepOpen(out);
    Long rows;
    try {
      rows = readOnly.execute(tx -> switch (export.format()) {
        case CSV, XLSX -> writeTable(export, target);
        case JSON -> writeJson(export, target);
      });
    } catch (UncheckedIOException e) {
      throw e.getCause(); // the client went away, typically: let the container see an IOException
    } catch (JacksonIOException e) {
      if (e.getCause() instanceof IOException io) throw io;
      throw e;
    }
    out.flush();
    log.info("Exported {} subscribers of organization {} as {} in {} ms", rows, export.orgId(), export.format(),
        (System.nanoTime() - began) / 1_000_000);
    return rows;
  }

  // ---- which subscribers ----------------------------------------------------------------------

  /**
   * The rows a scope selects, as FROM and WHERE over {@code subscriber s} with their parameters; for
   * a list also {@code x}, the subscription to it, whose status and times become columns.
   */
  record Source(String from, String where, Map<String, Object> params, boolean ofList) {
    /** Narrows a subquery over subscriptions or consent records (alias {@code alias}) to the list. */
    String onList(String alias) {
      return ofList ? " and " + alias + ".list_id = :list" : "";
    }
  }

  /** What a scope resolves to: its source, and how the file and the audit entry name it. */
  private record Target(Source source, String fileBase, String objectType, long objectId, String description) {}

  /**
   * Every scope leaves out the people whose processing is restricted (GDPR art. 18: their data is kept, not used); a
   * segment's conditions do so themselves ({@link Segments#matching}).
   */
  private Source everyone(long orgId) {
    SqlFragment unrestricted = screen.unrestrictedSql(orgId, "s", "rst_", false);
    return new Source("subscriber s", "s.organization_id = :org and " + unrestricted.sqlOver("s"),
        unrestricted.paramsWith(Map.of("org", orgId)), false);
  }

  private Target ofList(long orgId, ExportScope.OfList of) {
    MailingLists.MailingList list = lists.basic(orgId, of.listId()).orElseThrow(() -> Refused.notFound("List " + of.listId()));
    SqlFragment unrestricted = screen.unrestrictedSql(orgId, "s", "rst_", false);
    Map<String, Object> params = unrestricted.paramsWith(
        Map.of("org", orgId, "list", list.id(), "status", of.status() == null ? "" : of.status().text()));
    Source source = new Source("subscriber s join subscription x on x.subscriber_id = s.id and x.list_id = :list",
        "s.organization_id = :org and (:status = '' or x.status = :status) and " + unrestricted.sqlOver("s"), params, true);
    String fileBase = slug(list.name(), "list-" + list.id()) + (of.status() == null ? "" : "-" + of.status());
    String description = "list " + list.name() + (of.status() == null ? "" : ", status " + of.status());
    return new Target(source, fileBase, "list", list.id(), description);
  }

  /** The segment's conditions, compiled now by {@link Segments} to a fragment over {@code subscriber s}. */
  private Target ofSegment(long orgId, ExportScope.OfSegment of) {
    Segments.Segment segment = segments.find(orgId, of.segmentId())
        .orElseThrow(() -> Refused.notFound("Segment " + of.segmentId()));
    SqlFragment members = segments.matching(orgId, segment.conditions(), "seg_");
    Source source = new Source("subscriber s", members.sqlOver("s"), members.params(), false);
    return new Target(source, slug(segment.name(), "segment-" + segment.id()), "segment", segment.id(), "segment " + segment.name());
  }

  // ---- CSV and XLSX -------------------------------------------------------------------------

  private long writeTable(Export export, OutputStream out) {
    Source source = export.source();
    Map<String, Object> params = new HashMap<>(source.params());
    for (int i = 0; i < export.fields().size(); i++) params.put("key" + i, export.fields().get(i).key());
    long[] rows = {0};
    try {
      ExportTable table = ExportTable.open(export.format(), out);
      table.row(header(export, source).toArray());
      jdbc.sql(tableQuery(export, source)).params(params).withFetchSize(FETCH_SIZE).query((RowCallbackHandler) rs -> {
        try {
          table.row(tableRow(rs, export, source));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        rows[0]++;
      });
      // Not try-with-resources: after a failure the file must stay unfinished (an XLSX without its
      // end, a CSV without the rest), never be closed off to look like a complete, shorter export.
      table.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return rows[0];
  }

  /**
   * email, name, tags, created_at, source; one column per custom field (key order); the list's
   * subscription (status and its times) or, for all subscribers, "lists" as "News:subscribed;
   * Offers:unsubscribed"; then the latest consent record (for a list: the latest for that list).
   */
  private static List<String> header(Export export, Source source) {
    List<String> header = new ArrayList<>(List.of("email", "name", "tags", "created_at", "source"));
    for (CustomFields.Field f : export.fields()) header.add(BUILT_IN.contains(f.key()) ? "fields." + f.key() : f.key());
    if (source.ofList()) {
      header.addAll(List.of("status", "subscribed_at", "confirmed_at", "unsubscribed_at"));
    } else {
      header.add("lists");
    }
    header.addAll(List.of("consent_given_at", "consent_channel", "consent_basis", "consent_ip", "consent_confirmed_at",
        "consent_withdrawn_at", "consent_text"));
    if (!source.ofList()) header.add("consent_list");
    return header;
  }

  private static String tableQuery(Export export, Source source) {
    StringBuilder fieldColumns = new StringBuilder();
    for (int i = 0; i < export.fields().size(); i++) fieldColumns.append(", s.attributes ->> :key").append(i).append(" as field").append(i);
    String membership = source.ofList()
        ? "x.status, x.created_at as subscribed_at, x.confirmed_at, x.unsubscribed_at"
        : """
          (select string_agg(l.name || ':' || m.status, '; ' order by l.name)
           from subscription m join mailing_list l on l.id = m.list_id where m.subscriber_id = s.id) as lists""";
    return """
        select s.email, s.name, s.tags, s.created_at, s.source%s,
          %s,
          latest.given_at as consent_given_at, latest.channel as consent_channel, latest.basis as consent_basis,
          latest.ip as consent_ip, latest.confirmed_at as consent_confirmed_at, latest.withdrawn_at as consent_withdrawn_at,
          latest.body as consent_text, latest.list_name as consent_list
        from %s
        left join lateral (
          select c.given_at, c.channel, c.basis, c.ip, c.confirmed_at, c.withdrawn_at, t.body, l.name as list_name
          from consent_record c
          left join consent_text t on t.id = c.consent_text_id
          left join mailing_list l on l.id = c.list_id
          where c.subscriber_id = s.id%s
          order by c.given_at desc, c.id desc limit 1) latest on true
        where %s
        order by s.id""".formatted(fieldColumns, membership, source.from(), source.onList("c"), source.where());
  }

  private static Object[] tableRow(ResultSet rs, Export export, Source source) throws SQLException {
    List<Object> cells = new ArrayList<>(24);
    cells.add(rs.getString("email"));
    cells.add(rs.getString("name"));
    cells.add(String.join(", ", (String[]) rs.getArray("tags").getArray()));
    cells.add(instant(rs, "created_at"));
    cells.add(rs.getString("source"));
    for (int i = 0; i < export.fields().size(); i++) cells.add(typed(export.fields().get(i), rs.getString("field" + i)));
    if (source.ofList()) {
      cells.add(rs.getString("status"));
      cells.add(instant(rs, "subscribed_at"));
      cells.add(instant(rs, "confirmed_at"));
      cells.add(instant(rs, "unsubscribed_at"));
    } else {
      cells.add(rs.getString("lists"));
    }
    cells.add(instant(rs, "consent_given_at"));
    cells.add(rs.getString("consent_channel"));
    cells.add(rs.getString("consent_basis"));
    cells.add(rs.getString("consent_ip"));
    cells.add(instant(rs, "consent_confirmed_at"));
    cells.add(instant(rs, "consent_withdrawn_at"));
    cells.add(rs.getString("consent_text"));
    if (!source.ofList()) cells.add(rs.getString("consent_list"));
    return cells.toArray();
  }

  /**
   * A field's stored value (JSON of its type, read as text) as a typed cell, so XLSX gets a number,
   * a date or TRUE/FALSE. A value that does not read as its type stays text (and is neutralized).
   */
  static Object typed(CustomFields.Field field, String value) {
    if (value == null) return null;
    try {
      return switch (field.type()) {
        case "number" -> new BigDecimal(value);
        case "date" -> LocalDate.parse(value);
        case "boolean" -> switch (value) {
          case "true" -> Boolean.TRUE;
          case "false" -> Boolean.FALSE;
          default -> value;
        };
        default -> value;
      };
    } catch (RuntimeException notOfItsType) {
      return value;
    }
  }

  private static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  // ---- JSON ---------------------------------------------------------------------------------

  /**
   * An array of subscribers shaped like the API's (camelCase), each with all its subscriptions
   * ("lists") and all its consent records, newest first ("consent"); for a list export only that
   * list's. PostgreSQL builds the nested arrays (json_agg of a subselect's rows: some 40% less database
   * time than json_build_object with to_char, measured on 200k rows); Jackson copies them through token by
   * token (exactly, so 19.90 stays 19.90) into one compact document. No neutralization: JSON is not
   * opened by spreadsheets, and its consumers need the values as they are.
   */
  private long writeJson(Export export, OutputStream out) {
    Source source = export.source();
    // JSON renders a timestamptz in the session's time zone: make every time ISO 8601 UTC (…+00:00).
    jdbc.sql("set local time zone 'UTC'").update();
    long[] rows = {0};
    JsonGenerator g = json.createGenerator(out);
    g.writeStartArray();
    jdbc.sql(jsonQuery(source)).params(source.params()).withFetchSize(FETCH_SIZE).query((RowCallbackHandler) rs -> {
      writeSubscriber(g, rs);
      rows[0]++;
    });
    g.writeEndArray();
    // Closed only on success: Jackson's close() ends open arrays, which would make a cut-off export valid JSON.
    g.close();
    return rows[0];
  }

  private static String jsonQuery(Source source) {
    return """
        select s.id, s.email, s.name, s.tags, s.source, to_json(s.created_at) #>> '{}' as created_at,
          to_json(s.updated_at) #>> '{}' as updated_at, s.attributes::text as fields,
          (select coalesce(json_agg(j), '[]')::text from (
             select l.id as "listId", l.name as "listName", m.status, m.created_at as "createdAt", m.confirmed_at as "confirmedAt",
                    m.unsubscribed_at as "unsubscribedAt"
             from subscription m join mailing_list l on l.id = m.list_id
             where m.subscriber_id = s.id%s
             order by l.name) j) as lists,
          (select coalesce(json_agg(j), '[]')::text from (
             select c.id, c.list_id as "listId", l.name as "listName", c.channel, c.channel_ref as "channelRef",
                    t.body as "consentText", c.basis, c.ip, c.user_agent as "userAgent", c.given_at as "givenAt",
                    c.confirmed_at as "confirmedAt", c.withdrawn_at as "withdrawnAt"
             from consent_record c
             left join mailing_list l on l.id = c.list_id
             left join consent_text t on t.id = c.consent_text_id
             where c.subscriber_id = s.id%s
             order by c.given_at desc, c.id desc) j) as consent
        from %s
        where %s
        order by s.id""".formatted(source.onList("m"), source.onList("c"), source.from(), source.where());
  }

  private void writeSubscriber(JsonGenerator g, ResultSet rs) throws SQLException {
    g.writeStartObject();
    g.writeNumberProperty("id", rs.getLong("id"));
    g.writeStringProperty("email", rs.getString("email"));
    g.writeStringProperty("name", rs.getString("name"));
    g.writeArrayPropertyStart("tags");
    for (String tag : (String[]) rs.getArray("tags").getArray()) g.writeString(tag);
    g.writeEndArray();
    g.writeStringProperty("source", rs.getString("source"));
    g.writeStringProperty("createdAt", rs.getString("created_at"));
    g.writeStringProperty("updatedAt", rs.getString("updated_at"));
    copy(g, "fields", rs.getString("fields"));
    copy(g, "lists", rs.getString("lists"));
    copy(g, "consent", rs.getString("consent"));
    g.writeEndObject();
  }

  private void copy(JsonGenerator g, String name, String rawJson) {
    g.writeName(name);
    try (JsonParser p = json.createParser(rawJson)) {
      p.nextToken();
      g.copyCurrentStructureExact(p);
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  /** "Summer News 2026!" → "summer-news-2026", for a file name; {@code fallback} when nothing is left. */
  static String slug(String name, String fallback) {
    String ascii = Normalizer.normalize(name, Normalizer.Form.NFKD).replaceAll("\\p{M}", "");
    String slug = ascii.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
    if (slug.length() > 60) slug = slug.substring(0, 60).replaceAll("-+$", "");
    return slug.isEmpty() ? fallback : slug;
  }

  /** The writers close what they wrap when they finish; the response stream is the servlet container's to close. */
  private static final class KeepOpen extends FilterOutputStream {
    KeepOpen(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len); // FilterOutputStream would write byte by byte
    }

    @Override
    public void close() throws IOException {
      out.flush();
    }
  }
}
