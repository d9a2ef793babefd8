package dev.herald.mail;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacterCategory;
import com.ibm.icu.text.Normalizer2;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Parses the text of an email address into an {@link EmailAddress}. The rules follow
 * python-email-validator with its default options plus {@code strict} (its test cases are the
 * corpus in {@code shared/corpora/email-address}); the messages are Herald's own.
 *
 * <p>Every check is a linear scan with no regular expressions, so no input can make parsing
 * backtrack, and anything longer than an address can be is refused before any real work.
 */
final class EmailAddressParser {

  /** RFC 5321 4.5.3.1.3 as corrected by RFC 3696 errata 1690: the longest usable address. */
  static final int MAX_ADDRESS_OCTETS = 254;

  /** RFC 5321 4.5.3.1.1; SMTPUTF8 (RFC 6531) keeps the limit in octets of UTF-8. */
  static final int MAX_LOCAL_PART_OCTETS = 64;

  private static final Normalizer2 NFC = Normalizer2.getNFCInstance();

  /** RFC 5322 3.2.3 atext: the ASCII characters allowed in an unquoted local part, besides dots. */
  private static final boolean[] ATEXT = asciiTable("!#$%&'*+-/=?^_`{|}~");

  private EmailAddressParser() {}

  static EmailAddress.Result parse(String input) {
    String trimmed = trim(input);
    if (trimmed.isEmpty()) {
      return new EmailAddress.Invalid(EmailAddress.Invalid.MISSING_EMAIL);
    }
    try {
      return new EmailAddress.Valid(parseTrimmed(trimmed));
    } catch (Rejected rejected) {
      return new EmailAddress.Invalid(rejected.getMessage());
    }
  }

  private static EmailAddress parseTrimmed(String raw) {
    // The text as typed must fit too (as in email-validator: callers may keep it). Checking it
    // first means a 10 MB cell costs nothing, since everything after is linear in the length.
    checkLength(raw, "address");
    checkForUnsupportedForms(raw);
    int at = indexOfTheOnlyAt(raw);

    // RFC 6532 3.1: compare and store addresses in NFC. NFC never creates, removes or merges an
    // '@', so the normalized text splits at the same place.
    String normalized = NFC.normalize(raw);
    int normalizedAt = normalized.indexOf('@');
    String localPart =
        checkLocalPart(raw.substring(0, at), normalized.substring(0, normalizedAt));
    EmailAddressDomain domain =
        EmailAddressDomain.of(raw.substring(at + 1), normalized.substring(normalizedAt + 1));

    EmailAddress email =
        new EmailAddress(
            localPart + "@" + domain.unicode(), localPart, domain.unicode(), domain.ascii(),
            !isAscii(localPart));
    // The raw text was measured above; normalization can lengthen it (U+FB2C becomes three code
    // points) and punycode lengthens the domain, and both forms get stored or sent.
    checkLength(email.address(), "address after normalization");
    checkLength(email.asciiAddress(), "address with the domain in ASCII (punycode)");
    return email;
  }

  /**
   * Only spaces and tabs are trimmed: they are the padding that spreadsheets and forms leave
   * around a value. A line break or another control character at either end means a broken row
   * or an injection attempt, and is refused with the rest of the address (as email-validator
   * does) rather than silently dropped.
   */
  private static String trim(String input) {
    if (input == null) {
      return "";
    }
    int start = 0;
    int end = input.length();
    while (start < end && isPadding(input.charAt(start))) {
      start++;
    }
    while (end > start && isPadding(input.charAt(end - 1))) {
      end--;
    }
    return input.substring(start, end);
  }

  private static boolean isPadding(char c) {
    return c == ' ' || c == '\t';
  }

  /** The MIME and RFC 5321 forms that are valid somewhere, but not in a subscriber list. */
  private static void checkForUnsupportedForms(String raw) {
    if (raw.endsWith(">") && raw.indexOf('<') >= 0) {
      throw new Rejected("a name or angle brackets around the address are not allowed: enter just the address");
    }
    if (raw.startsWith("\"")) {
      // Valid per RFC 5321, but few mail systems and almost no ESPs accept them.
      throw new Rejected("quoted local parts are not supported");
    }
  }

  private static int indexOfTheOnlyAt(String raw) {
    int at = raw.indexOf('@');
    if (at < 0) {
      throw new Rejected(missingAtReason(raw));
    }
    if (raw.indexOf('@', at + 1) >= 0) {
      throw new Rejected("more than one @");
    }
    return at;
  }

  /** Look-alikes of '@' typed on CJK keyboards get named, because the address looks right. */
  private static String missingAtReason(String raw) {
    if (raw.indexOf('\uFF20') >= 0) {
      return "missing @ (it has a full-width ＠ instead)";
    }
    if (raw.indexOf('\uFE6B') >= 0) {
      return "missing @ (it has a small ﹫ instead)";
    }
    return "missing @";
  }

  /** Checks the local part (before and after NFC) and returns its normalized form. */
  private static String checkLocalPart(String raw, String local) {
    if (local.isEmpty()) {
      throw new Rejected("missing local part before the @");
    }
    // The raw text too: '<' followed by U+0338 normalizes to '≮', which would pass on its own.
    checkAsciiCharacters(raw, ATEXT, "local part");
    checkAsciiCharacters(local, ATEXT, "local part");
    checkOctets(local, MAX_LOCAL_PART_OCTETS, "local part");
    checkDots(local);
    checkUnsafeCharacters(local, "local part");
    return local;
  }

  /** RFC 5322 3.2.3 dot-atom: dots only between atoms. */
  private static void checkDots(String local) {
    if (local.startsWith(".")) {
      throw new Rejected("local part starts with a dot");
    }
    if (local.endsWith(".")) {
      throw new Rejected("local part ends with a dot");
    }
    if (local.contains("..")) {
      throw new Rejected("local part has two dots in a row");
    }
  }

  // ---- helpers shared with EmailAddressDomain --------------------------------------------------

  /**
   * Refuses ASCII characters outside {@code allowed} (and the dot). Characters from U+0080 up are
   * left to {@link #checkUnsafeCharacters}: RFC 6531 allows them all in principle.
   */
  static void checkAsciiCharacters(String text, boolean[] allowed, String part) {
    SortedSet<Integer> bad = null;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80 && c != '.' && !allowed[c]) {
        bad = add(bad, c);
      }
    }
    if (bad != null) {
      throw new Rejected(part + " contains invalid characters: " + describe(bad));
    }
  }

  /**
   * Refuses characters that RFC 6531 permits but that are unsafe or senseless in an address, as
   * email-validator does: spaces and line separators, control and format characters (bidi
   * overrides and zero-width characters make an address render as another one), surrogates,
   * private-use and unassigned code points, and a combining mark at the start, which would
   * combine with whatever the address is printed after.
   */
  static void checkUnsafeCharacters(String text, String part) {
    SortedSet<Integer> bad = null;
    for (int i = 0; i < text.length(); ) {
      int cp = text.codePointAt(i);
      if (cp >= 0x80 && isUnsafe(cp, i == 0)) {
        bad = add(bad, cp);
      }
      i += Character.charCount(cp);
    }
    if (bad != null) {
      throw new Rejected(part + " contains unsafe characters: " + describe(bad));
    }
  }

  private static boolean isUnsafe(int cp, boolean first) {
    if (isVisible(cp)) {
      return false;
    }
    if (isMark(cp)) {
      return first;
    }
    // Separators (Z*), controls, format, surrogates, private use, unassigned (C*), and any
    // category a future Unicode adds.
    return true;
  }

  /** Letters, numbers, punctuation and symbols: the categories that print as themselves. */
  private static boolean isVisible(int cp) {
    return switch (UCharacter.getType(cp)) {
      case UCharacterCategory.UPPERCASE_LETTER,
          UCharacterCategory.LOWERCASE_LETTER,
          UCharacterCategory.TITLECASE_LETTER,
          UCharacterCategory.MODIFIER_LETTER,
          UCharacterCategory.OTHER_LETTER,
          UCharacterCategory.DECIMAL_DIGIT_NUMBER,
          UCharacterCategory.LETTER_NUMBER,
          UCharacterCategory.OTHER_NUMBER,
          UCharacterCategory.DASH_PUNCTUATION,
          UCharacterCategory.START_PUNCTUATION,
          UCharacterCategory.END_PUNCTUATION,
          UCharacterCategory.CONNECTOR_PUNCTUATION,
          UCharacterCategory.OTHER_PUNCTUATION,
          UCharacterCategory.INITIAL_PUNCTUATION,
          UCharacterCategory.FINAL_PUNCTUATION,
          UCharacterCategory.MATH_SYMBOL,
          UCharacterCategory.CURRENCY_SYMBOL,
          UCharacterCategory.MODIFIER_SYMBOL,
          UCharacterCategory.OTHER_SYMBOL -> true;
      default -> false;
    };
  }

  private static boolean isMark(int cp) {
    return switch (UCharacter.getType(cp)) {
      case UCharacterCategory.NON_SPACING_MARK,
          UCharacterCategory.ENCLOSING_MARK,
          UCharacterCategory.COMBINING_SPACING_MARK -> true;
      default -> false;
    };
  }

  /** Refuses text over {@code limit} octets of UTF-8, naming characters when that is the same. */
  static void checkOctets(String text, int limit, String what) {
    int octets = utf8Length(text);
    if (octets <= limit) {
      return;
    }
    String unit = octets == text.codePointCount(0, text.length()) ? "characters" : "bytes of UTF-8";
    throw new Rejected(what + " is longer than " + limit + " " + unit);
  }

  private static void checkLength(String address, String what) {
    // UTF-8 never has fewer octets than UTF-16 has chars, so a long string is refused unmeasured.
    if (address.length() > MAX_ADDRESS_OCTETS) {
      throw new Rejected(what + " is longer than " + MAX_ADDRESS_OCTETS + " characters");
    }
    checkOctets(address, MAX_ADDRESS_OCTETS, what);
  }

  static int utf8Length(String text) {
    int octets = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c < 0x80) {
        octets += 1;
      } else if (c < 0x800) {
        octets += 2;
      } else if (Character.isHighSurrogate(c)
          && i + 1 < text.length()
          && Character.isLowSurrogate(text.charAt(i + 1))) {
        octets += 4;
        i++;
      } else {
        octets += 3;
      }
    }
    return octets;
  }

  static boolean isAscii(String text) {
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) >= 0x80) {
        return false;
      }
    }
    return true;
  }

  /** A table of the ASCII letters, digits and {@code extra}, indexed by char. */
  static boolean[] asciiTable(String extra) {
    boolean[] table = new boolean[0x80];
    for (char c = 'a'; c <= 'z'; c++) {
      table[c] = true;
      table[Character.toUpperCase(c)] = true;
    }
    for (char c = '0'; c <= '9'; c++) {
      table[c] = true;
    }
    for (char c : extra.toCharArray()) {
      table[c] = true;
    }
    return table;
  }

  static SortedSet<Integer> add(SortedSet<Integer> set, int codePoint) {
    SortedSet<Integer> result = set == null ? new TreeSet<>() : set;
    result.add(codePoint);
    return result;
  }

  /** Names characters so a person can find them: visible ones quoted, others by Unicode name. */
  static String describe(SortedSet<Integer> codePoints) {
    return codePoints.stream().map(EmailAddressParser::describe).collect(Collectors.joining(", "));
  }

  private static String describe(int cp) {
    if (isVisible(cp)) {
      return "'" + Character.toString(cp) + "'";
    }
    String name = UCharacter.getName(cp);
    if (name != null) {
      return name;
    }
    return String.format(cp < 0x10000 ? "U+%04X" : "U+%08X", cp);
  }

  /**
   * Carries the reason out of the nested checks to {@link #parse}. Without a stack trace it costs
   * about as much as returning a value, which matters for imports with many bad rows.
   */
  static final class Rejected extends RuntimeException {
    Rejected(String reason) {
      super(reason, null, false, false);
    }
  }
}
