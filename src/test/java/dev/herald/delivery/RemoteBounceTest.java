package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Which refusals are published as {@link DeliveryEvents.RecipientBounced} (feedback acts on them; the event sits in the
 * publication registry with the address until its listeners complete): a remote server's 5xx for an organization's
 * mail, never Herald's own, never the sandbox's, never a forwarded copy's (campaigns' forward-to-a-friend keeps the
 * friend's address nowhere, and their bounce suppresses nothing).
 */
class RemoteBounceTest {
  static DeliveryQueue.Result result(Long organization, MessageSourceKind kind, RecipientState state, String host, Integer code) {
    DeliveryQueue.Claimed claimed = new DeliveryQueue.Claimed(1, 2, organization, "someone@receiver.example", 0, Instant.EPOCH, 1, kind,
        "news@sender.example", "m@sender.example", 3L);
    return new DeliveryQueue.Result(claimed, state, null, Instant.EPOCH, host, host == null ? null : "192.0.2.1", null, code,
        code == null ? null : "5.1.1", code == null ? "" : code + " 5.1.1 no such user", 1);
  }

  @Test
  void a_remote_5xx_of_an_organizations_campaign_or_api_mail_is_published_and_nothing_else() {
    assertThat(DeliveryQueue.remoteBounce(result(7L, MessageSourceKind.CAMPAIGN, RecipientState.BOUNCED, "mx.receiver.example", 550))).isTrue();
    assertThat(DeliveryQueue.remoteBounce(result(7L, MessageSourceKind.API, RecipientState.BOUNCED, "mx.receiver.example", 550))).isTrue();
    assertThat(DeliveryQueue.remoteBounce(result(7L, MessageSourceKind.FORWARD, RecipientState.BOUNCED, "mx.receiver.example", 550)))
        .as("a forwarded copy").isFalse();
    assertThat(DeliveryQueue.remoteBounce(result(null, MessageSourceKind.SYSTEM, RecipientState.BOUNCED, "mx.receiver.example", 550)))
        .as("Herald's own mail").isFalse();
    assertThat(DeliveryQueue.remoteBounce(result(7L, MessageSourceKind.CAMPAIGN, RecipientState.BOUNCED, null, null))).as("no server").isFalse();
    assertThat(DeliveryQueue.remoteBounce(result(7L, MessageSourceKind.CAMPAIGN, RecipientState.DEFERRED, "mx.receiver.example", 450)))
        .as("a deferral").isFalse();
  }
}
