package dev.herald.delivery.smtp;

import java.util.Locale;

/**
 * What the server's EHLO reply offers (HELO offers nothing).
 *
 * @param sizeLimit the SIZE the server announced (RFC 1870), 0 when it gave none or no number
 */
record Capabilities(
    boolean esmtp,
    boolean pipelining,
    boolean startTls,
    boolean eightBitMime,
    boolean smtpUtf8,
    boolean size,
    long sizeLimit,
    boolean dsn,
    boolean enhancedStatusCodes) {

  static final Capabilities HELO = new Capabilities(false, false, false, false, false, false, 0, false, false);

  /** Reads the keywords of an EHLO reply: every line but the first, which names the server. */
  static Capabilities of(SmtpReply ehlo) {
    boolean pipelining = false, startTls = false, eightBitMime = false, smtpUtf8 = false;
    boolean size = false, dsn = false, enhanced = false;
    long sizeLimit = 0;
    for (String line : ehlo.lines().subList(1, ehlo.lines().size())) {
      String[] words = line.strip().split("\\s+");
      switch (words[0].toUpperCase(Locale.ROOT)) {
        case "PIPELINING" -> pipelining = true;
        case "STARTTLS" -> startTls = true;
        case "8BITMIME" -> eightBitMime = true;
        case "SMTPUTF8" -> smtpUtf8 = true;
        case "DSN" -> dsn = true;
        case "ENHANCEDSTATUSCODES" -> enhanced = true;
        case "SIZE" -> {
          size = true;
          sizeLimit = words.length > 1 ? parseSize(words[1]) : 0;
        }
        default -> {}
      }
    }
    return new Capabilities(true, pipelining, startTls, eightBitMime, smtpUtf8, size, sizeLimit, dsn, enhanced);
  }

  private static long parseSize(String word) {
    try {
      return Math.max(0, Long.parseLong(word));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
