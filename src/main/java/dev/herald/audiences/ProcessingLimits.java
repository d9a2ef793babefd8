package dev.herald.audiences;

import java.time.Instant;
import java.util.List;

/**
 * What limits processing of one person's data in an organization (a restriction of processing, an objection to
 * marketing), for their page in the panel: a member looking at the person must see why no campaign reaches them and why
 * they are missing from segments and exports. Audiences must not call suppression's restrictions service directly for
 * a page (suppression is to its right), so it owns this port, as it owns {@link SentCampaigns}; until a bean implements
 * it the page shows nothing.
 */
public interface ProcessingLimits {
  /** One limit: {@code kind} is "restriction" or "objection", {@code reason} as recorded (may be empty). */
  record Limit(String kind, String reason, Instant since) {}

  /** The limits on the address in the organization, none when there is none. */
  List<Limit> of(long orgId, String address);
}
