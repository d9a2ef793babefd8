package dev.herald.privacy;

import dev.herald.suppression.RestrictionKind;
import dev.herald.suppression.Restrictions;
import org.springframework.stereotype.Component;

/**
 * Restriction of processing (article 18) and objection to marketing (article 21), carried out by suppression's
 * {@link Restrictions}: a restricted address is sent nothing by any path and left out of segments and exports; an
 * objecting one gets no marketing mail. Both keep the data.
 */
@Component
class Restricting {
  private final Restrictions restrictions;

  Restricting(Restrictions restrictions) {
    this.restrictions = restrictions;
  }

  void restrict(long organizationId, String address, RequestType type, String reason) {
    restrictions.restrict(organizationId, address, kind(type), reason);
  }

  boolean lift(long organizationId, String address, RequestType type) {
    return restrictions.lift(organizationId, address, kind(type));
  }

  private static RestrictionKind kind(RequestType type) {
    return switch (type) {
      case RESTRICTION -> RestrictionKind.RESTRICTION;
      case OBJECTION -> RestrictionKind.OBJECTION;
      default -> throw new IllegalArgumentException(type + " is not a restriction");
    };
  }
}
