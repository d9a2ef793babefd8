package dev.herald.content;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import liqp.TemplateParser;
import liqp.exceptions.ExceededMaxIterationsException;
import liqp.nodes.LNode;
import liqp.parser.v4.NodeVisitor;

/**
 * A template checked and parsed once (with the snippets it includes), rendered per recipient: cheap, and safe to
 * render from many threads at once. liqp's own {@code Template.render} is neither (it keeps the last context in a
 * field and rebuilds its node tree each time, and a node of {@code a[b]} keeps its key in a field while rendering),
 * so each render borrows a node tree of its own from a small pool and gives it back.
 */
public final class CompiledTemplate {
  private final TemplateParser parser;
  private final LiquidLimits limits;
  private final LiquidCompiler.Unit unit;
  private final boolean html;
  private final ConcurrentLinkedQueue<Nodes> pool = new ConcurrentLinkedQueue<>();

  private record Nodes(LNode main, Map<String, LNode> snippets) {}

  CompiledTemplate(TemplateParser parser, LiquidLimits limits, LiquidCompiler.Unit unit, boolean html) {
    this.parser = parser;
    this.limits = limits;
    this.unit = unit;
    this.html = html;
    pool.add(build()); // also finds what only liqp's node visitor checks, while still compiling
  }

  private Nodes build() {
    Map<String, LNode> snippets = new HashMap<>();
    unit.snippets().forEach((name, tree) -> snippets.put(name, visitor().visit(tree)));
    return new Nodes(visitor().visit(unit.main()), Map.copyOf(snippets));
  }

  private NodeVisitor visitor() {
    return new LiquidNodeVisitor(parser, html);
  }

  /**
   * Renders for one model built with {@link TemplateModel} (maps, lists, strings, numbers, booleans, dates; anything
   * else is an {@link IllegalArgumentException}: a caller's fault, not the user's).
   *
   * @throws TemplateRenderException when a bound is hit or a filter cannot use what it was given
   */
  public String render(Map<String, ?> model) {
    Map<String, Object> variables = LiquidValues.copy(model);
    Nodes nodes = pool.poll();
    if (nodes == null) nodes = build();
    try {
      LiquidBudget budget = new LiquidBudget(limits);
      LiquidContext context = new LiquidContext(parser, variables, budget, nodes.snippets());
      String output = String.valueOf(nodes.main().render(context));
      long bytes = output.length() > limits.maxOutputBytes() / 3 ? output.getBytes(StandardCharsets.UTF_8).length : output.length();
      if (bytes > limits.maxOutputBytes()) {
        throw new TemplateRenderException("The rendered message is " + bytes + " bytes; the limit is " + limits.maxOutputBytes() + " bytes.");
      }
      return output;
    } catch (TemplateRenderException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new TemplateRenderException(message(e));
    } catch (StackOverflowError e) {
      throw new TemplateRenderException("The template nests too deeply to render.");
    } finally {
      pool.offer(nodes);
    }
  }

  private String message(RuntimeException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof LiquidBudget.Exceeded exceeded) return exceeded.getMessage();
      if (t instanceof ExceededMaxIterationsException) {
        return "Loops ran more than " + limits.maxLoopIterations() + " times in total; that is the limit.";
      }
    }
    return LiquidCompiler.failure(e).error.describe();
  }
}
