package dev.herald.audiences;

/**
 * Events about subscribers, published in the transaction of the change (DESIGN.md rule 5) so webhooks
 * and reports can react, and Spring Modulith's registry keeps them until every listener has run.
 */
public final class AudienceEvents {
  private AudienceEvents() {}

  public record SubscriberSubscribed(long organizationId, long subscriberId, long listId, String status, String channel) {}

  public record SubscriberConfirmed(long organizationId, long subscriberId, long listId) {}

  public record SubscriberUnsubscribed(long organizationId, long subscriberId, long listId, String reason) {}

  public record SubscriberChanged(long organizationId, long subscriberId) {}

  public record SubscriberDeleted(long organizationId, long subscriberId) {}

  /**
   * A person was erased (right to erasure): their data is gone, and {@code addressHash} (hex SHA-256 of
   * the email key, see {@link dev.herald.mail.AddressDigest}) is the only trace, kept so an import never adds
   * them back. Published in the erasure's transaction; the suppression capability stores the hash in it.
   */
  public record SubscriberErased(long organizationId, long subscriberId, String addressHash) {}
}
