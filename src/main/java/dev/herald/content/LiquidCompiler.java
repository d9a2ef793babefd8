package dev.herald.content;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import liqp.TemplateParser;
import liqp.exceptions.LiquidException;
import liqp.org.antlr.v4.runtime.CharStreams;
import liqp.org.antlr.v4.runtime.ParserRuleContext;
import liqp.org.antlr.v4.runtime.Token;
import liqp.org.antlr.v4.runtime.tree.ParseTree;
import liquid.parser.v4.LiquidLexer;
import liquid.parser.v4.LiquidParser;

/**
 * Source to checked parse trees: the size bound, a nesting pre-check on the tokens (so that a deeply nested template
 * is refused before liqp's recursive parser and renderer could run out of stack), the parse, and a walk of the tree
 * that refuses filters outside {@link LiquidFilters#ALLOWED} and resolves every include through the
 * {@link SnippetLookup}: names in quotes only, bounded depth, no cycles. Errors become {@link TemplateError}s placed
 * in the source the user wrote.
 */
final class LiquidCompiler {
  private static final Set<String> BLOCKS = Set.of("capture", "case", "comment", "for", "if", "ifchanged", "raw", "tablerow", "unless");
  private static final Set<String> TAGS = Set.of("assign", "break", "continue", "cycle", "decrement", "include", "increment");
  private static final Set<Integer> OPENING = Set.of(LiquidLexer.CaptureStart, LiquidLexer.CommentStart, LiquidLexer.RawStart,
      LiquidLexer.IfStart, LiquidLexer.UnlessStart, LiquidLexer.CaseStart, LiquidLexer.ForStart, LiquidLexer.TableStart,
      LiquidLexer.BlockId, LiquidLexer.OPar, LiquidLexer.OBr);
  private static final Set<Integer> CLOSING = Set.of(LiquidLexer.CaptureEnd, LiquidLexer.CommentEnd, LiquidLexer.RawEnd,
      LiquidLexer.IfEnd, LiquidLexer.UnlessEnd, LiquidLexer.CaseEnd, LiquidLexer.ForEnd, LiquidLexer.TableEnd,
      LiquidLexer.EndBlockId, LiquidLexer.CPar, LiquidLexer.CBr);
  private static final Pattern LIQP_POSITION = Pattern.compile("(?s)^error on line (\\d+), index (\\d+): (.*)$");
  private static final Pattern ANTLR_MESSAGE = Pattern.compile("(?s)^(?:lexer|parser) error \"(.*)\" on line \\d+, index \\d+$");

  record Unit(ParseTree main, Map<String, ParseTree> snippets) {}

  /** A compile error at a place; thrown inside the compiler, turned into a {@link TemplateError} at its edge. */
  static final class Failed extends RuntimeException {
    final TemplateError error;

    Failed(TemplateError error) {
      super(error.describe(), null, false, false);
      this.error = error;
    }
  }

  private final TemplateParser parser;
  private final LiquidLimits limits;

  LiquidCompiler(TemplateParser parser, LiquidLimits limits) {
    this.parser = parser;
    this.limits = limits;
  }

  Unit compile(String source, SnippetLookup snippets) {
    ParseTree main = parse(source);
    Map<String, ParseTree> resolved = new LinkedHashMap<>();
    walk(main, null, snippets, resolved, new ArrayDeque<>());
    return new Unit(main, Map.copyOf(resolved));
  }

  private ParseTree parse(String source) {
    long bytes = source.length() > limits.maxTemplateBytes() / 3 ? source.getBytes(StandardCharsets.UTF_8).length : source.length();
    if (bytes > limits.maxTemplateBytes()) {
      throw new Failed(new TemplateError(1, 1, "The template is " + bytes + " bytes; the limit is " + limits.maxTemplateBytes() + " bytes."));
    }
    checkNesting(source);
    try {
      return parser.parse(source).getParseTree();
    } catch (LiquidException e) {
      throw new Failed(new TemplateError(e.line, e.charPositionInLine + 1, readable(e.getMessage())));
    } catch (StackOverflowError e) {
      throw new Failed(new TemplateError(1, 1, "The template nests too deeply."));
    } catch (RuntimeException e) {
      throw failure(e);
    }
  }

  private static void checkNesting(String source) {
    LiquidLexer lexer = new LiquidLexer(CharStreams.fromString(source), true, false, false, BLOCKS, TAGS);
    lexer.removeErrorListeners();
    int depth = 0;
    int conditions = 0;
    for (Token t = lexer.nextToken(); t.getType() != Token.EOF; t = lexer.nextToken()) {
      int type = t.getType();
      if (OPENING.contains(type)) depth++;
      else if (CLOSING.contains(type)) depth = Math.max(0, depth - 1);
      else if (type == LiquidLexer.TagStart || type == LiquidLexer.OutStart) conditions = 0;
      else if ((type == LiquidLexer.And || type == LiquidLexer.Or) && ++conditions > LiquidLimits.MAX_NESTING) {
        throw new Failed(new TemplateError(t.getLine(), t.getCharPositionInLine() + 1,
            "A condition joins more than " + LiquidLimits.MAX_NESTING + " parts with 'and' or 'or'."));
      }
      if (depth > LiquidLimits.MAX_NESTING) {
        throw new Failed(new TemplateError(t.getLine(), t.getCharPositionInLine() + 1,
            "Tags or brackets nest more than " + LiquidLimits.MAX_NESTING + " levels deep."));
      }
    }
  }

  /**
   * Checks filters and resolves includes below {@code tree}. {@code at} is the include tag of the template the user is
   * editing under which this snippet was reached (null in that template itself): errors inside snippets are placed there.
   */
  private void walk(ParseTree tree, ParserRuleContext at, SnippetLookup lookup, Map<String, ParseTree> resolved, Deque<String> chain) {
    if (tree instanceof LiquidParser.FilterContext filter) {
      String name = filter.Id() == null ? "" : filter.Id().getText();
      if (!LiquidFilters.ALLOWED.contains(name)) {
        throw fail(at != null ? at : filter, chain, "Unknown filter '" + name + "'.");
      }
    } else if (tree instanceof LiquidParser.Include_tagContext include) {
      include(include, at, lookup, resolved, chain);
    } else if (tree instanceof LiquidParser.Include_relative_tagContext relative) {
      throw fail(at != null ? at : relative, chain, "include_relative is not available: include snippets by name, e.g. {% include 'footer' %}.");
    }
    for (int i = 0; i < tree.getChildCount(); i++) walk(tree.getChild(i), at, lookup, resolved, chain);
  }

  private void include(LiquidParser.Include_tagContext tag, ParserRuleContext at, SnippetLookup lookup,
      Map<String, ParseTree> resolved, Deque<String> chain) {
    ParserRuleContext place = at != null ? at : tag;
    String text = tag.expr().isEmpty() ? "" : tag.expr(0).getText();
    if (text.length() < 2 || !(text.startsWith("'") && text.endsWith("'") || text.startsWith("\"") && text.endsWith("\""))) {
      throw fail(place, chain, "include takes a snippet's name in quotes, e.g. {% include 'footer' %}.");
    }
    String name = text.substring(1, text.length() - 1);
    if (name.isBlank() || name.chars().anyMatch(c -> c == '/' || c == '\\' || c == ':' || c < 0x20)) {
      throw fail(place, chain, "'" + name + "' is not a snippet name: snippets are included by their name, e.g. {% include 'footer' %}.");
    }
    if (chain.contains(name)) {
      throw fail(place, chain, "The snippet '" + name + "' includes itself (" + String.join(" → ", chain) + " → " + name + ").");
    }
    if (chain.size() >= limits.maxIncludeDepth()) {
      throw fail(place, chain, "Includes nest deeper than " + limits.maxIncludeDepth() + " levels.");
    }
    ParseTree snippet = resolved.get(name);
    if (snippet == null) {
      String source = lookup.find(name).orElseThrow(() -> fail(place, chain, "No snippet named '" + name + "'."));
      chain.addLast(name);
      try {
        snippet = parse(source);
      } catch (Failed e) {
        throw fail(place, chain, e.error.describe());
      } finally {
        chain.removeLast();
      }
      resolved.put(name, snippet);
    }
    chain.addLast(name);
    try {
      walk(snippet, place, lookup, resolved, chain);
    } finally {
      chain.removeLast();
    }
  }

  /** Placed at the include tag of the edited template when the error is inside a snippet, which the message names. */
  private static Failed fail(ParserRuleContext place, Deque<String> chain, String message) {
    String where = chain.isEmpty() ? "" : "In the snippet '" + chain.peekLast() + "': ";
    return new Failed(new TemplateError(place.start.getLine(), place.start.getCharPositionInLine() + 1, where + message));
  }

  /** liqp's errors that carry "error on line L, index I: ..." (unknown filters when the tree is visited). */
  static Failed failure(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      Matcher m = LIQP_POSITION.matcher(String.valueOf(t.getMessage()));
      if (m.matches()) {
        return new Failed(new TemplateError(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)) + 1, readable(m.group(3))));
      }
      if (t instanceof LiquidException le) return new Failed(new TemplateError(le.line, le.charPositionInLine + 1, readable(le.getMessage())));
    }
    return new Failed(new TemplateError(1, 1, "The template cannot be read."));
  }

  /** ANTLR's messages list every token it expected; a user needs what was wrong. */
  static String readable(String message) {
    Matcher m = ANTLR_MESSAGE.matcher(message == null ? "" : message.strip());
    String text = m.matches() ? m.group(1) : String.valueOf(message).strip();
    Matcher invalid = Pattern.compile("^Invalid Tag: '(.*)'$").matcher(text);
    if (invalid.matches()) return "Unknown tag '" + invalid.group(1) + "'.";
    if (text.contains("'<EOF>'")) {
      return "The template ends inside an open tag or block: check for a missing }}, %} or end tag such as {% endif %}.";
    }
    Matcher mismatched = Pattern.compile("(?s)^(?:mismatched|extraneous) input '(.*?)' expecting.*$").matcher(text);
    if (mismatched.matches()) return "Unexpected '" + shorten(mismatched.group(1)) + "' here.";
    Matcher noViable = Pattern.compile("(?s)^no viable alternative at input '(.*)'$").matcher(text);
    if (noViable.matches()) return "Cannot read '" + shorten(noViable.group(1)) + "': check the tag's or output's syntax.";
    Matcher missing = Pattern.compile("(?s)^missing (.*?) at '(.*)'$").matcher(text);
    if (missing.matches()) return "Missing " + missing.group(1) + " before '" + shorten(missing.group(2)) + "'.";
    Matcher token = Pattern.compile("(?s)^token recognition error at: '(.*)'$").matcher(text);
    if (token.matches()) return "Unexpected '" + shorten(token.group(1)) + "'.";
    Matcher noArgument = Pattern.compile("(?s)^error in filter '(.*?)': cannot get param index.*$").matcher(text);
    if (noArgument.matches()) return "The filter '" + noArgument.group(1) + "' needs an argument, e.g. " + noArgument.group(1) + ": 'text'.";
    Matcher arguments = Pattern.compile("(?s)^Liquid error: wrong number of arguments \\(given (\\d+) (?:for|expected) (.*)\\)$").matcher(text);
    if (arguments.matches()) return "A filter was given " + arguments.group(1) + " values where it takes " + arguments.group(2) + " (the value before | counts).";
    Matcher noFilter = Pattern.compile("^no filter available named: \\|?(.*)$").matcher(text);
    if (noFilter.matches()) return "Unknown filter '" + noFilter.group(1) + "'.";
    return shorten(text);
  }

  private static String shorten(String text) {
    String oneLine = text.replaceAll("\\s+", " ").strip();
    return oneLine.length() > 60 ? "…" + oneLine.substring(oneLine.length() - 59) : oneLine;
  }
}
