package dev.herald.content;

/**
 * What one render may still spend: time until a deadline, characters that filters, captures and blocks may build in
 * total, and include depth. Every filter call, appended piece of output and loop iteration asks it, so a render stops
 * in the template's own thread soon after a bound is passed (no thread is left running a runaway loop).
 */
final class LiquidBudget {
  private final LiquidLimits limits;
  private final long deadline;
  private long workLeft;
  private int includeDepth;

  LiquidBudget(LiquidLimits limits) {
    this.limits = limits;
    this.deadline = System.nanoTime() + limits.maxRenderTime().toNanos();
    this.workLeft = limits.workChars();
  }

  LiquidLimits limits() {
    return limits;
  }

  void checkTime() {
    if (System.nanoTime() - deadline > 0) {
      throw new Exceeded("The template took longer than " + limits.maxRenderTime().toMillis() + " ms to render.");
    }
  }

  /** No single value (a filter's result, a block's output) may be longer than the output bound. */
  void checkValue(long chars, String what) {
    if (chars > limits.maxValueChars()) {
      throw new Exceeded(what + " would build " + chars + " characters; the limit is " + limits.maxValueChars() + ".");
    }
  }

  /** A value of {@code chars} characters is about to be built (or was). */
  void charge(long chars, String what) {
    checkValue(chars, what);
    workLeft -= chars;
    if (workLeft < 0) {
      throw new Exceeded("The template builds more than " + limits.workChars()
          + " characters in total while rendering (filters, captures and loops together).");
    }
    checkTime();
  }

  void checkListSize(long elements, String what) {
    if (elements > LiquidLimits.MAX_LIST_ELEMENTS) {
      throw new Exceeded(what + " would build a list of " + elements + " items; the limit is " + LiquidLimits.MAX_LIST_ELEMENTS + ".");
    }
  }

  void enterInclude() {
    if (++includeDepth > limits.maxIncludeDepth()) {
      throw new Exceeded("Includes nest deeper than " + limits.maxIncludeDepth() + " levels.");
    }
  }

  void leaveInclude() {
    includeDepth--;
  }

  /** A bound was hit; the message is the user's. No stack trace: it is an answer, not a fault. */
  static final class Exceeded extends RuntimeException {
    Exceeded(String message) {
      super(message, null, false, false);
    }
  }
}
