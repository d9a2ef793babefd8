package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Article 12(3)'s month: calendar months in UTC, the end of a shorter month when the day does not exist. */
class DueDatesTest {
  static Instant at(String iso) {
    return Instant.parse(iso);
  }

  @Test
  void one_calendar_month_after_receipt_to_the_minute() {
    assertThat(DueDates.due(at("2027-03-15T10:30:00Z"))).isEqualTo(at("2027-04-15T10:30:00Z"));
    assertThat(DueDates.due(at("2027-12-20T23:59:00Z"))).isEqualTo(at("2028-01-20T23:59:00Z"));
  }

  @Test
  void a_day_the_next_month_lacks_becomes_its_last_day() {
    assertThat(DueDates.due(at("2027-01-31T09:00:00Z"))).isEqualTo(at("2027-02-28T09:00:00Z"));
    assertThat(DueDates.due(at("2028-01-31T09:00:00Z"))).isEqualTo(at("2028-02-29T09:00:00Z"));
    assertThat(DueDates.due(at("2027-03-31T09:00:00Z"))).isEqualTo(at("2027-04-30T09:00:00Z"));
    assertThat(DueDates.due(at("2027-02-28T09:00:00Z"))).isEqualTo(at("2027-03-28T09:00:00Z"));
  }

  @Test
  void an_extension_adds_two_further_months_counted_from_receipt() {
    assertThat(DueDates.extended(at("2027-01-15T09:00:00Z"))).isEqualTo(at("2027-04-15T09:00:00Z"));
    // Counted from receipt, not from the clamped first due date: 30 November + 3 months is 29 February 2028, then
    // 31 May + 3 months is 31 August (not 30, as 31 May -> 30 June -> +2 would give).
    assertThat(DueDates.extended(at("2027-11-30T09:00:00Z"))).isEqualTo(at("2028-02-29T09:00:00Z"));
    assertThat(DueDates.extended(at("2027-05-31T09:00:00Z"))).isEqualTo(at("2027-08-31T09:00:00Z"));
  }

  @Test
  void overdue_after_the_due_instant_and_due_soon_within_seven_days_before_it() {
    Instant due = at("2027-04-15T10:30:00Z");
    assertThat(DueDates.overdue(due, due)).isFalse();
    assertThat(DueDates.overdue(due, due.plusSeconds(1))).isTrue();
    assertThat(DueDates.dueSoon(due, due)).isTrue();
    assertThat(DueDates.dueSoon(due, due.plusSeconds(1))).isFalse();
    assertThat(DueDates.dueSoon(due, due.minus(Duration.ofDays(7)))).isTrue();
    assertThat(DueDates.dueSoon(due, due.minus(Duration.ofDays(7)).minusSeconds(1))).isFalse();
  }
}
