package dev.herald.audiences;

import java.time.Instant;
import java.util.List;

/**
 * The campaigns sent to one subscriber, for their page in the panel. Audiences must not call campaigns (to its right),
 * so it owns this port and campaigns implements it, as {@link SuppressionScreen} is implemented in suppression. Until a
 * bean implements it the page lists nothing.
 */
public interface SentCampaigns {
  /**
   * One campaign the subscriber is in the send ledger of: {@code state} is their row's (pending, handed_off, skipped),
   * {@code handedOffAt} when the queue took their message.
   */
  record Sent(long campaignId, String name, String subject, String state, Instant handedOffAt) {}

  /** The newest first, at most {@code limit}. */
  List<Sent> to(long orgId, long subscriberId, int limit);
}
