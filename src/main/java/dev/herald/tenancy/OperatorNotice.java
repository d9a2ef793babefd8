package dev.herald.tenancy;

import java.util.Optional;

/**
 * Something the operator must act on, shown at the top of the operator's overview ({@code /operator}) by a capability
 * to the right of tenancy (delivery: real delivery is on but system mail stays in the sandbox). Tenancy shows the
 * text and the link and reads none of that capability's tables.
 */
public interface OperatorNotice {

  /** The warning now, or empty when all is well. */
  Optional<Notice> notice();

  /** {@code text} in the panel's words, {@code link} the page where it is fixed. */
  record Notice(String text, String link, String linkText) {}
}
