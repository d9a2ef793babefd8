package dev.herald.delivery.smtp;

import java.util.List;
import java.util.Objects;

/**
 * The SMTP envelope of one transaction, addresses as they go on the wire (ASCII domains unless the
 * address needs SMTPUTF8).
 *
 * @param from the reverse path (a VERP bounce address); empty for the null sender {@code <>}
 * @param recipients one or more forward paths; results come back in this order
 * @param envId the envelope id for delivery status notifications (RFC 3461 ENVID, sent when the server offers
 *     DSN), or {@code null} for none: the worker gives the message's Message-ID, which a DSN returns as its
 *     Original-Envelope-Id. Printable ASCII; left out of MAIL when its xtext form is over 100 characters (§4.4)
 */
public record Envelope(String from, List<String> recipients, String envId) {

  public Envelope(String from, List<String> recipients) {
    this(from, recipients, null);
  }

  public Envelope {
    requireSafe(Objects.requireNonNull(from, "from"), "from");
    if (envId != null && (envId.isEmpty() || !envId.chars().allMatch(c -> c > 0x20 && c < 0x7f))) {
      throw new IllegalArgumentException("the envelope id is printable ASCII without spaces");
    }
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
