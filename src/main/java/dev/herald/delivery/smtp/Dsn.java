package dev.herald.delivery.smtp;

import java.util.HexFormat;
import java.util.Locale;

/** The encodings of RFC 3461's DSN parameters: xtext, and RFC 6533's form for addresses that are not ASCII. */
final class Dsn {
  /** RFC 3461 §4.4: an ENVID is at most 100 characters. */
  static final int MAX_ENVID = 100;

  private Dsn() {}

  /** RFC 3461 §4: "!" to "~" as they are, except "+" and "=", which (like anything else) become "+" and two hex digits. */
  static String xtext(String ascii) {
    StringBuilder out = new StringBuilder(ascii.length() + 8);
    for (int i = 0; i < ascii.length(); i++) {
      char c = ascii.charAt(i);
      if (c >= '!' && c <= '~' && c != '+' && c != '=') {
        out.append(c);
      } else {
        out.append('+').append(HexFormat.of().withUpperCase().toHexDigits((byte) c));
      }
    }
    return out.toString();
  }

  /**
   * The ORCPT value: {@code rfc822;} and the xtext of an ASCII address; for an address that is not ASCII (sent with
   * SMTPUTF8), RFC 6533 §3's {@code utf-8;} type with its utf-8-addr-xtext, where "+", "=", "\", controls and every
   * non-ASCII character are written {@code \x{HEX}}.
   */
  static String orcpt(String address) {
    if (address.chars().allMatch(c -> c < 0x80)) return "rfc822;" + xtext(address);
    StringBuilder out = new StringBuilder("utf-8;");
    address.codePoints().forEach(cp -> {
      if (cp >= '!' && cp <= '~' && cp != '+' && cp != '=' && cp != '\\') {
        out.appendCodePoint(cp);
      } else {
        out.append("\\x{").append(Integer.toHexString(cp).toUpperCase(Locale.ROOT)).append('}');
      }
    });
    return out.toString();
  }
}
