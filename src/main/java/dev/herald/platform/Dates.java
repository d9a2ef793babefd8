package dev.herald.platform;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.TemporalAccessor;
import java.util.Locale;

/**
 * Times as people read them, in mails and on pages: "13 December 2026, 13:52 UTC". Always English (the panel's
 * language) and always UTC, said so, whatever the machine's locale and zone. The API keeps ISO 8601.
 */
public final class Dates {
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("d MMMM uuuu, HH:mm 'UTC'", Locale.ENGLISH)
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter PRECISE = DateTimeFormatter.ofPattern("d MMMM uuuu, HH:mm:ss 'UTC'", Locale.ENGLISH)
      .withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter DAY = DateTimeFormatter.ofPattern("d MMMM uuuu", Locale.ENGLISH).withZone(ZoneOffset.UTC);

  private Dates() {}

  /** "13 December 2026, 13:52 UTC"; empty for null. */
  public static String time(TemporalAccessor at) {
    return at == null ? "" : TIME.format(at);
  }

  /** "13 December 2026, 13:52:11 UTC", where seconds matter (the audit log); empty for null. */
  public static String preciseTime(TemporalAccessor at) {
    return at == null ? "" : PRECISE.format(at);
  }

  /**
   * How long something took, in the two largest units that matter: "less than a second", "42 seconds",
   * "3 minutes 5 seconds", "2 hours 4 minutes"; empty for null or negative.
   */
  public static String duration(Duration took) {
    if (took == null || took.isNegative()) return "";
    long seconds = took.toSeconds();
    if (seconds == 0) return "less than a second";
    if (seconds < 60) return count(seconds, "second");
    if (seconds < 3600) return count(seconds / 60, "minute") + (seconds % 60 == 0 ? "" : " " + count(seconds % 60, "second"));
    long minutes = seconds / 60 % 60;
    return count(seconds / 3600, "hour") + (minutes == 0 ? "" : " " + count(minutes, "minute"));
  }

  /** {@link #duration(Duration)} from one instant to another; empty when either is null. */
  public static String duration(Instant from, Instant to) {
    return from == null || to == null ? "" : duration(Duration.between(from, to));
  }

  private static String count(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }

  /** "13 December 2026" (the day in UTC for an instant); empty for null. */
  public static String day(TemporalAccessor at) {
    return at == null ? "" : DAY.format(at);
  }
}
