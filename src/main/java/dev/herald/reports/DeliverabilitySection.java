package dev.herald.reports;

import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.OverviewSection;
import dev.herald.tenancy.Permission;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** The deliverability panel on the overview, after the organization report, for members who may read reports. */
@Component
@Order(14)
class DeliverabilitySection implements OverviewSection {
  private final Deliverability deliverability;

  DeliverabilitySection(Deliverability deliverability) {
    this.deliverability = deliverability;
  }

  @Override
  public Optional<Drawn> draw(OrganizationContext org) {
    if (!org.can(Permission.REPORTS_READ)) return Optional.empty();
    return Optional.of(new Drawn("reports/deliverability", deliverability.report(org.id())));
  }
}
