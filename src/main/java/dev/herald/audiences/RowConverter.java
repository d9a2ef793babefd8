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
      unsubscribedAt = -1, bouncedAt = -1;
  private final Map<Integer, CustomFields.Field> fieldColumns = new LinkedHashMap<>();

  RowConverter(Map<String, String> mapping, Map<String, CustomFields.Field> fields, ObjectMapper json) {
    this.mapping = mapping;
    this.fields = fields;
    this.json = json;
  }

  sealed interface Result {}

  /** {@code rowStatus}: unsubscribed or bounced when the row says so (null: the import's "import as"), since {@code statusTime}. */
  record Accepted(long line, EmailAddress address, String name, String attributesJson, List<String> tags, OffsetDateTime optinTime,
      String optinIp, OffsetDateTime confirmTime, String rowStatus, OffsetDateTime statusTime) implements Result {

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
      escape(rowStatus, out);
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

  void bind(List<String> headers) {
    for (int i = 0; i < headers.size(); i++) {
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
        case "ignore", "confirm_ip" -> { }
        default -> {
          if (target.startsWith("field:") && fields.containsKey(target.substring(6))) fieldColumns.put(i, fields.get(target.substring(6)));
        }
      }
    }
    if (email < 0) throw new ImportFiles.BadFile(1, "No column is mapped to email (columns: " + String.join(", ", headers) + ").");
  }

  Result convert(ImportFiles.Row row) {
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
    String fullName = name >= 0 ? cell(row, name).trim() : (cell(row, first).trim() + " " + cell(row, last).trim()).trim();
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
    List<String> tagList;
    try {
      tagList = Tags.clean("tags", tags >= 0 ? splitTags(cell(row, tags)) : List.of());
    } catch (Refused p) {
      return new Rejected(p.getMessage(), abbreviate(cell(row, tags)));
    }
    // Bounced wins over unsubscribed: an address that bounces for good must not be mailed, whatever the person wanted.
    String rowStatus = null;
    OffsetDateTime statusTime = null;
    if (!cell(row, bouncedAt).isBlank()) {
      rowStatus = "bounced";
      statusTime = time(cell(row, bouncedAt));
    } else if (!cell(row, unsubscribedAt).isBlank()) {
      rowStatus = "unsubscribed";
      statusTime = time(cell(row, unsubscribedAt));
    }
    return new Accepted(row.line(), address, fullName.isEmpty() ? null : fullName, json.writeValueAsString(values), tagList,
        time(cell(row, optinTime)), blankToNull(cell(row, optinIp)), time(cell(row, confirmTime)), rowStatus, statusTime);
  }

  private String target(int column) {
    return column == name ? "name" : column == first ? "first name" : column == last ? "last name" : "optin_ip";
  }

  /** Mailchimp writes tags as {@code "vip","newsletter"}: split on commas, drop the quotes. */
  static List<String> splitTags(String cell) {
    List<String> out = new ArrayList<>();
    for (String part : cell.split(",")) {
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
