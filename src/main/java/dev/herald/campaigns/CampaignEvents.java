package dev.herald.campaigns;

import java.time.Instant;

/** Events of a campaign's send, published in the transaction of the change (DESIGN.md reliability rule 5). */
public final class CampaignEvents {
  private CampaignEvents() {}

  /** Its audience was fixed into the ledger ({@code recipients} people) and the hand-off began. */
  public record CampaignStarted(long organizationId, long campaignId, String name, long recipients, Instant occurredAt) {}

  /**
   * Every ledger row was handed off or skipped and the queue has none of them waiting: {@code handedOff} went to the
   * queue, {@code skipped} unsubscribed or were suppressed after the start.
   */
  public record CampaignFinished(long organizationId, long campaignId, String name, long handedOff, long skipped, Instant occurredAt) {}

  /**
   * A recipient had the campaign sent to a friend ({@link Forwards}): no address, neither theirs nor the friend's, only
   * that it happened.
   */
  public record CampaignForwarded(long organizationId, long campaignId, Instant occurredAt) {}
}
