package dev.herald.suppression;

import java.time.Instant;

/**
 * Changes to suppression lists, published in the transaction of the change (DESIGN.md rule 5).
 * {@code organizationId} is null for the installation-wide list. An entry carries either an address
 * (null for an erased person, who is only a hash) or a domain: what a webhook about it would send.
 */
public final class SuppressionEvents {
  private SuppressionEvents() {}

  public record SuppressionAdded(Long organizationId, long suppressionId, String address, String domain,
      SuppressionReason reason, String source, Instant occurredAt) {}

  public record SuppressionRemoved(Long organizationId, long suppressionId, String address, String domain,
      SuppressionReason reason, Instant occurredAt) {}

  /**
   * A person's processing was restricted or they objected to marketing ({@link Restrictions#restrict}): the address as
   * normalized, the kind and the reason recorded. Published only when the restriction is new.
   */
  public record RestrictionAdded(long organizationId, long restrictionId, String address, RestrictionKind kind, String reason,
      Instant occurredAt) {}

  /** A restriction or objection was lifted ({@link Restrictions#lift}). */
  public record RestrictionLifted(long organizationId, long restrictionId, String address, RestrictionKind kind, Instant occurredAt) {}
}
