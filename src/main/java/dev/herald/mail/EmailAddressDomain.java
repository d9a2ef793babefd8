package dev.herald.mail;

import static dev.herald.mail.EmailAddressParser.add;
import static dev.herald.mail.EmailAddressParser.checkAsciiCharacters;
import static dev.herald.mail.EmailAddressParser.checkUnsafeCharacters;
import static dev.herald.mail.EmailAddressParser.describe;

import com.ibm.icu.text.IDNA;
import com.ibm.icu.text.Normalizer2;
import dev.herald.mail.EmailAddressParser.Rejected;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;

/**
 * The domain of an email address, checked as a hostname that can receive mail from the Internet
 * and converted with IDNA 2008 as profiled by UTS #46 (non-transitional: 'ß' stays 'ß').
 *
 * @param unicode the canonical Unicode form, lower-cased and mapped: what people see
 * @param ascii the punycode form: what DNS and a non-SMTPUTF8 envelope use
 */
record EmailAddressDomain(String unicode, String ascii) {

  /**
   * UTS #46 with the STD3 rules (hostname characters only), the IDNA 2008 bidi and context rules.
   * ICU documents IDNA instances as immutable and thread-safe.
   */
  private static final IDNA UTS46 =
      IDNA.getUTS46Instance(
          IDNA.NONTRANSITIONAL_TO_ASCII
              | IDNA.NONTRANSITIONAL_TO_UNICODE
              | IDNA.USE_STD3_RULES
              | IDNA.CHECK_BIDI
              | IDNA.CHECK_CONTEXTJ
              | IDNA.CHECK_CONTEXTO);

  /** RFC 952 / RFC 1123 2.1: letters, digits and hyphens (dots separate the labels). */
  private static final boolean[] HOSTNAME = EmailAddressParser.asciiTable("-");

  /** RFC 1035 2.3.4. */
  private static final int MAX_LABEL_OCTETS = 63;

  /**
   * Special-use names (RFC 6761, 6762, 7686 and the arpa infrastructure zone) that cannot have a
   * globally deliverable mailbox: email-validator's list, without its test-environment exception.
   */
  private static final List<String> SPECIAL_USE = List.of("arpa", "invalid", "local", "localhost", "onion", "test");

  /** Length errors are reported by {@link #checkLabelsAndTld} with the lengths in the message. */
  private static final Set<IDNA.Error> LENGTH_ERRORS =
      EnumSet.of(IDNA.Error.LABEL_TOO_LONG, IDNA.Error.DOMAIN_NAME_TOO_LONG);

  private static final Normalizer2 NFKD = Normalizer2.getNFKDInstance();

  /**
   * Checks a domain and returns both of its forms.
   *
   * @param raw the domain as typed, checked for ASCII characters that NFC could hide
   * @param normalized the same domain in NFC
   */
  static EmailAddressDomain of(String raw, String normalized) {
    if (normalized.isEmpty()) {
      throw new Rejected("missing domain after the @");
    }
    if (normalized.startsWith("[")) {
      throw new Rejected("IP addresses in brackets are not supported as the domain");
    }
    checkAsciiCharacters(raw, HOSTNAME, "domain");
    checkAsciiCharacters(normalized, HOSTNAME, "domain");
    checkUnsafeCharacters(normalized, "domain");
    checkDotLookalikes(normalized);

    EmailAddressDomain domain = needsIdna(normalized) ? convert(normalized) : plainAscii(normalized);
    checkLabelsAndTld(domain.ascii());
    return domain;
  }

  /** Most domains are plain ASCII hostnames: they only need lower-casing, not ICU. */
  private static boolean needsIdna(String domain) {
    return !EmailAddressParser.isAscii(domain) || hasPunycodeLabel(domain);
  }

  private static boolean hasPunycodeLabel(String domain) {
    for (String label : domain.split("\\.", -1)) {
      if (label.regionMatches(true, 0, "xn--", 0, 4)) {
        return true;
      }
    }
    return false;
  }

  private static EmailAddressDomain plainAscii(String domain) {
    String lower = domain.toLowerCase(Locale.ROOT);
    checkDotsAndHyphens(lower);
    return new EmailAddressDomain(lower, lower);
  }

  /**
   * Maps and converts with UTS #46. The dot and hyphen rules are checked on the mapped text before
   * ICU's own errors are looked at, because mapping can create dots and hyphens (full-width '．'
   * and '－') and our messages for those are clearer than ICU's error names.
   */
  private static EmailAddressDomain convert(String domain) {
    StringBuilder unicode = new StringBuilder();
    IDNA.Info toUnicode = new IDNA.Info();
    UTS46.nameToUnicode(domain, unicode, toUnicode);
    if (toUnicode.getErrors().contains(IDNA.Error.DISALLOWED)) {
      throw new Rejected(disallowedReason(domain));
    }
    checkDotsAndHyphens(unicode.toString());

    StringBuilder ascii = new StringBuilder();
    IDNA.Info toAscii = new IDNA.Info();
    UTS46.nameToASCII(domain, ascii, toAscii);
    Set<IDNA.Error> errors = EnumSet.noneOf(IDNA.Error.class);
    errors.addAll(toUnicode.getErrors());
    errors.addAll(toAscii.getErrors());
    errors.removeAll(LENGTH_ERRORS);
    if (!errors.isEmpty()) {
      throw new Rejected(reasonFor(errors.iterator().next()));
    }
    // Punycode labels were decoded just now and have not been through the checks above.
    checkUnsafeCharacters(unicode.toString(), "domain");
    checkIdna2008Repertoire(unicode.toString(), domain);
    return new EmailAddressDomain(unicode.toString(), ascii.toString());
  }

  /**
   * Checks the mapped and decoded domain against IDNA 2008. When the offending characters only
   * come out of decoding a punycode part, listing them would puzzle whoever typed "xn--...".
   */
  private static void checkIdna2008Repertoire(String unicode, String typed) {
    SortedSet<Integer> bad = null;
    for (int i = 0; i < unicode.length(); ) {
      int cp = unicode.codePointAt(i);
      if (cp != '.' && !EmailAddressIdna2008.allowed(cp)) {
        bad = add(bad, cp);
      }
      i += Character.charCount(cp);
    }
    if (bad == null) {
      return;
    }
    if (hasPunycodeLabel(typed) && bad.stream().noneMatch(cp -> typed.indexOf(cp) >= 0)) {
      throw new Rejected("domain has a punycode (xn--) part that decodes to characters IDNA 2008 does not allow");
    }
    throw new Rejected("domain contains characters that IDNA 2008 does not allow: " + describe(bad));
  }

  /**
   * Characters whose compatibility decomposition holds a dot, such as '⒈' ("1.") or '․' (one dot
   * leader), would turn into extra labels if mapped: "⒈example.com" must not become
   * "1.example.com". The full-width full stop is a label separator in IDNA and stays allowed.
   */
  private static void checkDotLookalikes(String domain) {
    SortedSet<Integer> bad = null;
    for (int i = 0; i < domain.length(); ) {
      int cp = domain.codePointAt(i);
      if (cp >= 0x80 && cp != '\uFF0E') {
        String decomposition = NFKD.getRawDecomposition(cp);
        if (decomposition != null && decomposition.indexOf('.') >= 0) {
          bad = add(bad, cp);
        }
      }
      i += Character.charCount(cp);
    }
    if (bad != null) {
      throw new Rejected("domain contains invalid characters: " + describe(bad));
    }
  }

  /** RFC 952 and RFC 5890 2.3.1, on the mapped domain. */
  private static void checkDotsAndHyphens(String domain) {
    if (domain.startsWith(".")) {
      throw new Rejected("domain starts with a dot");
    }
    if (domain.endsWith(".")) {
      throw new Rejected("domain ends with a dot");
    }
    if (domain.contains("..")) {
      throw new Rejected("domain has two dots in a row");
    }
    if (domain.startsWith("-")) {
      throw new Rejected("domain starts with a hyphen");
    }
    if (domain.endsWith("-")) {
      throw new Rejected("domain ends with a hyphen");
    }
    if (domain.contains(".-") || domain.contains("-.")) {
      throw new Rejected("domain has a hyphen next to a dot");
    }
    for (String label : domain.split("\\.")) {
      if (isReservedLdh(label)) {
        throw new Rejected(reservedLdhReason());
      }
    }
  }

  /** RFC 5890 2.3.1: "ab--" starts are reserved for future ACE prefixes; only "xn--" is in use. */
  private static boolean isReservedLdh(String label) {
    return label.length() >= 4
        && label.charAt(2) == '-'
        && label.charAt(3) == '-'
        && !label.regionMatches(true, 0, "xn", 0, 2);
  }

  private static String reservedLdhReason() {
    return "domain has a part starting with two characters and '--', which only punycode (xn--) may";
  }

  /** Checks that hold for the ASCII form whatever path produced it. */
  private static void checkLabelsAndTld(String ascii) {
    String[] labels = ascii.split("\\.");
    for (String label : labels) {
      if (label.length() > MAX_LABEL_OCTETS) {
        throw new Rejected("domain has a part longer than " + MAX_LABEL_OCTETS + " characters between dots");
      }
    }
    // Dotless domains cannot receive mail from the Internet (ICANN prohibits dotless gTLDs).
    if (labels.length < 2) {
      throw new Rejected("domain has no dot");
    }
    String tld = labels[labels.length - 1];
    char last = tld.charAt(tld.length() - 1);
    // Every top-level domain ends with a letter (punycode ones too), never a digit or hyphen.
    if (last < 'a' || last > 'z') {
      throw new Rejected("domain does not end with a valid top-level domain");
    }
    for (String reserved : SPECIAL_USE) {
      if (ascii.equals(reserved) || ascii.endsWith("." + reserved)) {
        throw new Rejected("domain ." + reserved + " is reserved and cannot receive email");
      }
    }
  }

  /** Names the characters that UTS #46 disallows, found one by one (on the error path only). */
  private static String disallowedReason(String domain) {
    SortedSet<Integer> bad = null;
    for (int i = 0; i < domain.length(); ) {
      int cp = domain.codePointAt(i);
      IDNA.Info info = new IDNA.Info();
      UTS46.labelToUnicode(Character.toString(cp), new StringBuilder(), info);
      if (info.getErrors().contains(IDNA.Error.DISALLOWED)) {
        bad = add(bad, cp);
      }
      i += Character.charCount(cp);
    }
    String reason = "domain contains characters not allowed in a hostname";
    return bad == null ? reason : reason + ": " + describe(bad);
  }

  private static String reasonFor(IDNA.Error error) {
    return switch (error) {
      case PUNYCODE, INVALID_ACE_LABEL -> "domain has an invalid punycode (xn--) part";
      case HYPHEN_3_4 -> reservedLdhReason();
      case BIDI -> "domain mixes right-to-left and left-to-right text in a way IDNA does not allow";
      case CONTEXTJ -> "domain has a zero-width joiner or non-joiner where IDNA does not allow one";
      case CONTEXTO_PUNCTUATION -> "domain has a character such as '·' or '・' where IDNA does not allow one";
      case CONTEXTO_DIGITS -> "domain mixes Arabic-Indic and extended Arabic-Indic digits";
      case LEADING_COMBINING_MARK -> "domain has a part that starts with a combining mark";
      default -> "domain is not a valid hostname";
    };
  }
}
