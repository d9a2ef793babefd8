package dev.herald.suppression;

import dev.herald.testsupport.RouteFixtures;
import java.util.Locale;
import java.util.Map;

/** A suppressed address of the organization, and one of the whole installation for the operator's routes, for the route walk. */
class SuppressionRouteFixtures implements RouteFixtures {
  private final Suppressions suppressions;

  SuppressionRouteFixtures(Suppressions suppressions) {
    this.suppressions = suppressions;
  }

  @Override
  public Map<String, Long> create(Organization org) {
    String domain = org.slug().toLowerCase(Locale.ROOT) + ".example.com";
    long own = suppressions.add(org.id(), new Suppressions.NewEntry("gone@" + domain, null, SuppressionReason.COMPLAINT, org.name() + " complaint", null),
        "test").entry().id();
    long installationWide = suppressions.add(null, new Suppressions.NewEntry("everywhere@" + domain, null, SuppressionReason.MANUAL, null, null), "test")
        .entry().id();
    return Map.of("suppressions/{id}", own, "/operator/suppressions/{id}", installationWide);
  }
}
