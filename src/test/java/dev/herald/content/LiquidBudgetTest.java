package dev.herald.content;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The render's time bound counts the thread's CPU, so a render that waits for a core on a busy machine goes on. */
class LiquidBudgetTest {
  private static final long MS = 1_000_000;
  private final LiquidLimits limits = new LiquidLimits(Duration.ofMillis(100), 1 << 20, 3, 1 << 20, 10_000);
  private final AtomicLong wall = new AtomicLong(5_000 * MS);
  private final AtomicLong cpu = new AtomicLong(700 * MS);

  @Test
  void waiting_for_a_core_past_the_bound_is_not_a_runaway_render() {
    LiquidBudget budget = new LiquidBudget(limits, wall::get, cpu::get);
    wall.addAndGet(2_000 * MS);
    cpu.addAndGet(10 * MS);
    assertThatCode(budget::checkTime).doesNotThrowAnyException();
    // The deadline moved by the CPU left (90 ms): more waiting is still fine, more work past the bound is not.
    wall.addAndGet(5_000 * MS);
    cpu.addAndGet(80 * MS);
    assertThatCode(budget::checkTime).doesNotThrowAnyException();
    wall.addAndGet(50 * MS);
    cpu.addAndGet(20 * MS);
    assertThatThrownBy(budget::checkTime).isInstanceOf(LiquidBudget.Exceeded.class).hasMessageContaining("longer than 100 ms");
  }

  @Test
  void a_render_that_uses_its_cpu_is_stopped() {
    LiquidBudget budget = new LiquidBudget(limits, wall::get, cpu::get);
    wall.addAndGet(101 * MS);
    cpu.addAndGet(101 * MS);
    assertThatThrownBy(budget::checkTime).isInstanceOf(LiquidBudget.Exceeded.class);
  }

  @Test
  void where_cpu_time_is_unknown_the_wall_clock_decides() {
    cpu.set(-1);
    LiquidBudget budget = new LiquidBudget(limits, wall::get, cpu::get);
    wall.addAndGet(99 * MS);
    assertThatCode(budget::checkTime).doesNotThrowAnyException();
    wall.addAndGet(2 * MS);
    assertThatThrownBy(budget::checkTime).isInstanceOf(LiquidBudget.Exceeded.class);
  }
}
