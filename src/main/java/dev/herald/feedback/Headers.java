package dev.herald.feedback;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Header fields by lower-case name, each name's values in order. Also reads a block of fields from text (the
 * per-recipient blocks of a delivery-status part, an ARF report, a returned message's header), tolerating the
 * damage real reports have: lines without a colon are skipped, continuation lines are joined.
 */
record Headers(Map<String, List<String>> fields) {
  static final Headers NONE = new Headers(Map.of());
  private static final int MAX_FIELDS = 500;

  /** The first value of {@code name}, or "". */
  String first(String name) {
    List<String> values = fields.get(name);
    return values == null || values.isEmpty() ? "" : values.getFirst();
  }

  List<String> all(String name) {
    return fields.getOrDefault(name, List.of());
  }

  boolean has(String name) {
    return fields.containsKey(name);
  }

  /** The fields at the start of {@code text}, up to the first empty line. */
  static Headers parse(String text) {
    return blocks(text, 1).stream().findFirst().orElse(NONE);
  }

  /** Up to {@code max} blocks of fields separated by empty lines (the layout of message/delivery-status). */
  static List<Headers> blocks(String text, int max) {
    List<Headers> blocks = new ArrayList<>();
    Map<String, List<String>> current = new LinkedHashMap<>();
    String name = null;
    StringBuilder value = new StringBuilder();
    int count = 0;
    for (String line : text.split("\r?\n|\r", -1)) {
      boolean continuation = !line.isEmpty() && (line.charAt(0) == ' ' || line.charAt(0) == '\t');
      if (continuation && name != null) {
        if (value.length() < 4000) value.append(' ').append(line.strip());
        continue;
      }
      if (name != null) {
        current.computeIfAbsent(name, k -> new ArrayList<>()).add(value.toString().strip());
        name = null;
      }
      if (line.isBlank()) {
        if (!current.isEmpty()) {
          blocks.add(new Headers(current));
          if (blocks.size() >= max) return blocks;
          current = new LinkedHashMap<>();
        } else if (max == 1 && count > 0) {
          return blocks;
        }
        continue;
      }
      int colon = line.indexOf(':');
      if (colon <= 0 || colon > 76 || line.substring(0, colon).strip().contains(" ")) continue;
      if (++count > MAX_FIELDS) break;
      name = line.substring(0, colon).strip().toLowerCase(Locale.ROOT);
      value.setLength(0);
      value.append(line.substring(colon + 1));
    }
    if (name != null) current.computeIfAbsent(name, k -> new ArrayList<>()).add(value.toString().strip());
    if (!current.isEmpty() && blocks.size() < max) blocks.add(new Headers(current));
    return blocks;
  }
}
