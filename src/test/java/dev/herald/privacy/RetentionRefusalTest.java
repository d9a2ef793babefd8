package dev.herald.privacy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.platform.personaldata.RetentionCategory;
import java.time.Instant;
import java.time.Period;
import org.junit.jupiter.api.Test;

/** An organization asking to keep data longer than the installation is told the category, the limit and the unit. */
class RetentionRefusalTest {
  static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

  @Test
  void the_refusal_names_the_category_the_limit_and_what_was_given_in_its_units() {
    assertThat(RetentionSchedules.notShorter(RetentionCategory.TRACKING_IP_ADDRESSES, Period.ofDays(45), Period.ofDays(30), NOW))
        .isEqualTo("period for tracking IP addresses must be less than the installation's 30 days; 45 days was given."
            + " An organization may shorten a schedule, not lengthen it.");
  }

  @Test
  void a_limit_or_period_in_months_or_years_is_also_given_in_days_when_the_other_is_in_days() {
    // 2 months before 1 March 2026 is 1 January: 59 days. A year before it is 1 March 2025: 365 days.
    assertThat(RetentionSchedules.notShorter(RetentionCategory.TRACKING_IP_ADDRESSES, Period.ofMonths(2), Period.ofDays(30), NOW))
        .isEqualTo("period for tracking IP addresses must be less than the installation's 30 days; 2 months (59 days as of today) was given."
            + " An organization may shorten a schedule, not lengthen it.");
    assertThat(RetentionSchedules.notShorter(RetentionCategory.AUDIT_LOG, Period.ofDays(400), Period.ofYears(1), NOW))
        .isEqualTo("period for audit log must be less than the installation's 1 year (365 days as of today); 400 days was given."
            + " An organization may shorten a schedule, not lengthen it.");
  }
}
