package dev.herald.domains;

import dev.herald.testsupport.RouteFixtures;
import java.util.Locale;
import java.util.Map;

/** A sending domain of the organization and one of the installation, each with one of its keys, for the route walk. */
class DomainsRouteFixtures implements RouteFixtures {
  private final SendingDomains domains;

  DomainsRouteFixtures(SendingDomains domains) {
    this.domains = domains;
  }

  @Override
  public Map<String, Long> create(Organization org) {
    // Domain names are lower case, so answers never carry the organization's name as the walk's mark: the walk still
    // checks that another organization's ids answer 404 and change nothing.
    SendingDomains.Domain domain = domains.add(org.id(), org.name().toLowerCase(Locale.ROOT).replace(' ', '-') + "-mail.example");
    // And one of the installation's own (the system sender's), for the operator's routes.
    SendingDomains.Domain installation = domains.add(null, org.name().toLowerCase(Locale.ROOT).replace(' ', '-') + "-system.example");
    return Map.of("domains/{id}", domain.id(), "keys/{keyId}", domain.keys().getFirst().id(),
        "/operator/domains/{id}", installation.id(), "/operator/domains/{id}/keys/{keyId}", installation.keys().getFirst().id());
  }
}
