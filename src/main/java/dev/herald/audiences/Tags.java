package dev.herald.audiences;

import dev.herald.platform.Refused;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Tags on lists and subscribers: trimmed, de-duplicated, short, without control characters. */
final class Tags {
  private Tags() {}

  static List<String> clean(String field, List<String> tags) {
    if (tags == null) return List.of();
    Set<String> out = new LinkedHashSet<>();
    for (String t : tags) {
      if (t == null || t.isBlank()) continue;
      // strip(), not trim(): trim() also drops control characters at the ends, so "\0" became an empty tag.
      String tag = t.strip();
      if (tag.length() > 50 || tag.chars().anyMatch(Character::isISOControl)) {
        throw Refused.invalid(field, "A tag is at most 50 characters, on one line: '" + abbreviate(tag) + "'.");
      }
      out.add(tag);
    }
    if (out.size() > 100) throw Refused.invalid(field, "At most 100 tags.");
    return new ArrayList<>(out);
  }

  /** Splits "a, b ,c" as typed in a form field. */
  static List<String> parse(String commaSeparated) {
    return commaSeparated == null ? List.of() : List.of(commaSeparated.split(","));
  }

  private static String abbreviate(String s) {
    return s.length() > 20 ? s.substring(0, 20) + "…" : s;
  }
}
