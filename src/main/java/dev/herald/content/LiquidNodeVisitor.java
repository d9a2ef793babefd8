package dev.herald.content;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import liqp.TemplateParser;
import liqp.nodes.AtomNode;
import liqp.nodes.ContainsNode;
import liqp.nodes.LNode;
import liqp.org.antlr.v4.runtime.tree.ParseTree;
import liqp.parser.v4.NodeVisitor;
import liquid.parser.v4.LiquidParser;

/**
 * liqp's node builder with two changes. {@code contains} is guarded like the searching filters: Java's substring
 * search takes time in the product of both lengths, so {@code {% if text contains other %}} on a megabyte of text
 * and a long needle would run for minutes in one step, past the render's deadline. And for HTML templates every
 * {@code {{ output }}} is HTML-escaped, so a subscriber's name or field cannot add markup (a script on the web version
 * page, a fake link in the mail), unless its last filter is {@code raw} or already escapes, or it is the
 * {@code {{ content }}} of a campaign template while it holds the caller's body (HTML), bare or through filters whose
 * arguments are all literals; a template that assigns or captures over {@code content} gets its own value escaped.
 */
final class LiquidNodeVisitor extends NodeVisitor {
  private static final Set<String> ESCAPED_ALREADY = Set.of("raw", "escape", "escape_once", "h", "url_encode");
  private final boolean html;

  LiquidNodeVisitor(TemplateParser parser, boolean html) {
    super(parser.insertions, parser.filters, parser.liquidStyleInclude);
    this.html = html;
  }

  @Override
  public LNode visitOutput(LiquidParser.OutputContext ctx) {
    LNode output = super.visitOutput(ctx);
    if (!html) return output;
    List<LiquidParser.FilterContext> filters = ctx.filter();
    if (!filters.isEmpty() && ESCAPED_ALREADY.contains(filters.getLast().Id().getText())) return output;
    ParseTree term = ctx.term() != null ? ctx.term() : ctx.expr();
    if (term != null && term.getText().equals("content")) {
      if (filters.isEmpty()) {
        // Equal to the caller's body is safe to print as it is, whoever assigned it; anything else under the name is escaped.
        return context -> {
          Object value = output.render(context);
          return LiquidContext.isTrustedContent(context, value) ? value : escape(value);
        };
      }
      if (filters.stream().allMatch(LiquidNodeVisitor::literalArguments)) {
        // The caller's body through filters whose arguments the template wrote ({{ content | strip }}, {{ content |
        // replace: 'x', 'y' }}): nothing a subscriber set reaches the output, which is the body's HTML changed by the
        // template's author, so it is inserted as it is. An argument that reads a variable keeps the output escaped.
        LNode body = visit(term);
        return context -> {
          Object value = output.render(context);
          return LiquidContext.isTrustedContent(context, body.render(context)) ? value : escape(value);
        };
      }
    }
    return context -> escape(output.render(context));
  }

  /** Whether every argument of the filter is a literal: no variable is read anywhere in them. */
  private static boolean literalArguments(LiquidParser.FilterContext filter) {
    return filter.params() == null || !readsVariable(filter.params());
  }

  private static boolean readsVariable(ParseTree tree) {
    if (tree instanceof LiquidParser.Term_lookupContext) return true;
    for (int i = 0; i < tree.getChildCount(); i++) {
      if (readsVariable(tree.getChild(i))) return true;
    }
    return false;
  }

  private static Object escape(Object value) {
    return switch (value) {
      case null -> null;
      case Number n -> n;
      case Boolean b -> b;
      case Collection<?> c -> escapeAll(c);
      case Object[] a -> escapeAll(java.util.Arrays.asList(a));
      default -> escape(String.valueOf(value), false);
    };
  }

  private static List<Object> escapeAll(Collection<?> values) {
    List<Object> escaped = new ArrayList<>(values.size());
    for (Object v : values) escaped.add(escape(v));
    return escaped;
  }

  /** & < > " ' as entities; with {@code keepEntities}, an & that starts an entity (&amp; &#39; &#x27;) stays. */
  static String escape(String text, boolean keepEntities) {
    StringBuilder out = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      String entity = switch (c) {
        case '&' -> keepEntities && entityAt(text, i) ? null : "&amp;";
        case '<' -> "&lt;";
        case '>' -> "&gt;";
        case '"' -> "&quot;";
        case '\'' -> "&#39;";
        default -> null;
      };
      if (entity == null) {
        if (out != null) out.append(c);
        continue;
      }
      if (out == null) out = new StringBuilder(text.length() + 16).append(text, 0, i);
      out.append(entity);
    }
    return out == null ? text : out.toString();
  }

  /** Whether an entity (&name; &#123; &#x1F;) starts at {@code at}; looks at most 32 characters ahead. */
  private static boolean entityAt(String text, int at) {
    int i = at + 1;
    boolean numeric = i < text.length() && text.charAt(i) == '#';
    boolean hex = numeric && i + 1 < text.length() && (text.charAt(i + 1) == 'x' || text.charAt(i + 1) == 'X');
    i += hex ? 2 : numeric ? 1 : 0;
    int start = i;
    while (i < text.length() && i - start < 32) {
      char c = text.charAt(i);
      boolean ok = hex ? Character.digit(c, 16) >= 0 : numeric ? c >= '0' && c <= '9' : c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
      if (!ok) break;
      i++;
    }
    return i > start && i < text.length() && text.charAt(i) == ';';
  }

  @Override
  public LNode visitExpr_contains(LiquidParser.Expr_containsContext ctx) {
    LNode lhs = visit(ctx.lhs);
    LNode rhs = visit(ctx.rhs);
    return context -> {
      Object haystack = lhs.render(context);
      Object needle = rhs.render(context);
      if (haystack instanceof CharSequence text && needle != null) {
        LiquidFilters.checkSearch(text.length(), LiquidFilters.chars(needle), "'contains'");
      }
      LiquidContext.budget(context).checkTime();
      return new ContainsNode(new AtomNode(haystack), new AtomNode(needle)).render(context);
    };
  }
}
