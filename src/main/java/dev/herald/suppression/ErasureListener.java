package dev.herald.suppression;

import dev.herald.audiences.AudienceEvents;
import dev.herald.mail.EmailAddress;
import java.util.HexFormat;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What the person's own acts do to the suppression list. Plain, synchronous listeners on purpose: they
 * run inside the transaction of the change, so both commit together or not at all. An asynchronous
 * {@code @ApplicationModuleListener} would run after the commit: an erasure could then commit without
 * its hash (and the next import would add the person back), and a confirmation without lifting the
 * person's own unsubscribe entry (so the subscription they just confirmed would never be mailed).
 * <ul>
 *   <li>An erasure keeps the hash of the address, so that no import adds them back.</li>
 *   <li>A confirmed double opt-in (the person clicked the link in their mailbox) lifts their own earlier
 *       unsubscribe or erasure entry in that organization, and nothing else.</li>
 * </ul>
 */
@Component
class ErasureListener {
  private final Suppressions suppressions;

  ErasureListener(Suppressions suppressions) {
    this.suppressions = suppressions;
  }

  /** Must commit with the erasure: see the class comment. */
  @EventListener
  void on(AudienceEvents.SubscriberErased erased) {
    byte[] hash = HexFormat.of().parseHex(erased.addressHash());
    if (hash.length != 32) throw new IllegalArgumentException("addressHash is not a hex SHA-256: " + erased.addressHash());
    suppressions.recordErasure(erased.organizationId(), hash);
  }

  /** Must commit with the confirmation: see the class comment. */
  @EventListener
  void on(AudienceEvents.SubscriberConfirmed confirmed) {
    if (EmailAddress.parse(confirmed.subscriber().email()) instanceof EmailAddress.Valid valid) {
      suppressions.liftWithdrawal(confirmed.organizationId(), valid.address().key());
    }
  }
}
