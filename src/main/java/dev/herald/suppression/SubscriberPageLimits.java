package dev.herald.suppression;

import dev.herald.audiences.ProcessingLimits;
import java.util.List;
import org.springframework.stereotype.Component;

/** Audiences' subscriber page asks here whether the person's processing is restricted or they objected to marketing. */
@Component
class SubscriberPageLimits implements ProcessingLimits {
  private final Restrictions restrictions;

  SubscriberPageLimits(Restrictions restrictions) {
    this.restrictions = restrictions;
  }

  @Override
  public List<Limit> of(long orgId, String address) {
    return restrictions.all(orgId, address).stream().map(r -> new Limit(r.kind().text(), r.reason(), r.createdAt())).toList();
  }
}
