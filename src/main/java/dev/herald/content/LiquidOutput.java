package dev.herald.content;

import liqp.RenderTransformer;
import liqp.TemplateContext;

/**
 * How liqp joins rendered pieces (every block, loop body, capture and joined list goes through here): each piece is
 * charged to the render's budget before it is appended, so no block grows past the output bound.
 */
final class LiquidOutput implements RenderTransformer {

  @Override
  public ObjectAppender.Controller newObjectAppender(TemplateContext context, int estimatedNumberOfAppends) {
    LiquidBudget budget = LiquidContext.budget(context);
    // The estimate is not trusted for a capacity: a loop over (1..1000000000) estimates a billion.
    return new ObjectAppender.Controller() {
      private StringBuilder builder;
      private Object single;

      @Override
      public void append(Object obj) {
        String piece = obj instanceof String s ? s : String.valueOf(obj);
        long length = (builder != null ? builder.length() : single != null ? ((String) single).length() : 0) + piece.length();
        budget.checkValue(length, "A block of the template");
        budget.charge(piece.length(), "A block of the template");
        if (builder == null && single == null) {
          single = piece;
          return;
        }
        if (builder == null) {
          builder = new StringBuilder((String) single);
          single = null;
        }
        builder.append(piece);
      }

      @Override
      public Object getResult() {
        return builder != null ? builder.toString() : single != null ? single : "";
      }
    };
  }

  @Override
  public Object transformObject(TemplateContext context, Object obj) {
    return String.valueOf(obj);
  }
}
