package dev.herald.feedback;

import dev.herald.campaigns.CampaignAttribution;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.delivery.SentRecipients;
import dev.herald.messages.ReturnPath;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * Whom feedback is about, from the (message, recipient) that a VERP return path or a synchronous bounce names: the
 * organization, the address Herald sent to, and for campaign mail the campaign, subscriber and list.
 */
@Component
class Attributions {
  private final ReturnPath returnPath;
  private final SentRecipients sent;
  private final CampaignAttribution campaigns;

  Attributions(ReturnPath returnPath, SentRecipients sent, CampaignAttribution campaigns) {
    this.returnPath = returnPath;
    this.sent = sent;
    this.campaigns = campaigns;
  }

  /** A recipient of a message Herald sent; the campaign's ids are null for other mail. */
  record Attribution(long organizationId, long messageId, long recipientId, String address, Long campaignId, Long subscriberId,
      Long listId) {}

  /** The recipient a bounce address names, when its signature is right and the recipient still exists. */
  Optional<Attribution> ofAddress(String bounceAddress) {
    return returnPath.parse(bounceAddress).flatMap(r -> of(r.messageId(), r.recipientId()));
  }

  /** Whether this is a valid signed bounce address of Herald's (the recipient may since have been deleted). */
  boolean isReturnPath(String address) {
    return returnPath.parse(address).isPresent();
  }

  /**
   * Whether the bounce address names a recipient of a campaign forwarded to a friend: nobody the organization mails,
   * whose address Herald does not keep, so what comes back about them is not acted on (neither by the return path nor
   * by the addresses the report names).
   */
  boolean namesForward(String bounceAddress) {
    return returnPath.parse(bounceAddress).flatMap(r -> sent.find(r.messageId(), r.recipientId()))
        .filter(r -> r.kind() == MessageSourceKind.FORWARD).isPresent();
  }

  Optional<Attribution> of(long messageId, long recipientId) {
    return sent.find(messageId, recipientId).filter(r -> r.organizationId() != null && r.kind() != MessageSourceKind.FORWARD).map(r -> {
      if (r.kind() == MessageSourceKind.CAMPAIGN && r.sourceRef() != null) {
        Optional<CampaignAttribution.Sent> entry = campaigns.byRef(r.sourceRef());
        if (entry.isPresent()) {
          return new Attribution(r.organizationId(), messageId, recipientId, r.address(), entry.get().campaignId(),
              entry.get().subscriberId(), entry.get().listId());
        }
      }
      return new Attribution(r.organizationId(), messageId, recipientId, r.address(), null, null, null);
    });
  }
}
