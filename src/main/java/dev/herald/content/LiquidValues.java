package dev.herald.content;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The model a template sees: a copy of the caller's map holding only maps with string keys, lists, strings, numbers,
 * booleans and nulls. Dates and times become ISO-8601 strings (the {@code date} filter reads them). Anything else
 * is refused: liqp hands objects it does not know to Jackson, which calls their getters, so no Java object may
 * reach a template.
 */
final class LiquidValues {
  private LiquidValues() {}

  private static final int MAX_DEPTH = 16;

  static Map<String, Object> copy(Map<String, ?> model) {
    return copyMap(model, "model", 0);
  }

  private static Map<String, Object> copyMap(Map<?, ?> map, String path, int depth) {
    Map<String, Object> copy = new LinkedHashMap<>(Math.max(4, map.size() * 2));
    for (Map.Entry<?, ?> e : map.entrySet()) {
      if (!(e.getKey() instanceof String key)) throw refused(path, e.getKey());
      copy.put(key, value(e.getValue(), path + "." + key, depth + 1));
    }
    return copy;
  }

  static Object value(Object value, String path, int depth) {
    if (depth > MAX_DEPTH) throw new IllegalArgumentException("Template model nests deeper than " + MAX_DEPTH + " levels at " + path);
    return switch (value) {
      case null -> null;
      case String s -> s;
      case CharSequence s -> s.toString();
      case Character c -> c.toString();
      case Boolean b -> b;
      case Integer n -> n;
      case Long n -> n;
      case Short n -> n.intValue();
      case Byte n -> n.intValue();
      case Double n -> n;
      case Float n -> n.doubleValue();
      case BigInteger n -> new BigDecimal(n);
      case BigDecimal n -> n;
      case Instant t -> t.atOffset(ZoneOffset.UTC).toString();
      case OffsetDateTime t -> t.toString();
      case ZonedDateTime t -> t.toOffsetDateTime().toString();
      case LocalDate t -> t.toString();
      case LocalDateTime t -> t.toString();
      case Map<?, ?> m -> copyMap(m, path, depth);
      case Collection<?> c -> list(c, path, depth);
      case Object[] a -> list(java.util.Arrays.asList(a), path, depth);
      default -> throw refused(path, value);
    };
  }

  private static List<Object> list(Collection<?> items, String path, int depth) {
    List<Object> copy = new ArrayList<>(items.size());
    int i = 0;
    for (Object o : items) copy.add(value(o, path + "[" + i++ + "]", depth + 1));
    return copy;
  }

  private static IllegalArgumentException refused(String path, Object value) {
    return new IllegalArgumentException("Template model at " + path + " holds a " + value.getClass().getName()
        + ": only maps with string keys, lists, strings, numbers, booleans and dates may reach a template");
  }
}
