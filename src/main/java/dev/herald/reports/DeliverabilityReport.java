package dev.herald.reports;

import java.time.Instant;
import java.util.List;

/**
 * The organization against the Gmail, Yahoo and Microsoft bulk-sender rules (2024-2026): for each sending domain its
 * SPF, DKIM and DMARC as the domains capability last checked them, and for the organization one-click unsubscribe,
 * its complaint rate and TLS; {@code notChecked} names the rules Herald cannot judge. {@code state} is the worst line's.
 */
record DeliverabilityReport(DeliverabilityState state, List<Domain> domains, List<Line> organization, List<String> notChecked) {

  /** One rule: its state, why, and what to do when it is not ok (empty when nothing is to be done). */
  record Line(String rule, DeliverabilityState state, String reason, String todo) {}

  /** One sending domain, {@code checkedAt} its last DNS check (null: never checked); {@code state} its worst line's. */
  record Domain(long id, String name, String unicodeName, boolean verified, Instant checkedAt, DeliverabilityState state, List<Line> lines) {}
}
