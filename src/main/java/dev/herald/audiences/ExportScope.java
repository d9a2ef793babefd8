package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;

/**
 * Which subscribers an export holds. A scope only chooses subscribers (and, for a list, which
 * subscription to show); {@link Exports} turns it into the FROM and WHERE of its one streaming query,
 * so another source of subscribers is one more record here and one more case in
 * {@code Exports.start}: the columns stay those of {@link All} unless the scope is about one list.
 */
sealed interface ExportScope permits ExportScope.All, ExportScope.OfList, ExportScope.OfSegment {

  /** Every subscriber of the organization, on a list or not. */
  record All() implements ExportScope {}

  /** The members of one list, optionally only those with one subscription status ({@code null}: any). */
  record OfList(long listId, SubscriptionStatus status) implements ExportScope {}

  /** The subscribers a saved segment matches at the moment of the export. */
  record OfSegment(long segmentId) implements ExportScope {}

  /**
   * The scope a request names: a list, a segment, or neither for everyone. A status only narrows a
   * list, so with a segment or with everyone it is refused rather than silently ignored.
   */
  static ExportScope of(Long listId, Long segmentId, String status) {
    SubscriptionStatus st = TextEnum.parse(SubscriptionStatus.class, "status", status);
    if (listId != null && segmentId != null) throw Refused.invalid("segment", "Export a list or a segment, not both.");
    if (listId != null) return new OfList(listId, st);
    if (st != null) throw Refused.invalid("status", "status filters a list's members: give list as well.");
    return segmentId != null ? new OfSegment(segmentId) : new All();
  }
}
