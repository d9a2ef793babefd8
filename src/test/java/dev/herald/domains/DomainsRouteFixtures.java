package dev.herald.domains;

import dev.herald.testsupport.RouteFixtures;
import java.util.Locale;
import java.util.Map;

/** A sending domain of the organization, with one of its keys, for the route walk. */
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
    return Map.of("domains/{id}", domain.id(), "keys/{keyId}", domain.keys().getFirst().id());
  }
}
