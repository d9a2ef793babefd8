package dev.herald.suppression;

import dev.herald.audiences.AudienceEvents;
import dev.herald.mail.EmailAddress;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * What the person's own acts do to the suppression list. A plain, synchronous listener on purpose: it
 * runs inside the transaction of the change, so both commit together or not at all. An asynchronous
 * {@code @ApplicationModuleListener} would run after the commit: a confirmation could commit without
 * lifting the person's own unsubscribe entry (so the subscription they just confirmed would never be mailed).
 * A confirmed double opt-in (the person clicked the link in their mailbox) lifts their own earlier
 * unsubscribe or erasure entry in that organization, and nothing else.
 *
 * <p>An erasure no longer goes through an event: audiences asks {@link Suppressions#rememberErased} through its
 * port in the erasure's transaction, since only suppression holds the key of the hash it keeps, and the event (which
 * the publication registry stores) must not carry a plain digest of the address.
 */
@Component
class ErasureListener {
  private final Suppressions suppressions;

  ErasureListener(Suppressions suppressions) {
    this.suppressions = suppressions;
  }

  /** Must commit with the confirmation: see the class comment. */
  @EventListener
  void on(AudienceEvents.SubscriberConfirmed confirmed) {
    if (EmailAddress.parse(confirmed.subscriber().email()) instanceof EmailAddress.Valid valid) {
      suppressions.liftWithdrawal(confirmed.organizationId(), valid.address().key());
    }
  }
}
