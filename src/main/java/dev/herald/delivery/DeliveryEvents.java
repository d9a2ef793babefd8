package dev.herald.delivery;

import java.time.Instant;

/** Events of the MTA, published in the transaction of the change. */
public final class DeliveryEvents {
  private DeliveryEvents() {}

  /**
   * A recipient ended {@code bounced} because a remote server answered 5xx to it (a synchronous bounce). Not published
   * for expiry (no server refused), for the sandbox (nothing left), nor for Herald's own mail (no organization).
   * Feedback classifies {@code replyCode}, {@code enhancedStatus} and {@code reply} and acts on the address.
   *
   * @param enhancedStatus the RFC 3463 code of the reply ("5.1.1"), or "" when it had none
   * @param sourceRef what the message's source knows the recipient by (a campaign's ledger row), or null
   */
  public record RecipientBounced(long organizationId, long messageId, long recipientId, String address, int replyCode,
      String enhancedStatus, String reply, MessageSourceKind kind, Long sourceRef, Instant at) {}
}
