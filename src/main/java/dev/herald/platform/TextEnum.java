package dev.herald.platform;

import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An enum kept as text: in a PostgreSQL text column (whose check constraint lists the same texts) and
 * in JSON. Its {@link #text()} is the one mapping both ways; the constant names are free to change.
 * Each enum annotates its {@code text()} with {@code @JsonValue} (Jackson and the OpenAPI document read
 * the annotation on the enum itself) and returns the text from {@code toString()}, so that pages and
 * messages show the same word.
 */
public interface TextEnum {
  /** The text stored in the database and sent in JSON. */
  String text();

  /** The constant with exactly this text, if there is one. */
  static <E extends Enum<E> & TextEnum> Optional<E> find(Class<E> type, String text) {
    for (E e : type.getEnumConstants()) {
      if (e.text().equals(text)) return Optional.of(e);
    }
    return Optional.empty();
  }

  /** The constant with this text, read from the database: any other text is a bug, not a client's mistake. */
  static <E extends Enum<E> & TextEnum> E fromText(Class<E> type, String text) {
    return find(type, text).orElseThrow(() -> new IllegalArgumentException(type.getSimpleName() + " has no value '" + text + "'"));
  }

  /**
   * The constant a client named in {@code field}: null when the text is absent or blank (the caller's
   * default applies), a refusal naming the field and listing the allowed texts when it is unknown.
   */
  static <E extends Enum<E> & TextEnum> E parse(Class<E> type, String field, String text) {
    if (text == null || text.isBlank()) return null;
    return find(type, text.strip()).orElseThrow(() -> Refused.invalid(field, field + " is one of " + texts(type) + "."));
  }

  /** The texts of the constants, in declaration order: "a, b, c". */
  static <E extends Enum<E> & TextEnum> String texts(Class<E> type) {
    return Arrays.stream(type.getEnumConstants()).map(TextEnum::text).collect(Collectors.joining(", "));
  }
}
