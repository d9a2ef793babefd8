package dev.herald.platform;

import java.util.Locale;

/**
 * Counts as people read them, in mails and on pages: "1 subscriber", "2 subscribers", "1,204 subscribers", never
 * "1 subscribers" or "subscriber(s)". English, the panel's language; pages call it as {@code T(dev.herald.platform.Words)}.
 */
public final class Words {
  private Words() {}

  /** "1,204": digits grouped by commas, whatever the machine's locale. */
  public static String number(long n) {
    return String.format(Locale.ENGLISH, "%,d", n);
  }

  /** {@code one} for exactly 1, {@code many} otherwise (0 subscribers, 2 subscribers). */
  public static String plural(long n, String one, String many) {
    return n == 1 ? one : many;
  }

  /** "1 subscriber", "0 subscribers", "1,204 subscribers". */
  public static String count(long n, String one, String many) {
    return number(n) + " " + plural(n, one, many);
  }
}
