package dev.herald.delivery.smtp;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * What the server's EHLO reply offers (HELO offers nothing).
 *
 * @param sizeLimit the SIZE the server announced (RFC 1870), 0 when it gave none or no number
 * @param authMechanisms the SASL mechanisms of its AUTH keyword (RFC 4954), upper-case, each once, in order; also read from the
 *     {@code AUTH=} form that old Microsoft servers and some relays still send
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
    boolean enhancedStatusCodes,
    List<String> authMechanisms) {

  static final Capabilities HELO = new Capabilities(false, false, false, false, false, false, 0, false, false, List.of());

  Capabilities {
    authMechanisms = List.copyOf(authMechanisms);
  }

  /** Reads the keywords of an EHLO reply: every line but the first, which names the server. */
  static Capabilities of(SmtpReply ehlo) {
    boolean pipelining = false, startTls = false, eightBitMime = false, smtpUtf8 = false;
    boolean size = false, dsn = false, enhanced = false;
    long sizeLimit = 0;
    Set<String> auth = new LinkedHashSet<>();
    for (String line : ehlo.lines().subList(1, ehlo.lines().size())) {
      String[] words = line.strip().split("[\\s=]+");
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
        case "AUTH" -> {
          for (int i = 1; i < words.length; i++) auth.add(words[i].toUpperCase(Locale.ROOT));
        }
        default -> {}
      }
    }
    return new Capabilities(true, pipelining, startTls, eightBitMime, smtpUtf8, size, sizeLimit, dsn, enhanced, List.copyOf(auth));
  }

  private static long parseSize(String word) {
    try {
      return Math.max(0, Long.parseLong(word));
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
