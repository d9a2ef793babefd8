package dev.herald.feedback;

import java.time.Instant;

/**
 * Events of feedback, published in the transaction that stored the feedback ({@code feedback_event}) and its action:
 * webhooks and reports consume them. {@code feedbackId} is the stored row; {@code messageId} and {@code campaignId} are
 * null when the feedback named no message of Herald's (a mailbox's report without a return path).
 */
public final class FeedbackEvents {
  private FeedbackEvents() {}

  /**
   * A bounce: {@code hard} (the address was suppressed), {@code soft} (counted; suppressed once the address had
   * enough in the window: {@code suppressed}), or {@code block} (the receiver refused the sender: never suppressed).
   */
  public record BounceRecorded(long organizationId, long feedbackId, String address, FeedbackClass feedbackClass,
      FeedbackReason reason, String status, String diagnostic, FeedbackSource source, boolean suppressed, Long messageId,
      Long campaignId, Instant occurredAt) {}

  /** A complaint (an ARF abuse report, or a provider's equivalent): the address was suppressed. */
  public record ComplaintRecorded(long organizationId, long feedbackId, String address, String feedbackType, FeedbackSource source,
      Long messageId, Long campaignId, Instant occurredAt) {}

  /**
   * An unsubscribe request (ARF opt-out, or mail to the List-Unsubscribe mailto address): the person left the
   * campaign's list ({@code listId}), or, for mail of no list, the address was suppressed as unsubscribed.
   */
  public record UnsubscribeRecorded(long organizationId, long feedbackId, String address, Long listId, FeedbackSource source,
      Long messageId, Long campaignId, Instant occurredAt) {}

  /** The organization's rate of {@code metric} passed the warn threshold: the operator is alerted. */
  public record SenderWarned(long organizationId, SenderMetric metric, double rate, double threshold, long sent, Instant occurredAt) {}

  /** The organization's rate of {@code metric} passed the pause threshold: its sending is paused until the operator lifts it. */
  public record SendingPausedForReputation(long organizationId, SenderMetric metric, double rate, double threshold, long sent,
      Instant occurredAt) {}

  /** The operator lifted a pause or dismissed a warning. */
  public record SenderAlertLifted(long organizationId, long alertId, AlertLevel level, String liftedBy, Instant occurredAt) {}
}
