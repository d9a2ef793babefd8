package dev.herald.reports;

import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.OverviewSection;
import dev.herald.tenancy.Permission;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** The organization report's part of the overview, beside the audience's figures, for members who may read reports. */
@Component
@Order(12)
class OrganizationReportSection implements OverviewSection {
  private final OrganizationReports reports;

  OrganizationReportSection(OrganizationReports reports) {
    this.reports = reports;
  }

  @Override
  public Optional<Drawn> draw(OrganizationContext org) {
    if (!org.can(Permission.REPORTS_READ)) return Optional.empty();
    return Optional.of(new Drawn("reports/organization-overview", reports.overview(org.id(), OrganizationReports.DEFAULT_DAYS)));
  }
}
