package dev.herald.delivery.smtp;

import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one transaction, addresses as they go on the wire (ASCII domains unless the
 * address needs SMTPUTF8).
 *
 * @param from the reverse path (a VERP bounce address); empty for the null sender {@code <>}
 * @param recipients one or more forward paths; results come back in this order
 */
public record Envelope(String from, List<String> recipients) {

  public Envelope {
    requireSafe(Objects.requireNonNull(from, "from"), "from");
    recipients = List.copyOf(Objects.requireNonNull(recipients, "recipients"));
    if (recipients.isEmpty()) {
      throw new IllegalArgumentException("an envelope needs at least one recipient");
    }
    for (int i = 0; i < recipients.size(); i++) {
      if (recipients.get(i).isEmpty()) {
        throw new IllegalArgumentException("recipient " + i + " is empty");
      }
      requireSafe(recipients.get(i), "recipient " + i);
    }
  }

  /** Whether an address has non-ASCII characters, so the server must offer SMTPUTF8 (RFC 6531). */
  public boolean needsSmtpUtf8() {
    return !isAscii(from) || recipients.stream().anyMatch(r -> !isAscii(r));
  }

  /**
   * Refuses what could end the command early or smuggle another one: a CR or LF would let an
   * address inject SMTP commands, and angle brackets or spaces would end the path.
   */
  private static void requireSafe(String address, String what) {
    for (int i = 0; i < address.length(); i++) {
      char c = address.charAt(i);
      if (c < 0x21 || c == 0x7f || c == '<' || c == '>') {
        throw new IllegalArgumentException(what + " has a control character, space or angle bracket at " + i);
      }
    }
  }

  private static boolean isAscii(String s) {
    return s.chars().allMatch(c -> c < 0x80);
  }
}
