package dev.herald.mail;

import java.util.Locale;
import java.util.Objects;

/**
 * A syntactically valid, normalized email address (an RFC 5321/5322 addr-spec as ESPs accept it,
 * with RFC 6531 internationalized local parts and IDNA 2008 / UTS #46 domains).
 *
 * <p>Build one with {@link #parse(String)}, which never throws: it returns {@link Valid} or {@link
 * Invalid} with a short reason a person can act on.
 *
 * @param address the normalized address, {@code localPart + "@" + domain}: what Herald stores and
 *     shows
 * @param localPart the part before the @, Unicode NFC, case preserved (mailbox names may be
 *     case-sensitive, so Herald never changes what the subscriber typed)
 * @param domain the domain in its Unicode form, lower-cased and UTS #46 mapped ({@code bücher.example})
 * @param asciiDomain the same domain in ASCII (punycode) form ({@code xn--bcher-kva.example})
 * @param smtputf8 whether the local part has non-ASCII characters, so delivery needs an MTA that
 *     speaks SMTPUTF8 (an internationalized domain alone does not: its ASCII form can be used)
 */
public record EmailAddress(
    String address, String localPart, String domain, String asciiDomain, boolean smtputf8) {

  public EmailAddress {
    Objects.requireNonNull(localPart, "localPart");
    Objects.requireNonNull(domain, "domain");
    Objects.requireNonNull(asciiDomain, "asciiDomain");
    if (!Objects.equals(address, localPart + "@" + domain)) {
      throw new IllegalArgumentException("address must be localPart@domain, was " + address);
    }
  }

  /**
   * Parses and normalizes an address typed by a person or read from an import file: surrounding
   * spaces and tabs are trimmed, the text is put in Unicode NFC and the domain is mapped and
   * converted with IDNA. Quoted local parts, display names ({@code Name <a@b.example>}) and IP
   * address literals are refused, as most ESPs do.
   *
   * @param input the text as given; {@code null} or blank gives {@link Invalid#MISSING_EMAIL}
   */
  public static Result parse(String input) {
    return EmailAddressParser.parse(input);
  }

  /**
   * The de-duplication key: two addresses with the same key are treated as the same subscriber.
   * The local part is lower-cased too because, although RFC 5321 lets a mailbox be case-sensitive,
   * virtually no mail system is, and a list holding both {@code Ann@x.example} and {@code
   * ann@x.example} would mail the same person twice.
   */
  public String key() {
    return localPart.toLowerCase(Locale.ROOT) + "@" + domain.toLowerCase(Locale.ROOT);
  }

  /** The address with the ASCII (punycode) domain: the SMTP envelope form when {@link #smtputf8} is false. */
  public String asciiAddress() {
    return localPart + "@" + asciiDomain;
  }

  /** What {@link #parse(String)} returns. */
  public sealed interface Result permits Valid, Invalid {}

  /** The input is a valid address, held here in its normalized form. */
  public record Valid(EmailAddress address) implements Result {
    public Valid {
      Objects.requireNonNull(address, "address");
    }
  }

  /**
   * The input is not an address Herald accepts.
   *
   * @param reason short and specific, for people: "missing @", "local part ends with a dot", ...
   */
  public record Invalid(String reason) implements Result {
    /** The reason given for {@code null}, empty or blank input, so imports can tell it apart. */
    public static final String MISSING_EMAIL = "missing email";

    public Invalid {
      Objects.requireNonNull(reason, "reason");
    }

    /** Whether there was no address at all, rather than a malformed one. */
    public boolean missing() {
      return MISSING_EMAIL.equals(reason);
    }
  }
}
