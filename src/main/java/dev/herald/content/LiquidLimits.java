package dev.herald.content;

import java.time.Duration;

/**
 * The bounds of the sandbox (herald.content.template.*). {@code workChars} is the total of characters every filter,
 * capture and block may build during one render, a multiple of the output bound: repeated assigns that each stay
 * under the output bound still end there.
 */
record LiquidLimits(Duration maxRenderTime, long maxOutputBytes, int maxIncludeDepth, long maxTemplateBytes, int maxLoopIterations) {
  /** Nesting of blocks, and of brackets in an expression: deeper templates are refused at compile time. */
  static final int MAX_NESTING = 50;
  /** Elements a list built by a filter (split, concat) may have. */
  static final int MAX_LIST_ELEMENTS = 100_000;
  static final int WORK_FACTOR = 32;

  long maxValueChars() {
    return maxOutputBytes;
  }

  long workChars() {
    return maxOutputBytes * WORK_FACTOR;
  }
}
