package dev.herald.audiences;

import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;

/** The one place that turns input into a validated {@link EmailAddress} or a field error. */
final class Addresses {
  private Addresses() {}

  static EmailAddress require(String field, String input) {
    return switch (EmailAddress.parse(input)) {
      case EmailAddress.Valid v -> v.address();
      case EmailAddress.Invalid i -> throw Refused.invalid(field, "Not a valid email address: " + i.reason() + ".");
    };
  }
}
