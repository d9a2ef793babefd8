package dev.herald.privacy;

import dev.herald.platform.personaldata.DataSubject;
import dev.herald.platform.personaldata.PersonalDataArchive;
import dev.herald.platform.personaldata.PersonalDataColumn;
import dev.herald.platform.personaldata.PersonalDataHolder;
import dev.herald.platform.personaldata.PersonalDataTable;
import dev.herald.platform.personaldata.RetentionCategory;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.springframework.web.util.HtmlUtils;
import tools.jackson.databind.ObjectMapper;

/**
 * The ZIP an access or portability request gives the person (GDPR articles 15 and 20): {@code summary.html} to read
 * (every value HTML-escaped), {@code data.json} with every section, and one CSV per section ({@code csv/...}, formulas
 * neutralized as every export of Herald's is, DESIGN.md security rule 6). Besides the data, it states what article 15
 * asks: the purposes of each kind of data, the recipients, and how long each kind is kept. Built in memory: one
 * person's data, not an organization's.
 */
final class AccessArchive implements PersonalDataArchive {
  /**
   * Recipients (article 15(1)(c)): the organization, and the sub-processors the operator lists ({@link SubProcessors},
   * the public privacy page's list). Said in words when the operator lists none.
   */
  static final String RECIPIENTS_NONE = "Only the organization and the operator of this installation process your data; the operator"
      + " lists no sub-processors.";

  record Recipient(String name, String purpose, String location, String url) {}

  record Section(String capability, String name, String description, List<Map<String, Object>> rows) {}

  private final List<Section> sections = new ArrayList<>();

  @Override
  public void section(String capability, String name, String description, List<Map<String, Object>> rows) {
    sections.add(new Section(capability, name, description, rows == null ? List.of() : List.copyOf(rows)));
  }

  List<Section> sections() {
    return sections;
  }

  /** Asks every holder, left to right, for what it holds about the person. */
  static AccessArchive collect(PersonalDataMap map, DataSubject person) {
    AccessArchive archive = new AccessArchive();
    for (PersonalDataHolder h : map.holders()) h.export(person, archive);
    return archive;
  }

  record Purpose(String capability, String table, String purpose, List<String> categories) {}

  record Retention(String category, String period) {}

  /** Each personal table of the map (subscriber data only) and why it is kept. */
  static List<Purpose> purposes(PersonalDataMap map) {
    List<Purpose> purposes = new ArrayList<>();
    for (PersonalDataHolder h : map.holders()) {
      for (PersonalDataTable t : h.tables()) {
        if (t.subject() == null || t.subject() != dev.herald.platform.personaldata.DataSubjectKind.SUBSCRIBER) continue;
        Set<String> categories = new LinkedHashSet<>();
        for (PersonalDataColumn c : t.columns()) categories.add(c.category().text());
        purposes.add(new Purpose(h.capability(), t.table(), t.purpose(), List.copyOf(categories)));
      }
    }
    return purposes;
  }

  /**
   * The retention categories of the subscriber columns the map lists, with the schedule that applies to the organization
   * ({@code schedules}: a category's words, e.g. "30 days"; a category it has none for is described by its default).
   */
  static List<Retention> retention(PersonalDataMap map, Map<RetentionCategory, String> schedules) {
    Set<RetentionCategory> used = new java.util.TreeSet<>();
    for (PersonalDataHolder h : map.holders()) {
      for (PersonalDataTable t : h.tables()) {
        if (t.subject() != dev.herald.platform.personaldata.DataSubjectKind.SUBSCRIBER) continue;
        for (PersonalDataColumn c : t.columns()) used.add(c.retention());
      }
    }
    List<Retention> out = new ArrayList<>();
    for (RetentionCategory c : used) {
      out.add(new Retention(c.text(), c.defaultPeriod() == null
          ? "as long as you are in the organization's audience, until you ask for erasure or the organization's account is closed"
          : schedules.getOrDefault(c, describe(c.defaultPeriod()))));
    }
    return out;
  }

  private static String describe(java.time.Period p) {
    if (p.getYears() > 0) return p.getYears() + (p.getYears() == 1 ? " year" : " years");
    if (p.getMonths() > 0) return p.getMonths() + (p.getMonths() == 1 ? " month" : " months");
    return p.getDays() + (p.getDays() == 1 ? " day" : " days");
  }

  /** The ZIP's bytes. */
  byte[] zip(ObjectMapper json, String organizationName, String address, Instant generatedAt, List<Purpose> purposes,
      List<Recipient> recipients, List<Retention> retention) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes, StandardCharsets.UTF_8)) {
      entry(zip, "summary.html", summary(organizationName, address, generatedAt, purposes, recipients, retention).getBytes(StandardCharsets.UTF_8));
      Map<String, Object> document = new LinkedHashMap<>();
      document.put("organization", organizationName);
      document.put("address", address);
      document.put("generatedAt", time(generatedAt));
      List<Map<String, Object>> jsonSections = new ArrayList<>();
      for (Section s : sections) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("capability", s.capability());
        m.put("name", s.name());
        m.put("description", s.description());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (Map<String, Object> row : s.rows()) {
          Map<String, Object> plain = new LinkedHashMap<>();
          row.forEach((k, v) -> plain.put(k, plain(v)));
          rows.add(plain);
        }
        m.put("rows", rows);
        jsonSections.add(m);
      }
      document.put("sections", jsonSections);
      document.put("purposes", purposes);
      document.put("recipients", recipients.isEmpty() ? RECIPIENTS_NONE : recipients);
      document.put("retention", retention);
      entry(zip, "data.json", json.writerWithDefaultPrettyPrinter().writeValueAsBytes(document));
      Set<String> names = new java.util.HashSet<>();
      for (Section s : sections) {
        String base = "csv/" + fileName(s.capability() + "-" + s.name());
        String name = base + ".csv";
        for (int i = 2; !names.add(name); i++) name = base + "-" + i + ".csv";
        entry(zip, name, csv(s));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }

  private static void entry(ZipOutputStream zip, String name, byte[] content) throws IOException {
    zip.putNextEntry(new ZipEntry(name));
    zip.write(content);
    zip.closeEntry();
  }

  static String fileName(String text) {
    String s = text.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("(^-|-$)", "");
    return s.isEmpty() ? "section" : s;
  }

  /** A section's rows as CSV: the union of the rows' keys as the header, in first-seen order. */
  static byte[] csv(Section s) {
    Set<String> columns = new LinkedHashSet<>();
    for (Map<String, Object> row : s.rows()) columns.addAll(row.keySet());
    StringBuilder out = new StringBuilder("\uFEFF");
    line(out, new ArrayList<>(columns));
    for (Map<String, Object> row : s.rows()) {
      List<String> cells = new ArrayList<>();
      for (String c : columns) cells.add(text(row.get(c)));
      line(out, cells);
    }
    return out.toString().getBytes(StandardCharsets.UTF_8);
  }

  private static void line(StringBuilder out, List<String> cells) {
    for (int i = 0; i < cells.size(); i++) {
      if (i > 0) out.append(',');
      String s = neutralize(cells.get(i));
      boolean quote = s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
      out.append(quote ? '"' + s.replace("\"", "\"\"") + '"' : s);
    }
    out.append("\r\n");
  }

  /**
   * DESIGN.md security rule 6, as audiences' exports do it: a cell starting with {@code = + - @}, a tab or a CR is a
   * formula to a spreadsheet (a subscriber's name {@code =HYPERLINK(...)} would run in the person's Excel), so it gets
   * a leading single quote.
   */
  static String neutralize(String text) {
    if (text.isEmpty()) return text;
    char c = text.charAt(0);
    return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' || c == '\r' ? "'" + text : text;
  }

  /** A value as one cell or one line of the summary: maps and lists as JSON-like text. */
  static String text(Object value) {
    return switch (value) {
      case null -> "";
      case Instant t -> time(t);
      case java.sql.Timestamp t -> time(t.toInstant());
      case java.time.OffsetDateTime t -> time(t.toInstant());
      case LocalDate d -> d.toString();
      case Map<?, ?> m -> {
        StringBuilder b = new StringBuilder("{");
        m.forEach((k, v) -> b.append(b.length() > 1 ? ", " : "").append(k).append(": ").append(text(v)));
        yield b.append('}').toString();
      }
      case Collection<?> c -> String.join(", ", c.stream().map(AccessArchive::text).toList());
      case Object[] a -> String.join(", ", java.util.Arrays.stream(a).map(AccessArchive::text).toList());
      case byte[] b -> java.util.HexFormat.of().formatHex(b);
      default -> value.toString();
    };
  }

  /** A value as JSON carries it: times as ISO 8601 text, maps and lists kept. */
  private static Object plain(Object value) {
    return switch (value) {
      case null -> null;
      case Instant t -> time(t);
      case java.sql.Timestamp t -> time(t.toInstant());
      case java.time.OffsetDateTime t -> time(t.toInstant());
      case LocalDate d -> d.toString();
      case Map<?, ?> m -> {
        Map<String, Object> out = new TreeMap<>();
        m.forEach((k, v) -> out.put(String.valueOf(k), plain(v)));
        yield out;
      }
      case Collection<?> c -> c.stream().map(AccessArchive::plain).toList();
      case Object[] a -> java.util.Arrays.stream(a).map(AccessArchive::plain).toList();
      case byte[] b -> java.util.HexFormat.of().formatHex(b);
      case String s -> s;
      case Number n -> n;
      case Boolean b -> b;
      default -> value.toString();
    };
  }

  private static String time(Instant t) {
    return DateTimeFormatter.ISO_INSTANT.format(t.truncatedTo(ChronoUnit.SECONDS));
  }

  private static String esc(String s) {
    return HtmlUtils.htmlEscape(s == null ? "" : s, "UTF-8");
  }

  /** The readable summary: a self-contained page, every value escaped, no script and no remote resource. */
  String summary(String organizationName, String address, Instant generatedAt, List<Purpose> purposes, List<Recipient> recipients,
      List<Retention> retention) {
    StringBuilder h = new StringBuilder();
    h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
        .append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">")
        .append("<title>Your data held by ").append(esc(organizationName)).append("</title>")
        .append("<style>body{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}")
        .append("table{border-collapse:collapse;margin-bottom:1.5rem}td,th{border:1px solid #ccc;padding:.25rem .5rem;")
        .append("text-align:left;vertical-align:top}</style></head><body>\n");
    h.append("<h1>Your data held by ").append(esc(organizationName)).append("</h1>\n");
    h.append("<p>For ").append(esc(address)).append(", generated ").append(esc(time(generatedAt)))
        .append(". The same data is in data.json and, one file per section, in the csv folder.</p>\n");
    h.append("<h2>Contents</h2><ul>");
    for (Section s : sections) {
      h.append("<li>").append(esc(s.capability())).append(": ").append(esc(s.name())).append(" (")
          .append(s.rows().size()).append(s.rows().size() == 1 ? " item" : " items").append(")</li>");
    }
    h.append("</ul>\n");
    for (Section s : sections) {
      h.append("<h2>").append(esc(s.name())).append(" <small>(").append(esc(s.capability())).append(")</small></h2>\n");
      if (s.description() != null && !s.description().isBlank()) h.append("<p>").append(esc(s.description())).append("</p>\n");
      if (s.rows().isEmpty()) {
        h.append("<p>Nothing.</p>\n");
        continue;
      }
      Set<String> columns = new LinkedHashSet<>();
      for (Map<String, Object> row : s.rows()) columns.addAll(row.keySet());
      h.append("<table><thead><tr>");
      for (String c : columns) h.append("<th scope=\"col\">").append(esc(c)).append("</th>");
      h.append("</tr></thead><tbody>\n");
      for (Map<String, Object> row : s.rows()) {
        h.append("<tr>");
        for (String c : columns) h.append("<td>").append(esc(text(row.get(c)))).append("</td>");
        h.append("</tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    h.append("<h2>Why this data is kept</h2>\n<table><thead><tr><th scope=\"col\">Data</th><th scope=\"col\">Kinds</th>")
        .append("<th scope=\"col\">Purpose</th></tr></thead><tbody>\n");
    for (Purpose p : purposes) {
      h.append("<tr><td>").append(esc(p.capability() + ": " + p.table())).append("</td><td>")
          .append(esc(String.join(", ", p.categories()))).append("</td><td>").append(esc(p.purpose())).append("</td></tr>\n");
    }
    h.append("</tbody></table>\n<h2>Who receives it</h2>\n");
    if (recipients.isEmpty()) {
      h.append("<p>").append(esc(RECIPIENTS_NONE)).append("</p>\n");
    } else {
      h.append("<p>The organization, and the sub-processors of this installation:</p>\n<table><thead><tr><th scope=\"col\">Name</th>")
          .append("<th scope=\"col\">Purpose</th><th scope=\"col\">Location</th><th scope=\"col\">Link</th></tr></thead><tbody>\n");
      for (Recipient r : recipients) {
        h.append("<tr><td>").append(esc(r.name())).append("</td><td>").append(esc(r.purpose())).append("</td><td>")
            .append(esc(r.location())).append("</td><td>").append(esc(r.url())).append("</td></tr>\n");
      }
      h.append("</tbody></table>\n");
    }
    h.append("<h2>How long it is kept</h2>\n<table><thead><tr><th scope=\"col\">Kind</th><th scope=\"col\">Kept for</th>")
        .append("</tr></thead><tbody>\n");
    for (Retention r : retention) {
      h.append("<tr><td>").append(esc(r.category())).append("</td><td>").append(esc(r.period())).append("</td></tr>\n");
    }
    h.append("</tbody></table>\n</body></html>\n");
    return h.toString();
  }
}
