package dev.herald.platform;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
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

  /** An import's page said nothing of how long it took; durations read as people say them. */
  @Test
  void a_duration_reads_in_its_two_largest_units() {
    assertThat(Dates.duration(Duration.ofMillis(400))).isEqualTo("less than a second");
    assertThat(Dates.duration(Duration.ofSeconds(1))).isEqualTo("1 second");
    assertThat(Dates.duration(Duration.ofSeconds(42))).isEqualTo("42 seconds");
    assertThat(Dates.duration(Duration.ofSeconds(60))).isEqualTo("1 minute");
    assertThat(Dates.duration(Duration.ofSeconds(185))).isEqualTo("3 minutes 5 seconds");
    assertThat(Dates.duration(Duration.ofMinutes(124).plusSeconds(59))).isEqualTo("2 hours 4 minutes");
    assertThat(Dates.duration(Duration.ofHours(3))).isEqualTo("3 hours");
    assertThat(Dates.duration(AT, AT.plusSeconds(61))).isEqualTo("1 minute 1 second");
    assertThat(Dates.duration(null, AT)).isEmpty();
    assertThat(Dates.duration(Duration.ofSeconds(-5))).isEmpty();
  }
}
