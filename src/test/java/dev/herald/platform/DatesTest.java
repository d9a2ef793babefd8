package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/** Mails and pages said "valid until 2026-12-13T13:52:11.953658537Z"; they say times the way people write them. */
class DatesTest {
  private static final Instant AT = Instant.parse("2026-12-13T13:52:11.953658537Z");

  @Test
  void an_instant_reads_as_day_month_year_and_utc_time() {
    assertThat(Dates.time(AT)).isEqualTo("13 December 2026, 13:52 UTC");
    assertThat(Dates.preciseTime(AT)).isEqualTo("13 December 2026, 13:52:11 UTC");
    assertThat(Dates.day(AT)).isEqualTo("13 December 2026");
    assertThat(Dates.day(LocalDate.of(2099, 3, 1))).isEqualTo("1 March 2099");
  }

  @Test
  void other_zones_are_said_in_utc_and_the_machine_locale_does_not_matter() {
    Locale before = Locale.getDefault();
    try {
      Locale.setDefault(Locale.GERMANY);
      assertThat(Dates.time(OffsetDateTime.parse("2026-12-13T23:30:00-05:00"))).isEqualTo("14 December 2026, 04:30 UTC");
    } finally {
      Locale.setDefault(before);
    }
    assertThat(Dates.time(null)).isEmpty();
  }
}
