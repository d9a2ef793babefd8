package dev.herald.content;

import java.util.Map;
import liqp.TemplateContext;
import liqp.TemplateParser;
import liqp.nodes.LNode;

/**
 * liqp's context with this render's budget and snippets. Child contexts (loops, includes) are made through
 * {@link #newChildContext(Map)}, so every context of a render is one of these and reaches the same budget.
 */
final class LiquidContext extends TemplateContext {
  final LiquidBudget budget;
  final Map<String, LNode> snippets;
  /**
   * The model's {@code content} (the campaign body, HTML) as the caller passed it. A template can {@code assign} or
   * {@code capture} over the name, so the bare {@code {{ content }}} is printed unescaped only while it still holds this.
   */
  final Object trustedContent;

  LiquidContext(TemplateParser parser, Map<String, Object> variables, LiquidBudget budget, Map<String, LNode> snippets) {
    super(parser, variables);
    this.budget = budget;
    this.snippets = snippets;
    this.trustedContent = variables.get("content");
  }

  private LiquidContext(Map<String, Object> variables, LiquidContext parent) {
    super(variables, parent);
    this.budget = parent.budget;
    this.snippets = parent.snippets;
    this.trustedContent = parent.trustedContent;
  }

  /** Whether {@code value} is the caller's own {@code content}, not something a template put under that name. */
  static boolean isTrustedContent(TemplateContext context, Object value) {
    return context instanceof LiquidContext c && c.trustedContent != null && c.trustedContent.equals(value);
  }

  static LiquidBudget budget(TemplateContext context) {
    if (context instanceof LiquidContext c) return c.budget;
    // Only our own contexts are ever made; anything else is a liqp path this sandbox does not know.
    throw new LiquidBudget.Exceeded("This part of the template cannot be rendered.");
  }

  @Override
  public TemplateContext newChildContext(Map<String, Object> variablesForChild) {
    return new LiquidContext(variablesForChild, this);
  }

  @Override
  public void checkForMaxIterations(int iterations) {
    budget.checkTime();
    super.checkForMaxIterations(iterations);
  }
}
