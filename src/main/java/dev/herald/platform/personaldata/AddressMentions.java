package dev.herald.platform.personaldata;

import dev.herald.mail.EmailAddress;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Finding a person's address inside free text (an import's rejected cell, an audit detail, a stored event's JSON), for
 * holders that must erase or export rows that mention it rather than hold it in a column of its own.
 */
public final class AddressMentions {
  private AddressMentions() {}

  /**
   * A PostgreSQL regular expression (for {@code lower(column) ~ pattern}) matching the address key, or the same address
   * with its ASCII (punycode) domain, as a whole address in lower-cased text: any case of the original matches, and so
   * does a display-name form ({@code Ann <ann@example.com>}), but not a longer address that ends or starts with it
   * ({@code bob.ann@example.com}, {@code ann@example.com.evil}).
   */
  public static String pattern(String addressKey) {
    Set<String> forms = forms(addressKey);
    StringBuilder alternatives = new StringBuilder();
    for (String form : forms) {
      if (!alternatives.isEmpty()) alternatives.append('|');
      // Every character but letters and digits escaped: in an ARE a backslash before one of them is that character.
      form.codePoints().forEach(c -> {
        if (!Character.isLetterOrDigit(c)) alternatives.append('\\');
        alternatives.appendCodePoint(c);
      });
    }
    return "(^|[^[:alnum:]._%+-])(" + alternatives + ")($|[^[:alnum:]._-])";
  }

  /**
   * The same match as {@link #pattern} for text read in Java (a stored import file's cells): {@code find()} on the
   * lower-cased text ({@link Locale#ROOT}).
   */
  public static java.util.regex.Pattern javaPattern(String addressKey) {
    StringBuilder alternatives = new StringBuilder();
    for (String form : forms(addressKey)) {
      if (!alternatives.isEmpty()) alternatives.append('|');
      alternatives.append(java.util.regex.Pattern.quote(form));
    }
    return java.util.regex.Pattern.compile("(^|[^\\p{Alnum}._%+-])(" + alternatives + ")($|[^\\p{Alnum}._-])",
        java.util.regex.Pattern.UNICODE_CHARACTER_CLASS);
  }

  /** The address key and, for an internationalized domain, the same address with its ASCII (punycode) domain. */
  private static Set<String> forms(String addressKey) {
    Set<String> forms = new LinkedHashSet<>();
    forms.add(addressKey);
    if (EmailAddress.parse(addressKey) instanceof EmailAddress.Valid v) forms.add(v.address().asciiAddress().toLowerCase(Locale.ROOT));
    return forms;
  }
}
