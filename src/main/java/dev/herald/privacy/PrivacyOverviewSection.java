package dev.herald.privacy;

import dev.herald.tenancy.OrganizationContext;
import dev.herald.tenancy.OverviewSection;
import dev.herald.tenancy.Permission;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Open data-subject requests on the organization's overview, overdue and due-soon ones flagged, for members who may
 * read them; nothing while none is open (one grouped query either way).
 */
@Component
@Order(5)
class PrivacyOverviewSection implements OverviewSection {
  private final DataSubjectRequests requests;

  PrivacyOverviewSection(DataSubjectRequests requests) {
    this.requests = requests;
  }

  @Override
  public Optional<Drawn> draw(OrganizationContext org) {
    if (!org.can(Permission.PRIVACY_READ)) return Optional.empty();
    DataSubjectRequests.Figures figures = requests.figures(org.id());
    if (figures.open() == 0) return Optional.empty();
    return Optional.of(new Drawn("privacy/overview", figures));
  }
}
