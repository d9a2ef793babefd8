package dev.herald.audiences;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.ObjectMapper;

/**
 * Turns one row of an import file into a staged subscriber (or a reason to reject it), following the
 * column mapping: email, name / first_name + last_name, tags, optin_* evidence, field:&lt;key&gt;.
 */
final class RowConverter {
  private static final DateTimeFormatter MAILCHIMP_TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private final Map<String, String> mapping;
  private final Map<String, CustomFields.Field> fields;
  private final ObjectMapper json;
  private int email = -1, name = -1, first = -1, last = -1, tags = -1, optinTime = -1, optinIp = -1, confirmTime = -1,
      unsubscribedAt = -1, bouncedAt = -1, attributes = -1;
  private final Map<Integer, CustomFields.Field> fieldColumns = new LinkedHashMap<>();
  /** Status columns and the meaning of their values, from the file's layout. */
  private final Map<Integer, Map<String, SubscriptionStatus>> statusColumns = new LinkedHashMap<>();
  private ImportLayouts.Layout layout = ImportLayouts.UNRECOGNIZED;
  /** The file's headers, which a JSON file extends as it is read; {@code bound} of them are bound to targets. */
  private List<String> headers = List.of();
  private int bound;
  /** Keys of an "attributes" column (listmonk's) that have no custom field yet: they become text fields. */
  private final Set<String> newFields = new LinkedHashSet<>();

  RowConverter(Map<String, String> mapping, Map<String, CustomFields.Field> fields, ObjectMapper json) {
    this.mapping = mapping;
    this.fields = fields;
    this.json = json;
  }

  sealed interface Result {}

  /** {@code rowStatus}: unsubscribed or bounced when the row says so (null: the import's "import as"), since {@code statusTime}. */
  record Accepted(long line, EmailAddress address, String name, String attributesJson, List<String> tags, OffsetDateTime optinTime,
      String optinIp, OffsetDateTime confirmTime, SubscriptionStatus rowStatus, OffsetDateTime statusTime) implements Result {

    /** One line of COPY's text format: tab-separated, \N for null, backslash escapes. */
    void appendCopyLine(long jobId, StringBuilder out) {
      out.append(jobId).append('\t').append(line).append('\t');
      escape(address.address(), out);
      out.append('\t');
      escape(address.key(), out);
      out.append('\t').append(address.smtputf8() ? 't' : 'f').append('\t');
      escape(name, out);
      out.append('\t');
      escape(attributesJson, out);
      out.append('\t');
      escape(textArray(tags), out);
      out.append('\t');
      escape(optinTime == null ? null : optinTime.toString(), out);
      out.append('\t');
      escape(optinIp, out);
      out.append('\t');
      escape(confirmTime == null ? null : confirmTime.toString(), out);
      out.append('\t');
      escape(rowStatus == null ? null : rowStatus.text(), out);
      out.append('\t');
      escape(statusTime == null ? null : statusTime.toString(), out);
      out.append('\n');
    }
  }

  /**
   * A row set aside, stored in import_error. Reason and value may quote the file, so forbidden control
   * characters are replaced: a NUL would make storing the rejection fail and with it the whole import.
   */
  record Rejected(String reason, String value) implements Result {
    Rejected {
      reason = Text.visible(reason);
      value = Text.visible(value);
    }
  }

  /** Binds the columns to their targets; {@code headers} may be a live view that grows (JSON), see {@link #convert}. */
  void bind(List<String> headers) {
    this.headers = headers;
    this.layout = ImportLayouts.recognize(headers);
    bindFrom(0);
    if (email < 0) throw new ImportFiles.BadFile(1, "No column is mapped to email (columns: " + String.join(", ", headers) + ").");
  }

  /** The recognized layout's name, or null. */
  String layout() {
    return layout.name();
  }

  /** Custom fields the rows so far need and that do not exist yet; the caller creates them as text fields. */
  Set<String> takeNewFields() {
    Set<String> out = new LinkedHashSet<>(newFields);
    newFields.clear();
    return out;
  }

  private void bindFrom(int start) {
    int size = headers.size();
    for (int i = start; i < size; i++) {
      String target = mapping.getOrDefault(headers.get(i), "ignore");
      switch (target) {
        case "email" -> email = i;
        case "name" -> name = i;
        case "first_name" -> first = i;
        case "last_name" -> last = i;
        case "tags" -> tags = i;
        case "optin_time" -> optinTime = i;
        case "optin_ip" -> optinIp = i;
        case "confirm_time" -> confirmTime = i;
        case "unsubscribed_at" -> unsubscribedAt = i;
        case "bounced_at" -> bouncedAt = i;
        case "status" -> statusColumns.put(i, layout.statusWords(headers.get(i)));
        case "attributes" -> attributes = i;
        case "ignore", "confirm_ip" -> { }
        default -> {
          if (target.startsWith("field:") && fields.containsKey(target.substring(6))) fieldColumns.put(i, fields.get(target.substring(6)));
        }
      }
    }
    bound = size;
  }

  Result convert(ImportFiles.Row row) {
    // A key first seen in this JSON object was appended to the headers: bind it before reading the row.
    if (headers.size() > bound) bindFrom(bound);
    if (row.cellCountMismatch()) {
      return new Rejected("the row has " + row.cellCount() + " cells, the header has " + row.cells().size(), abbreviate(cell(row, email)));
    }
    // The encoding is decided on the file's first 64 KB; a later byte invalid in it is decoded as U+FFFD. Such a row is
    // set aside with its line rather than imported with a damaged name.
    for (String c : row.cells()) {
      if (c != null && c.indexOf('\uFFFD') >= 0) {
        return new Rejected("a character on this line could not be read: the file mixes text encodings; save it as UTF-8 and"
            + " import this row again", abbreviate(cell(row, email)));
      }
    }
    String rawEmail = cell(row, email);
    if (rawEmail.isBlank()) return new Rejected("missing email", "");
    EmailAddress address;
    switch (EmailAddress.parse(rawEmail)) {
      case EmailAddress.Valid v -> address = v.address();
      case EmailAddress.Invalid i -> {
        return new Rejected("invalid email: " + i.reason(), abbreviate(rawEmail));
      }
    }
    // PostgreSQL text cannot hold a NUL (COPY fails, and with it the import); checked before trim(), which would drop one at an end.
    for (int column : new int[] {name, first, last, optinIp}) {
      String problem = Text.controlProblem(cell(row, column));
      if (problem != null) return new Rejected(target(column) + ": " + problem + " cannot be stored", abbreviate(cell(row, column)));
    }
    String fullName = fullName(cell(row, name).trim(), cell(row, first).trim(), cell(row, last).trim());
    if (fullName.length() > 200) return new Rejected("name is longer than 200 characters", abbreviate(fullName));
    Map<String, Object> values = new LinkedHashMap<>();
    for (Map.Entry<Integer, CustomFields.Field> c : fieldColumns.entrySet()) {
      try {
        Object v = CustomFields.convert(c.getValue(), cell(row, c.getKey()));
        if (v != null) values.put(c.getValue().key(), v);
      } catch (Refused p) {
        return new Rejected(c.getValue().key() + ": " + p.getMessage(), abbreviate(cell(row, c.getKey())));
      }
    }
    if (attributes >= 0 && !cell(row, attributes).isBlank()) {
      Rejected refused = putAttributes(cell(row, attributes), values);
      if (refused != null) return refused;
    }
    List<String> tagList;
    try {
      tagList = Tags.clean("tags", tags >= 0 ? splitTags(cell(row, tags), layout.tagSplit()) : List.of());
    } catch (Refused p) {
      return new Rejected(p.getMessage(), abbreviate(cell(row, tags)));
    }
    // Bounced wins over unsubscribed: an address that bounces for good must not be mailed, whatever the person wanted.
    SubscriptionStatus rowStatus = null;
    OffsetDateTime statusTime = null;
    if (!cell(row, bouncedAt).isBlank()) {
      rowStatus = SubscriptionStatus.BOUNCED;
      statusTime = time(cell(row, bouncedAt));
    } else if (!cell(row, unsubscribedAt).isBlank()) {
      rowStatus = SubscriptionStatus.UNSUBSCRIBED;
      statusTime = time(cell(row, unsubscribedAt));
    }
    for (Map.Entry<Integer, Map<String, SubscriptionStatus>> c : statusColumns.entrySet()) {
      String value = cell(row, c.getKey());
      try {
        rowStatus = ImportLayouts.stricter(rowStatus, ImportLayouts.status(statusValues(value), c.getValue()));
      } catch (ImportLayouts.UnknownStatus unknown) {
        return new Rejected(headers.get(c.getKey()) + ": the status '" + abbreviate(unknown.getMessage()) + "' is not one Herald"
            + " knows, so this person is not imported (Herald imports subscribed, unconfirmed, unsubscribed, bounced and"
            + " complained people)", abbreviate(rawEmail));
      }
    }
    // "subscribed" in the file: the import's "import as" applies, as for a file that says nothing.
    if (rowStatus == SubscriptionStatus.SUBSCRIBED) rowStatus = null;
    return new Accepted(row.line(), address, fullName.isEmpty() ? null : fullName, json.writeValueAsString(values), tagList,
        time(cell(row, optinTime)), blankToNull(cell(row, optinIp)), time(cell(row, confirmTime)), rowStatus, statusTime);
  }

  /**
   * One name from the name columns: a file with "Name" and "Surname" holds the first name in "Name", so the parts a
   * name column does not already contain are added rather than dropped.
   */
  static String fullName(String name, String first, String last) {
    StringBuilder out = new StringBuilder(name);
    for (String part : new String[] {first, last}) {
      if (part.isEmpty() || containsWord(out.toString(), part)) continue;
      if (!out.isEmpty()) out.append(' ');
      out.append(part);
    }
    return out.toString();
  }

  private static boolean containsWord(String text, String part) {
    return (" " + text + " ").contains(" " + part + " ");
  }

  /**
   * The values of one status cell: a JSON array of objects with a "status" (Herald's JSON export), "list:status"
   * pairs separated by ";" (Herald's CSV export of everyone), or one word.
   */
  private List<String> statusValues(String cell) {
    String v = cell.strip();
    if (v.startsWith("[")) {
      List<String> out = new ArrayList<>();
      try {
        for (tools.jackson.databind.JsonNode item : json.readTree(v)) {
          tools.jackson.databind.JsonNode status = item.get("status");
          out.add(status == null || status.isNull() ? "(none)" : status.asString());
        }
      } catch (tools.jackson.core.JacksonException e) {
        return List.of(v);
      }
      return out.isEmpty() ? List.of("") : out;
    }
    if (!v.contains(":")) return List.of(v);
    List<String> out = new ArrayList<>();
    for (String part : v.split(";")) out.add(part.substring(part.lastIndexOf(':') + 1));
    return out;
  }

  /**
   * A JSON object of custom values (listmonk's "attributes"): each key becomes a custom field, typed if the field
   * exists, else a new text field; a nested value is kept as its JSON text. Null when the values were taken.
   */
  private Rejected putAttributes(String cell, Map<String, Object> values) {
    tools.jackson.databind.JsonNode tree;
    try {
      tree = json.readTree(cell);
    } catch (tools.jackson.core.JacksonException e) {
      tree = null;
    }
    if (tree == null || !tree.isObject()) {
      return new Rejected(headers.get(attributes) + ": not a JSON object of values such as {\"city\": \"Nice\"}", abbreviate(cell));
    }
    for (Map.Entry<String, tools.jackson.databind.JsonNode> e : tree.properties()) {
      String key = SubscriberFileMapping.slug(e.getKey());
      if (key.isEmpty()) key = "attribute";
      tools.jackson.databind.JsonNode v = e.getValue();
      if (v.isNull()) continue;
      String text = v.isValueNode() ? v.asString() : v.toString();
      CustomFields.Field field = fields.get(key);
      if (field == null) {
        newFields.add(key);
        values.putIfAbsent(key, text);
        continue;
      }
      try {
        Object converted = CustomFields.convert(field, text);
        if (converted != null) values.putIfAbsent(key, converted);
      } catch (Refused p) {
        return new Rejected(headers.get(attributes) + "." + e.getKey() + ": " + p.getMessage(), abbreviate(text));
      }
    }
    return null;
  }

  private String target(int column) {
    return column == name ? "name" : column == first ? "first name" : column == last ? "last name" : "optin_ip";
  }

  /**
   * Splits a tag cell on the layout's separator; Mailchimp writes tags as {@code "vip","newsletter"}, so quotes
   * around a tag are dropped.
   */
  static List<String> splitTags(String cell, java.util.regex.Pattern separator) {
    List<String> out = new ArrayList<>();
    for (String part : separator.split(cell)) {
      // strip(), not trim(), which drops control characters at the ends: Tags.clean refuses them instead.
      String t = part.strip();
      if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) t = t.substring(1, t.length() - 1).strip();
      out.add(t);
    }
    return out;
  }

  private static String cell(ImportFiles.Row row, int index) {
    if (index < 0 || index >= row.cells().size()) return "";
    String v = row.cells().get(index);
    return v == null ? "" : v;
  }

  /** Mailchimp writes "2024-05-28 09:52:58" (UTC); ISO-8601 is accepted too; anything else is left out. */
  static OffsetDateTime time(String value) {
    String v = value.trim();
    if (v.isEmpty()) return null;
    try {
      return LocalDateTime.parse(v, MAILCHIMP_TIME).atOffset(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(v);
      } catch (DateTimeParseException e2) {
        return null;
      }
    }
  }

  private static String blankToNull(String s) {
    return s.isBlank() ? null : s.trim();
  }

  private static String abbreviate(String s) {
    return s.length() > 200 ? s.substring(0, 200) + "…" : s;
  }

  static String textArray(List<String> items) {
    Set<String> unique = new LinkedHashSet<>(items);
    List<String> quoted = new ArrayList<>();
    for (String t : unique) quoted.add('"' + t.replace("\\", "\\\\").replace("\"", "\\\"") + '"');
    return "{" + String.join(",", quoted) + "}";
  }

  static void escape(String value, StringBuilder out) {
    if (value == null) {
      out.append("\\N");
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\' -> out.append("\\\\");
        case '\t' -> out.append("\\t");
        case '\n' -> out.append("\\n");
        case '\r' -> out.append("\\r");
        default -> out.append(c);
      }
    }
  }
}
