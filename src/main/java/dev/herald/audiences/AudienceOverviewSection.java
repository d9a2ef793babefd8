package dev.herald.audiences;

import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.OverviewSection;
import dev.herald.tenancy.Permission;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** The audience's part of the organization's overview page, for members who may read lists. */
@Component
@Order(10)
class AudienceOverviewSection implements OverviewSection {
  private final AudienceSummaries summaries;

  AudienceOverviewSection(AudienceSummaries summaries) {
    this.summaries = summaries;
  }

  @Override
  public Optional<Drawn> draw(OrganizationContext org) {
    if (!org.can(Permission.LISTS_READ)) return Optional.empty();
    return Optional.of(new Drawn("audiences/overview", summaries.summary(org.id())));
  }
}
