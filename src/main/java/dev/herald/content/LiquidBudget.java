package dev.herald.content;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.function.LongSupplier;

/**
 * What one render may still spend: time until a deadline, characters that filters, captures and blocks may build in
 * total, and include depth. Every filter call, appended piece of output and loop iteration asks it, so a render stops
 * in the template's own thread soon after a bound is passed (no thread is left running a runaway loop).
 */
final class LiquidBudget {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  private final LiquidLimits limits;
  private final LongSupplier wallClock;
  private final LongSupplier threadCpu;
  private final long cpuAtStart;
  private long deadline;
  private long workLeft;
  private int includeDepth;

  LiquidBudget(LiquidLimits limits) {
    this(limits, System::nanoTime, LiquidBudget::currentThreadCpu);
  }

  LiquidBudget(LiquidLimits limits, LongSupplier wallClock, LongSupplier threadCpu) {
    this.limits = limits;
    this.wallClock = wallClock;
    this.threadCpu = threadCpu;
    this.cpuAtStart = threadCpu.getAsLong();
    this.deadline = wallClock.getAsLong() + limits.maxRenderTime().toNanos();
    this.workLeft = limits.workChars();
  }

  /** The thread's CPU time in nanoseconds, or -1 where the JVM cannot tell (a virtual thread). */
  private static long currentThreadCpu() {
    try {
      return THREADS.getCurrentThreadCpuTime();
    } catch (UnsupportedOperationException e) {
      return -1;
    }
  }

  LiquidLimits limits() {
    return limits;
  }

  /**
   * The time bound is on the CPU the render uses, not on the wall clock: on a busy machine a delivery lane may wait
   * longer than the bound for a core while its render needs a millisecond of it (measured: batches failing with
   * "took longer than 1000 ms" at load 40 on 2 cores). The wall clock is read first because it is cheap and never less
   * than the thread's CPU; only past it is the thread's CPU time read, and the wall deadline moved by what is left.
   * Where the CPU time cannot be read (a virtual thread), the wall clock decides.
   */
  void checkTime() {
    long now = wallClock.getAsLong();
    if (now - deadline <= 0) return;
    long cpu = cpuAtStart < 0 ? -1 : threadCpu.getAsLong();
    long left = cpu < 0 ? 0 : limits.maxRenderTime().toNanos() - (cpu - cpuAtStart);
    if (left <= 0) {
      throw new Exceeded("The template took longer than " + limits.maxRenderTime().toMillis() + " ms to render.");
    }
    deadline = now + left;
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
