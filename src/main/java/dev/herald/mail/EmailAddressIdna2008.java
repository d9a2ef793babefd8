package dev.herald.mail;

import com.ibm.icu.lang.UCharacter;
import com.ibm.icu.lang.UCharacter.HangulSyllableType;
import com.ibm.icu.lang.UCharacter.UnicodeBlock;
import com.ibm.icu.lang.UCharacterCategory;
import com.ibm.icu.lang.UProperty;
import com.ibm.icu.text.Normalizer2;

/**
 * The IDNA 2008 repertoire (RFC 5892 section 3, the derived property), which ICU's UTS #46 does
 * not enforce: UTS #46 still accepts symbols and emoji ("☃.example") for compatibility with
 * IDNA 2003, but registries following IDNA 2008 do not register them, and email-validator
 * refuses them. Contextual rules (CONTEXTJ, CONTEXTO) are left to ICU, which checks them.
 */
final class EmailAddressIdna2008 {

  private static final Normalizer2 NFKC = Normalizer2.getNFKCInstance();
  private static final Normalizer2 NFKC_CASEFOLD = Normalizer2.getNFKCCasefoldInstance();

  private EmailAddressIdna2008() {}

  /** Whether a code point of a mapped, NFC domain label may appear in an IDNA 2008 label. */
  static boolean allowed(int cp) {
    Boolean exception = exception(cp);
    if (exception != null) {
      return exception;
    }
    if (cp < 0x80) {
      return cp == '-' || Character.isLetterOrDigit(cp); // LDH
    }
    if (UCharacter.hasBinaryProperty(cp, UProperty.JOIN_CONTROL)) {
      return true; // CONTEXTJ: ICU checks the context
    }
    return UCharacter.getType(cp) != UCharacterCategory.UNASSIGNED
        && isStable(cp)
        && !hasIgnorableProperty(cp)
        && !inIgnorableBlock(cp)
        && !isOldHangulJamo(cp)
        && isLetterOrDigit(cp);
  }

  /** RFC 5892 2.6 Exceptions (F): true for PVALID and CONTEXTO, false for DISALLOWED. */
  private static Boolean exception(int cp) {
    return switch (cp) {
      // PVALID: sharp s, final sigma, Arabic and Tibetan letters, ideographic zero
      case 0x00DF, 0x03C2, 0x06FD, 0x06FE, 0x0F0B, 0x3007 -> true;
      // CONTEXTO: middle dot, Greek keraia, Hebrew geresh and gershayim, katakana middle dot
      case 0x00B7, 0x0375, 0x05F3, 0x05F4, 0x30FB -> true;
      // DISALLOWED: Arabic tatweel, NKo lajanyalan, Hangul tone marks, kana repeat marks
      case 0x0640, 0x07FA, 0x302E, 0x302F, 0x3031, 0x3032, 0x3033, 0x3034, 0x3035, 0x303B -> false;
      default -> {
        // CONTEXTO: Arabic-Indic and extended Arabic-Indic digits
        if (cp >= 0x0660 && cp <= 0x0669 || cp >= 0x06F0 && cp <= 0x06F9) {
          yield true;
        }
        yield null;
      }
    };
  }

  /** RFC 5892 2.2 Unstable (B): changed by NFKC, case folding, NFKC. */
  private static boolean isStable(int cp) {
    String text = Character.toString(cp);
    return NFKC.isNormalized(text) && NFKC_CASEFOLD.isNormalized(text);
  }

  /** RFC 5892 2.3 IgnorableProperties (C). */
  private static boolean hasIgnorableProperty(int cp) {
    return UCharacter.hasBinaryProperty(cp, UProperty.DEFAULT_IGNORABLE_CODE_POINT)
        || UCharacter.hasBinaryProperty(cp, UProperty.WHITE_SPACE)
        || UCharacter.hasBinaryProperty(cp, UProperty.NONCHARACTER_CODE_POINT);
  }

  /** RFC 5892 2.4 IgnorableBlocks (D). */
  private static boolean inIgnorableBlock(int cp) {
    UnicodeBlock block = UnicodeBlock.of(cp);
    return block == UnicodeBlock.COMBINING_MARKS_FOR_SYMBOLS
        || block == UnicodeBlock.MUSICAL_SYMBOLS
        || block == UnicodeBlock.ANCIENT_GREEK_MUSICAL_NOTATION;
  }

  /** RFC 5892 2.9 OldHangulJamo (I): conjoining jamo; precomposed syllables are fine. */
  private static boolean isOldHangulJamo(int cp) {
    int type = UCharacter.getIntPropertyValue(cp, UProperty.HANGUL_SYLLABLE_TYPE);
    return type == HangulSyllableType.LEADING_JAMO
        || type == HangulSyllableType.VOWEL_JAMO
        || type == HangulSyllableType.TRAILING_JAMO;
  }

  /** RFC 5892 2.1 LetterDigits (A): Ll, Lu, Lo, Nd, Lm, Mn, Mc. */
  private static boolean isLetterOrDigit(int cp) {
    return switch (UCharacter.getType(cp)) {
      case UCharacterCategory.LOWERCASE_LETTER,
          UCharacterCategory.UPPERCASE_LETTER,
          UCharacterCategory.OTHER_LETTER,
          UCharacterCategory.DECIMAL_DIGIT_NUMBER,
          UCharacterCategory.MODIFIER_LETTER,
          UCharacterCategory.NON_SPACING_MARK,
          UCharacterCategory.COMBINING_SPACING_MARK -> true;
      default -> false;
    };
  }
}
