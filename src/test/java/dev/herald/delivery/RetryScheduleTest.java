package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.delivery.RetrySchedule.Next;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
  static final Instant QUEUED = Instant.parse("2026-12-06T12:00:00Z");

  /** The defaults, without jitter (the random value 0.5 is the middle of the spread). */
  final RetrySchedule schedule = new RetrySchedule(Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofDays(5), 0.1, () -> 0.5);

  @Test
  void retries_start_within_minutes_and_double_up_to_every_two_hours() {
    List<Duration> intervals = new ArrayList<>();
    Instant now = QUEUED;
    for (int attempts = 1; attempts <= 8; attempts++) {
      Instant next = ((Next.RetryAt) schedule.next(QUEUED, attempts, now)).at();
      intervals.add(Duration.between(now, next));
      now = next;
    }
    assertThat(intervals).containsExactly(Duration.ofMinutes(5), Duration.ofMinutes(10), Duration.ofMinutes(20),
        Duration.ofMinutes(40), Duration.ofMinutes(80), Duration.ofHours(2), Duration.ofHours(2), Duration.ofHours(2));
  }

  @Test
  void jitter_spreads_an_interval_by_at_most_its_share_either_way() {
    Instant now = QUEUED.plus(Duration.ofMinutes(35));
    Next earliest = new RetrySchedule(Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofDays(5), 0.1, () -> 0.0)
        .next(QUEUED, 4, now);
    Next latest = new RetrySchedule(Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofDays(5), 0.1, () -> 0.999999)
        .next(QUEUED, 4, now);
    assertThat(earliest).isEqualTo(new Next.RetryAt(now.plus(Duration.ofMinutes(36))));
    assertThat(((Next.RetryAt) latest).at()).isBetween(now.plus(Duration.ofMinutes(43)), now.plus(Duration.ofMinutes(44)));
    // With the real random source every retry stays within the spread.
    RetrySchedule random = new RetrySchedule(Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofDays(5), 0.1);
    for (int i = 0; i < 1000; i++) {
      Instant at = ((Next.RetryAt) random.next(QUEUED, 1, QUEUED)).at();
      assertThat(at).isBetween(QUEUED.plus(Duration.ofMinutes(4).plusSeconds(30)), QUEUED.plus(Duration.ofMinutes(5).plusSeconds(30)));
    }
  }

  @Test
  void the_last_retry_is_at_the_give_up_age_and_a_failure_then_expires() {
    Instant late = QUEUED.plus(Duration.ofDays(5)).minus(Duration.ofMinutes(30));
    assertThat(schedule.next(QUEUED, 60, late)).isEqualTo(new Next.RetryAt(QUEUED.plus(Duration.ofDays(5))));
    assertThat(schedule.next(QUEUED, 61, QUEUED.plus(Duration.ofDays(5)))).isEqualTo(new Next.Expired());
    assertThat(schedule.next(QUEUED, 2, QUEUED.plus(Duration.ofDays(6)))).isEqualTo(new Next.Expired());
  }

  @Test
  void a_message_retried_by_the_defaults_gets_sixty_five_attempts_in_five_days() {
    Instant now = QUEUED;
    int attempts = 1;
    while (schedule.next(QUEUED, attempts, now) instanceof Next.RetryAt(Instant at)) {
      now = at;
      attempts++;
    }
    assertThat(now).isEqualTo(QUEUED.plus(Duration.ofDays(5)));
    // The first try, 5 doubling retries (155 minutes), 58 every 2 hours in the rest of 5 days, the last at the limit.
    assertThat(attempts).isEqualTo(65);
  }

  @Test
  void a_permanent_failure_bounces_at_once_and_a_temporary_one_is_retried() {
    assertThat(schedule.after(ReplyClass.PERMANENT, QUEUED, 1, QUEUED)).isEqualTo(new Next.Bounced());
    assertThat(schedule.after(ReplyClass.MESSAGE_TEMPORARY, QUEUED, 1, QUEUED))
        .isEqualTo(new Next.RetryAt(QUEUED.plus(Duration.ofMinutes(5))));
    assertThat(schedule.after(ReplyClass.DESTINATION_THROTTLED, QUEUED, 3, QUEUED))
        .isEqualTo(new Next.RetryAt(QUEUED.plus(Duration.ofMinutes(20))));
    assertThatThrownBy(() -> schedule.after(ReplyClass.OK, QUEUED, 1, QUEUED)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void an_inconsistent_schedule_is_refused() {
    assertThatThrownBy(() -> new RetrySchedule(Duration.ZERO, Duration.ofHours(2), Duration.ofDays(5), 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetrySchedule(Duration.ofHours(3), Duration.ofHours(2), Duration.ofDays(5), 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetrySchedule(Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofMinutes(5), 0.1))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new RetrySchedule(Duration.ofMinutes(5), Duration.ofHours(2), Duration.ofDays(5), 0.6))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> schedule.next(QUEUED, 0, QUEUED)).isInstanceOf(IllegalArgumentException.class);
  }
}
