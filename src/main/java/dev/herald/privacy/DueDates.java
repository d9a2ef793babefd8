package dev.herald.privacy;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

/**
 * GDPR article 12(3): a request is answered "within one month of receipt", a period that "may be extended by two
 * further months where necessary". A month is a calendar month counted in UTC (the installation's time): received on
 * 31 January, due on 28 (or 29) February, the last day of the shorter month, as Regulation 1182/71 counts periods and
 * as {@link java.time.ZonedDateTime#plusMonths} clamps. Pure arithmetic, so the edge cases are tested without a database.
 */
final class DueDates {
  /** A request due within this much time is flagged as due soon. */
  static final Duration DUE_SOON = Duration.ofDays(7);
  static final int MONTHS = 1;
  static final int EXTENSION_MONTHS = 2;

  private DueDates() {}

  /** One calendar month after receipt. */
  static Instant due(Instant receivedAt) {
    return receivedAt.atZone(ZoneOffset.UTC).plusMonths(MONTHS).toInstant();
  }

  /** The due date once extended: three calendar months after receipt (one, then two further). */
  static Instant extended(Instant receivedAt) {
    return receivedAt.atZone(ZoneOffset.UTC).plusMonths(MONTHS + EXTENSION_MONTHS).toInstant();
  }

  static boolean overdue(Instant dueAt, Instant now) {
    return now.isAfter(dueAt);
  }

  /** Not overdue yet, due within {@link #DUE_SOON}. */
  static boolean dueSoon(Instant dueAt, Instant now) {
    return !overdue(dueAt, now) && !now.plus(DUE_SOON).isBefore(dueAt);
  }
}
