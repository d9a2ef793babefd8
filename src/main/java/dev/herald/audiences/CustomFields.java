package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.Text;
import dev.herald.tenancy.AuditLog;
import java.math.BigDecimal;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Typed custom fields (text, number, date, boolean, choice) defined per organization. Values are
 * checked and converted here, then stored in {@code subscriber.attributes} as JSON of that type, so
 * segments can compare numbers as numbers and dates as dates.
 */
@Service
public class CustomFields {
  public static final List<String> TYPES = List.of("text", "number", "date", "boolean", "choice");
  /** The types in words, as the panel shows them (the codes are the API's). */
  private static final Map<String, String> TYPE_WORDS = Map.of("text", "Text", "number", "Number", "date", "Date",
      "boolean", "Yes or no", "choice", "Choice from a list");
  private final JdbcClient jdbc;
  private final AuditLog audit;

  CustomFields(JdbcClient jdbc, AuditLog audit) {
    this.jdbc = jdbc;
    this.audit = audit;
  }

  /** {@code subscriberEditable}: shown to the subscriber in the preference centre, who may change it. */
  public record Field(long id, String key, String label, String type, List<String> choices, boolean subscriberEditable) {}

  /** "Yes or no" for "boolean": a type as people read it; an unknown code is shown as it is. */
  public static String typeWords(String type) {
    return TYPE_WORDS.getOrDefault(type, type);
  }

  public List<Field> list(long orgId) {
    return jdbc.sql("select id, key, label, type, choices, subscriber_editable from custom_field where organization_id = ? order by key")
        .param(orgId)
        .query((rs, n) -> new Field(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getString(4),
            List.of((String[]) rs.getArray(5).getArray()), rs.getBoolean(6)))
        .list();
  }

  public java.util.Optional<Field> find(long orgId, long id) {
    return list(orgId).stream().filter(f -> f.id() == id).findFirst();
  }

  public Map<String, Field> byKey(long orgId) {
    Map<String, Field> all = new LinkedHashMap<>();
    for (Field f : list(orgId)) all.put(f.key(), f);
    return all;
  }

  public Field create(long orgId, String key, String label, String type, List<String> choices) {
    return create(orgId, key, label, type, choices, false);
  }

  @Transactional
  public Field create(long orgId, String key, String label, String type, List<String> choices, boolean subscriberEditable) {
    String k = key == null ? "" : key.trim().toLowerCase(Locale.ROOT);
    if (!k.matches("[a-z][a-z0-9_]{0,39}")) {
      throw Refused.invalid("key", "A key starts with a letter and has only a-z, 0-9 and _ (at most 40), e.g. company_size.");
    }
    if (List.of("email", "name", "tags", "status", "created_at").contains(k)) {
      throw Refused.invalid("key", "'" + k + "' is a built-in subscriber property; choose another key.");
    }
    String t = type == null ? "" : type.trim();
    if (!TYPES.contains(t)) throw Refused.invalid("type", "type is one of " + String.join(", ", TYPES) + ".");
    List<String> options = Tags.clean("choices", choices);
    if (t.equals("choice") && options.isEmpty()) throw Refused.invalid("choices", "A choice field needs its choices.");
    String l = label(label, k);
    if (jdbc.sql("select exists(select 1 from custom_field where organization_id = ? and key = ?)").params(orgId, k)
        .query(Boolean.class).single()) {
      throw Refused.conflict("key", "A field with key " + k + " exists already.");
    }
    long id = jdbc.sql("""
        insert into custom_field (organization_id, key, label, type, choices, subscriber_editable) values (?, ?, ?, ?, ?, ?)
        returning id""").params(orgId, k, l, t, options.toArray(String[]::new), subscriberEditable).query(Long.class).single();
    audit.record(orgId, "field.created", "field", id, k + " (" + t + ")");
    return new Field(id, k, l, t, options, subscriberEditable);
  }

  /**
   * Changes what can change without touching stored values: the label, whether subscribers may edit
   * it, and a choice field's choices (only adding: a removed choice would leave values no longer
   * valid, so removing one is refused while a subscriber still holds it). Key and type are fixed.
   */
  @Transactional
  public Optional<Field> update(long orgId, long id, String label, List<String> choices, boolean subscriberEditable) {
    Optional<Field> found = find(orgId, id);
    if (found.isEmpty()) return found;
    Field f = found.get();
    List<String> options = f.choices();
    if (f.type().equals("choice") && choices != null) {
      options = Tags.clean("choices", choices);
      if (options.isEmpty()) throw Refused.invalid("choices", "A choice field needs its choices.");
      for (String dropped : f.choices()) {
        if (!options.contains(dropped) && jdbc.sql("""
            select exists(select 1 from subscriber where organization_id = ? and attributes ->> ? = ?)""")
            .params(orgId, f.key(), dropped).query(Boolean.class).single()) {
          throw Refused.conflict("choices", "Subscribers still have '" + dropped + "'; change their values before removing it.");
        }
      }
    } else if (choices != null && !choices.isEmpty()) {
      throw Refused.invalid("choices", "Only a choice field has choices.");
    }
    String l = label(label, f.key());
    jdbc.sql("update custom_field set label = ?, choices = ?, subscriber_editable = ? where organization_id = ? and id = ?")
        .params(l, options.toArray(String[]::new), subscriberEditable, orgId, id).update();
    audit.record(orgId, "field.updated", "field", id, f.key());
    return Optional.of(new Field(id, f.key(), l, f.type(), options, subscriberEditable));
  }

  private static String label(String label, String key) {
    Text.requireNoControls("label", label);
    String l = label == null || label.isBlank() ? key : label.trim();
    if (l.length() > 100) throw Refused.invalid("label", "A label is at most 100 characters.");
    return l;
  }

  @Transactional
  public boolean delete(long orgId, long id) {
    String key = jdbc.sql("delete from custom_field where organization_id = ? and id = ? returning key").params(orgId, id)
        .query(String.class).optional().orElse(null);
    if (key == null) return false;
    // jsonb_exists, not the ? operator, which JDBC would take for a parameter
    jdbc.sql("update subscriber set attributes = attributes - ? where organization_id = ? and jsonb_exists(attributes, ?)")
        .params(key, orgId, key).update();
    audit.record(orgId, "field.deleted", "field", id, key);
    return true;
  }

  /**
   * Checks raw values (from a form, an API call or an import cell) against the fields' types and
   * returns them converted: numbers as BigDecimal, dates as ISO strings, booleans as Boolean.
   * An empty value removes the field (null in the result).
   */
  public Map<String, Object> convert(Map<String, Field> fields, Map<String, ?> raw) {
    Map<String, Object> out = new LinkedHashMap<>();
    if (raw == null) return out;
    for (Map.Entry<String, ?> e : raw.entrySet()) {
      Field f = fields.get(e.getKey());
      if (f == null) throw Refused.invalid("fields." + e.getKey(), "There is no custom field '" + e.getKey() + "'.");
      out.put(f.key(), convert(f, e.getValue()));
    }
    return out;
  }

  static Object convert(Field f, Object value) {
    if (value == null) return null;
    String field = "fields." + f.key();
    if (!(value instanceof String || value instanceof Number || value instanceof Boolean)) {
      // A JSON array or object: its toString() would be stored as if someone had typed it.
      throw Refused.invalid(field, "A field's value is text, a number or true/false, not a list or an object.");
    }
    // Before trimming, which would silently drop a control character at either end.
    Text.requireNoControls(field, value.toString());
    String s = value.toString().trim();
    if (s.isEmpty()) return null;
    return switch (f.type()) {
      case "text" -> {
        if (s.length() > 1000) throw Refused.invalid(field, "At most 1000 characters.");
        yield s;
      }
      case "number" -> number(field, s);
      case "date" -> date(field, s);
      case "boolean" -> switch (s.toLowerCase(Locale.ROOT)) {
        case "true", "yes", "1", "y", "on" -> Boolean.TRUE;
        case "false", "no", "0", "n", "off" -> Boolean.FALSE;
        default -> throw Refused.invalid(field, "'" + s + "' is not yes/no.");
      };
      case "choice" -> {
        if (!f.choices().contains(s)) throw Refused.invalid(field, "'" + s + "' is not one of " + String.join(", ", f.choices()) + ".");
        yield s;
      }
      default -> throw new IllegalStateException("unknown field type " + f.type());
    };
  }

  /** Most digits a number field keeps before the decimal point; see {@link #number}. */
  static final int MAX_INTEGER_DIGITS = 15;
  /** Most digits a number field keeps after the decimal point; see {@link #number}. */
  static final int MAX_FRACTION_DIGITS = 10;
  /** Most significant digits a number field keeps; see {@link #number}. */
  static final int MAX_SIGNIFICANT_DIGITS = 15;

  /**
   * A number field's value (a comma is taken as the decimal point): at most 15 digits before the
   * decimal point, at most 10 after it, and 15 significant digits in all; trailing zeros after the
   * point do not count. Unbounded, {@code 1e999999} was accepted here and then broke the insert
   * (jsonb stores numbers as PostgreSQL numeric, which overflows) and with it a whole import.
   * Why these bounds: 15 significant digits is what a spreadsheet keeps and what a double holds
   * exactly, and doubles are how JSON clients (JavaScript) and Herald's own reading of stored fields
   * (the API's responses, a PATCH that carries the other fields along) see numbers, so what is
   * accepted comes back as it was given. Every such value is far inside PostgreSQL numeric, so
   * segments comparing {@code cast(attributes ->> key as numeric)} never meet one they cannot handle;
   * segment conditions on numbers take the same bounds.
   */
  static BigDecimal number(String field, String text) {
    String s = text.trim();
    BigDecimal n;
    try {
      // Longer text is no number we keep; the cap also spares the parser megabytes of digits.
      if (s.length() > 64) throw new NumberFormatException();
      n = new BigDecimal(s.replace(",", "."));
    } catch (NumberFormatException ex) {
      throw Refused.invalid(field, "'" + abbreviate(s) + "' is not a number.");
    }
    if (n.signum() == 0) return BigDecimal.ZERO;
    BigDecimal digits = n.stripTrailingZeros();
    // long: a scale near Integer.MIN_VALUE (1e2147483647) would overflow an int and pass.
    if ((long) digits.precision() - digits.scale() > MAX_INTEGER_DIGITS || digits.scale() > MAX_FRACTION_DIGITS
        || digits.precision() > MAX_SIGNIFICANT_DIGITS) {
      throw Refused.invalid(field, "'" + abbreviate(s) + "' is out of range: a number has at most " + MAX_INTEGER_DIGITS
          + " digits before the decimal point and " + MAX_FRACTION_DIGITS + " after it, " + MAX_SIGNIFICANT_DIGITS
          + " significant digits in all (as a spreadsheet keeps).");
    }
    // 1E+3 as 1000: the JSON stored and shown is then the plain number.
    return n.scale() < 0 ? n.setScale(0) : n;
  }

  /**
   * A date field's value as YYYY-MM-DD: a plain date, or the date of an ISO 8601 date-time
   * ({@code 2024-01-01T10:00:00Z}, {@code 2024-01-01T10:00+02:00}, or {@code 2024-01-01 10:00:00}
   * with a space as spreadsheets and Mailchimp write it), as written rather than moved to UTC.
   * Anything else is refused: the whole value must be a date, where the first ten characters used to
   * be taken and {@code 2024-01-01junk} accepted. Four-digit years from 0001 only, which PostgreSQL's
   * date (segments cast to it) reads back; {@code +10000-01-01} would break every segment count.
   */
  static String date(String field, String text) {
    String s = text.trim();
    try {
      if (!s.matches("\\d{4}-\\d{2}-\\d{2}([T ].*)?")) throw new DateTimeException(s);
      LocalDate day = s.length() == 10 ? LocalDate.parse(s)
          : DateTimeFormatter.ISO_DATE_TIME.parse(s.substring(0, 10) + "T" + s.substring(11), LocalDate::from);
      if (day.getYear() < 1) throw new DateTimeException(s);
      return day.toString();
    } catch (DateTimeException ex) {
      throw Refused.invalid(field, "'" + abbreviate(s) + "' is not a date; use YYYY-MM-DD or an ISO date-time such as 2024-01-31T10:00:00Z.");
    }
  }

  private static String abbreviate(String s) {
    return s.length() > 40 ? s.substring(0, 40) + "…" : s;
  }
}
