package dev.herald.content;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import liqp.TemplateContext;
import liqp.filters.Filter;
import liqp.parser.Flavor;

/**
 * The filters templates may use: Liquid's standard string, number, list and date filters, each wrapped so that what
 * it would build is measured before it is built (a result longer than the output bound, or a list longer than
 * {@link LiquidLimits#MAX_LIST_ELEMENTS}, is refused without allocating it) and charged to the render's budget after.
 * liqp's other filters ({@code json}, which serializes through Jackson; {@code absolute_url} and {@code relative_url},
 * which read site settings; Jekyll's list mutators) are refused when the template is compiled.
 */
final class LiquidFilters {
  private LiquidFilters() {}

  static final Set<String> ALLOWED = Set.of(
      "abs", "append", "at_least", "at_most", "capitalize", "ceil", "compact", "concat", "date", "default",
      "divided_by", "downcase", "escape", "escape_once", "first", "floor", "h", "join", "last", "lstrip", "map",
      "minus", "modulo", "newline_to_br", "plus", "prepend", "remove", "remove_first", "replace", "replace_first",
      "reverse", "round", "rstrip", "size", "slice", "sort", "sort_natural", "split", "strip", "strip_html",
      "strip_newlines", "times", "truncate", "truncatewords", "uniq", "upcase", "url_decode", "url_encode", "where", "raw");

  private static final Set<String> NUMERIC = Set.of(
      "abs", "at_least", "at_most", "ceil", "divided_by", "floor", "minus", "modulo", "plus", "round", "times");
  /** Longest number (in characters) a numeric filter takes: longer ones are refused before BigDecimal parses them. */
  private static final int MAX_NUMBER_CHARS = 64;
  /** Largest precision a number built by filters may reach: repeated {@code times} would otherwise double it. */
  private static final int MAX_NUMBER_DIGITS = 200;
  private static final int MAX_DATE_CHARS = 100;
  /**
   * Characters of text times characters of the text searched for, at most: Java's substring search is quadratic in
   * the worst case (a megabyte of 'a' searched for 255 'a' and a 'b' takes about a second).
   */
  static final long MAX_SEARCH_WORK = 1L << 26;
  private static final Set<String> SEARCHING = Set.of("replace", "replace_first", "remove", "remove_first", "split");

  /**
   * Every filter liqp's Liquid flavor has, under its own name: the allowed ones guarded, the others failing if ever
   * reached (the compiler refuses them first, with the line and column).
   */
  static List<Filter> all() {
    Map<String, Filter> linear = Map.of("lstrip", new Lstrip(), "rstrip", new Rstrip(), "strip_html", new StripHtml(),
        "escape", new Escape("escape"), "h", new Escape("h"), "escape_once", new EscapeOnce());
    List<Filter> filters = new ArrayList<>();
    filters.add(new Guarded(new Raw()));
    for (Map.Entry<String, Filter> e : Flavor.LIQUID.getFilters().getMap().entrySet()) {
      Filter filter = linear.getOrDefault(e.getKey(), e.getValue());
      filters.add(ALLOWED.contains(e.getKey()) ? new Guarded(filter) : new Refused(e.getKey()));
    }
    return filters;
  }

  /*
   * liqp's rstrip (\s+$) and strip_html (<.*?> and friends) are regular expressions that take quadratic time on
   * inputs such as a megabyte of spaces followed by one letter, or of '<' without '>': one filter call would run for
   * minutes, and a render's deadline is only checked between calls. These do the same in one pass.
   */

  private static boolean space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /**
   * liqp's escape leaves ' as it is, so {@code <a href='{{ x | escape }}'>} could still be broken out of; these escape
   * it as Liquid does (&#39;). escape_once leaves entities that are already there.
   */
  private static final class Escape extends Filter {
    Escape(String name) {
      super(name);
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      return value == null ? null : LiquidNodeVisitor.escape(asString(value, context), false);
    }
  }

  private static final class EscapeOnce extends Filter {
    EscapeOnce() {
      super("escape_once");
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      return value == null ? null : LiquidNodeVisitor.escape(asString(value, context), true);
    }
  }

  /** Marks an output of an HTML template as HTML to insert as it is (see LiquidNodeVisitor); in text it changes nothing. */
  private static final class Raw extends Filter {
    Raw() {
      super("raw");
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      return value;
    }
  }

  private static final class Lstrip extends Filter {
    Lstrip() {
      super("lstrip");
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      String s = asString(value, context);
      int start = 0;
      while (start < s.length() && space(s.charAt(start))) start++;
      return s.substring(start);
    }
  }

  private static final class Rstrip extends Filter {
    Rstrip() {
      super("rstrip");
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      String s = asString(value, context);
      int end = s.length();
      while (end > 0 && space(s.charAt(end - 1))) end--;
      return s.substring(0, end);
    }
  }

  /** Removes script and style elements, comments, then tags; what is left open to the end stays, as liqp's does. */
  private static final class StripHtml extends Filter {
    private static final String[][] BLOCKS = {{"<script", "</script>"}, {"<style", "</style>"}, {"<!--", "-->"}};

    StripHtml() {
      super("strip_html");
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      String html = asString(value, context);
      for (String[] block : BLOCKS) html = removeBetween(html, block[0], block[1]);
      return removeBetween(html, "<", ">");
    }

    /** Each open..close (shortest) removed. Once a close is missing after some point it is missing for every later open. */
    private static String removeBetween(String s, String open, String close) {
      StringBuilder out = new StringBuilder(s.length());
      int i = 0;
      while (i < s.length()) {
        int start = s.indexOf(open, i);
        int end = start < 0 ? -1 : s.indexOf(close, start + open.length());
        if (end < 0) break;
        out.append(s, i, start);
        i = end + close.length();
      }
      return out.append(s, i, s.length()).toString();
    }
  }

  private static final class Refused extends Filter {
    Refused(String name) {
      super(name);
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      throw new LiquidBudget.Exceeded("The filter '" + name + "' is not available.");
    }
  }

  private static final class Guarded extends Filter {
    private final Filter delegate;

    Guarded(Filter delegate) {
      super(delegate.name);
      this.delegate = delegate;
    }

    @Override
    public Object apply(Object value, TemplateContext context, Object... params) {
      LiquidBudget budget = LiquidContext.budget(context);
      budget.checkTime();
      String what = "The filter '" + name + "'";
      if (NUMERIC.contains(name)) checkNumbers(value, params);
      // liqp tries dozens of date patterns on its input; nothing longer than this is a date, and Liquid leaves what
      // it cannot read as a date as it was.
      if (name.equals("date") && chars(value) > MAX_DATE_CHARS) return value;
      budget.checkValue(chars(value), what);
      if (SEARCHING.contains(name) && params.length > 0) checkSearch(chars(value), chars(params[0]), what);
      budget.checkValue(estimate(value, params), what);
      Object result = delegate.apply(value, context, params);
      if (result instanceof BigDecimal d && (d.precision() > MAX_NUMBER_DIGITS || Math.abs(d.scale()) > MAX_NUMBER_DIGITS)) {
        throw new LiquidBudget.Exceeded(what + " built a number with more than " + MAX_NUMBER_DIGITS + " digits.");
      }
      long elements = elements(result);
      if (elements >= 0) budget.checkListSize(elements, what);
      budget.charge(chars(result), what);
      return result;
    }

    private void checkNumbers(Object value, Object... params) {
      if (chars(value) > MAX_NUMBER_CHARS) tooLong();
      for (Object p : params) if (chars(p) > MAX_NUMBER_CHARS) tooLong();
      if (name.equals("round") && params.length > 0 && params[0] instanceof Number n && Math.abs(n.doubleValue()) > 50) {
        throw new LiquidBudget.Exceeded("The filter 'round' takes at most 50 decimal places.");
      }
    }

    private void tooLong() {
      throw new LiquidBudget.Exceeded("The filter '" + name + "' takes numbers of at most " + MAX_NUMBER_CHARS + " characters.");
    }

    /** The most characters this call can build, worked out without building anything. */
    private long estimate(Object value, Object... params) {
      long in = chars(value);
      long args = 0;
      for (Object p : params) args += chars(p);
      String first = params.length > 0 ? String.valueOf(params[0]) : "";
      return switch (name) {
        case "replace", "replace_first" -> {
          String search = params.length > 0 ? String.valueOf(params[0]) : "";
          String replacement = params.length > 1 ? String.valueOf(params[1]) : "";
          long count = name.equals("replace_first") ? 1 : occurrences(text(value), search);
          yield in + count * Math.max(0, replacement.length() - search.length()) + replacement.length();
        }
        case "join" -> in + Math.max(0, elements(value)) * (params.length > 0 ? first.length() : 1);
        case "split" -> {
          long parts = first.isEmpty() ? in : occurrences(text(value), first) + 1;
          checkList(parts, name);
          yield in;
        }
        case "concat" -> {
          checkList(Math.max(0, elements(value)) + Math.max(0, params.length > 0 ? elements(params[0]) : 0), name);
          yield in + args;
        }
        case "escape", "escape_once", "h" -> in * 6;
        case "url_encode" -> in * 9;
        case "newline_to_br" -> in * 7;
        case "date" -> 64 + first.length() * 32L;
        case "upcase", "downcase", "capitalize" -> in * 3;
        default -> in + args;
      };
    }
  }

  static void checkSearch(long textChars, long searchChars, String what) {
    if (textChars * searchChars > MAX_SEARCH_WORK) {
      throw new LiquidBudget.Exceeded(what + " would search " + textChars + " characters for a text of " + searchChars
          + " characters; the two lengths multiplied may be at most " + MAX_SEARCH_WORK + ".");
    }
  }

  /** Lists over the bound are refused before {@code split} or {@code concat} makes them. */
  private static void checkList(long elements, String name) {
    if (elements > LiquidLimits.MAX_LIST_ELEMENTS) {
      throw new LiquidBudget.Exceeded("The filter '" + name + "' would build a list of " + elements + " items; the limit is "
          + LiquidLimits.MAX_LIST_ELEMENTS + ".");
    }
  }

  /**
   * The text a filter works on, as liqp makes it (a list: its elements run together). Only called for values the
   * caller has checked are within the output bound.
   */
  private static String text(Object value) {
    if (value instanceof CharSequence s) return s.toString();
    if (value == null) return "";
    if (!isList(value)) return String.valueOf(value);
    StringBuilder joined = new StringBuilder();
    for (Object o : value instanceof Collection<?> c ? c : java.util.Arrays.asList((Object[]) value)) joined.append(text(o));
    return joined.toString();
  }

  private static long occurrences(String text, String search) {
    if (search.isEmpty()) return text.length() + 1L;
    long count = 0;
    for (int i = text.indexOf(search); i >= 0; i = text.indexOf(search, i + search.length())) count++;
    return count;
  }

  private static boolean isList(Object value) {
    return value instanceof Collection<?> || value instanceof Object[];
  }

  /** Elements of a list, or -1 for anything else. */
  static long elements(Object value) {
    if (value instanceof Collection<?> c) return c.size();
    if (value instanceof Object[] a) return a.length;
    return -1;
  }

  /** The characters a value renders as (a list: its elements together), bounded in the work it does itself. */
  static long chars(Object value) {
    return chars(value, 0);
  }

  private static long chars(Object value, int depth) {
    if (value == null) return 0;
    if (value instanceof CharSequence s) return s.length();
    if (value instanceof Number || value instanceof Boolean) return String.valueOf(value).length();
    if (depth > 8) return 0;
    long sum = 0;
    if (value instanceof Collection<?> c) {
      for (Object o : c) sum += chars(o, depth + 1);
      return sum;
    }
    if (value instanceof Object[] a) {
      for (Object o : a) sum += chars(o, depth + 1);
      return sum;
    }
    if (value instanceof Map<?, ?> m) {
      for (Map.Entry<?, ?> e : m.entrySet()) sum += chars(e.getKey(), depth + 1) + chars(e.getValue(), depth + 1) + 2;
      return sum;
    }
    return 0;
  }
}
