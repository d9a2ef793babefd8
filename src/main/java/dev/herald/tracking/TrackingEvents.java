package dev.herald.tracking;

import java.time.Instant;
import java.util.List;

/**
 * What tracking publishes (webhooks and reports will consume it), in the transaction that stores the events: one
 * {@link EventsRecorded} per written batch of at most 1,000.
 */
public final class TrackingEvents {
  private TrackingEvents() {}

  /**
   * One open or click as stored.
   *
   * @param campaignId null for mail of the send API
   * @param subscriberId null when the event is anonymous or the mail was not a campaign's
   * @param link the link number of a click (1..n), null for an open
   * @param url the URL a click went to, null for an open
   * @param machine whether a machine did it (Apple Mail Privacy Protection, an image proxy, a link scanner)
   */
  public record Recorded(long organizationId, EventKind kind, long messageId, Long campaignId, Long subscriberId, Integer link, String url,
      boolean machine, MachineReason machineReason, Instant at) {}

  /** Opens and clicks stored together. */
  public record EventsRecorded(List<Recorded> events) {}
}
