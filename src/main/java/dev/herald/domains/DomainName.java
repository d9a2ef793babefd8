package dev.herald.domains;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;

/** A sending domain's name in both forms: ASCII (A-labels, what DNS and d= take) and Unicode (what people read). */
record DomainName(String ascii, String unicode) {

  /**
   * Validates a name as the domain of an address would be (IDNA 2008 / UTS #46 through {@code dev.herald.mail}, at
   * least two labels, no special-use names), so every address on a verified domain parses to it.
   */
  static DomainName parse(String field, String input) {
    String text = input == null ? "" : input.strip();
    if (text.endsWith(".")) text = text.substring(0, text.length() - 1);
    if (text.isEmpty()) throw Refused.invalid(field, "Enter a domain name, e.g. example.com.");
    if (text.contains("@") || text.contains("/") || text.contains(":") || text.chars().anyMatch(Character::isWhitespace)) {
      throw Refused.invalid(field, "Enter a domain name only, e.g. example.com (no address, scheme or path).");
    }
    return switch (EmailAddress.parse("postmaster@" + text)) {
      case EmailAddress.Valid valid -> {
        if (!valid.address().asciiDomain().contains(".")) throw Refused.invalid(field, "A sending domain has at least two labels, e.g. example.com.");
        yield new DomainName(valid.address().asciiDomain(), valid.address().domain());
      }
      case EmailAddress.Invalid invalid -> throw Refused.invalid(field, "Not a valid domain name: " + invalid.reason() + ".");
    };
  }
}
