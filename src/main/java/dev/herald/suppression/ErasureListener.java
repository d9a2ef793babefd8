package dev.herald.suppression;

import dev.herald.audiences.AudienceEvents;
import dev.herald.mail.EmailAddress;
import dev.herald.audiences.Subscribers;
import java.util.HexFormat;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What the person's own acts do to the suppression list. Plain, synchronous listeners on purpose: they
 * run inside the transaction of the change, so both commit together or not at all (an asynchronous one
 * could lose the hash after the data is gone).
 * <ul>
 *   <li>An erasure keeps the hash of the address, so that no import adds them back.</li>
 *   <li>A confirmed double opt-in (the person clicked the link in their mailbox) lifts their own earlier
 *       unsubscribe or erasure entry in that organization, and nothing else.</li>
 * </ul>
 */
@Component
class ErasureListener {
  private final Suppressions suppressions;
  private final Subscribers subscribers;

  ErasureListener(Suppressions suppressions, Subscribers subscribers) {
    this.suppressions = suppressions;
    this.subscribers = subscribers;
  }

  @EventListener
  void on(AudienceEvents.SubscriberErased erased) {
    byte[] hash = HexFormat.of().parseHex(erased.addressHash());
    if (hash.length != 32) throw new IllegalArgumentException("addressHash is not a hex SHA-256: " + erased.addressHash());
    suppressions.recordErasure(erased.organizationId(), hash);
  }

  @EventListener
  void on(AudienceEvents.SubscriberConfirmed confirmed) {
    subscribers.find(confirmed.organizationId(), confirmed.subscriberId())
        .map(s -> EmailAddress.parse(s.email()))
        .filter(r -> r instanceof EmailAddress.Valid)
        .map(r -> ((EmailAddress.Valid) r).address().key())
        .ifPresent(key -> suppressions.liftWithdrawal(confirmed.organizationId(), key));
  }
}
