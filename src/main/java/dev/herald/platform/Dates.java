package dev.herald.platform;

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

  /** "13 December 2026" (the day in UTC for an instant); empty for null. */
  public static String day(TemporalAccessor at) {
    return at == null ? "" : DAY.format(at);
  }
}
