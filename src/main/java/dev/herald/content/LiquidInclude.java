package dev.herald.content;

import liqp.TemplateContext;
import liqp.nodes.LNode;
import liqp.tags.Tag;

/**
 * {@code {% include 'name' %}} and {@code {% include 'name' with value %}}: renders a snippet the compiler resolved
 * through the organization's {@link SnippetLookup} when the template was compiled. It replaces liqp's own include,
 * which reads files ({@code /etc/hostname} rendered with every limit set); this one has no way to a file.
 */
final class LiquidInclude extends Tag {

  LiquidInclude() {
    super("include");
  }

  @Override
  public Object render(TemplateContext context, LNode... nodes) {
    String name = asString(nodes[0].render(context), context);
    LiquidContext liquid = (LiquidContext) context;
    LNode snippet = liquid.snippets.get(name);
    if (snippet == null) throw new LiquidBudget.Exceeded("No snippet named '" + name + "'.");
    liquid.budget.enterInclude();
    try {
      if (nodes.length > 1) context.put(name, nodes[1].render(context));
      return snippet.render(context.newChildContext());
    } finally {
      liquid.budget.leaveInclude();
    }
  }
}
