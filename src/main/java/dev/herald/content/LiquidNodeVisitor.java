package dev.herald.content;

import liqp.TemplateParser;
import liqp.nodes.AtomNode;
import liqp.nodes.ContainsNode;
import liqp.nodes.LNode;
import liqp.parser.v4.NodeVisitor;
import liquid.parser.v4.LiquidParser;

/**
 * liqp's node builder, with {@code contains} guarded like the searching filters: Java's substring search takes
 * time in the product of both lengths, so {@code {% if text contains other %}} on a megabyte of text and a long
 * needle would run for minutes in one step, past the render's deadline.
 */
final class LiquidNodeVisitor extends NodeVisitor {

  LiquidNodeVisitor(TemplateParser parser) {
    super(parser.insertions, parser.filters, parser.liquidStyleInclude);
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
