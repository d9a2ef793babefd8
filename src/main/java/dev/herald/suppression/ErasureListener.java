package dev.herald.suppression;

import dev.herald.audiences.AudienceEvents;
import java.util.HexFormat;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Keeps the hash of an erased person's address, so that no import adds them back. A plain, synchronous
 * listener on purpose: it runs inside the erasure's transaction, so the erasure and its suppression
 * commit together or not at all (an asynchronous one could lose the hash after the data is gone).
 */
@Component
class ErasureListener {
  private final Suppressions suppressions;

  ErasureListener(Suppressions suppressions) {
    this.suppressions = suppressions;
  }

  @EventListener
  void on(AudienceEvents.SubscriberErased erased) {
    byte[] hash = HexFormat.of().parseHex(erased.addressHash());
    if (hash.length != 32) throw new IllegalArgumentException("addressHash is not a hex SHA-256: " + erased.addressHash());
    suppressions.recordErasure(erased.organizationId(), hash);
  }
}
