package dev.herald.suppression;

import dev.herald.mail.AddressDigest;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import java.util.HexFormat;
import java.util.Locale;

/**
 * What an entry suppresses: one address, held by its subscriber key so that it compares equal to
 * {@code subscriber.email_key} (lower-cased, NFC, Unicode domain), or a whole domain in the same
 * Unicode form as the key's domain.
 */
sealed interface Target {

  record Address(String key) implements Target {
    /** SHA-256 of the key's UTF-8: what the index holds and what survives an erasure. */
    byte[] hash() {
      return AddressDigest.of(key);
    }
  }

  record Domain(String domain) implements Target {}

  /** The address normalized as subscribers are ({@link EmailAddress#key()}), or a problem naming {@code field}. */
  static Address address(String field, String input) {
    return switch (EmailAddress.parse(input)) {
      case EmailAddress.Valid v -> new Address(v.address().key());
      case EmailAddress.Invalid i -> throw Refused.invalid(field, "Not a valid email address: " + i.reason() + ".");
    };
  }

  /**
   * A domain as the email key holds it: parsed by the address parser itself (as the domain of
   * {@code x@domain}), so punycode input ({@code xn--bcher-kva.example}) and Unicode input
   * ({@code BÜCHER.example}) both become {@code bücher.example}, and whatever the parser refuses in an
   * address's domain is refused here too.
   */
  static Domain domain(String field, String input) {
    String text = input == null ? "" : input.strip();
    if (text.startsWith("@")) text = text.substring(1);
    if (text.isEmpty()) throw Refused.invalid(field, "Give a domain, e.g. example.com.");
    if (text.contains("@")) throw Refused.invalid(field, "A domain has no @; give an address or a domain, e.g. example.com.");
    return switch (EmailAddress.parse("x@" + text)) {
      case EmailAddress.Valid v -> new Domain(v.address().domain().toLowerCase(Locale.ROOT));
      case EmailAddress.Invalid i -> throw Refused.invalid(field, "Not a valid domain: " + i.reason() + ".");
    };
  }

  static String hex(byte[] bytes) {
    return bytes == null ? null : HexFormat.of().formatHex(bytes);
  }
}
