package dev.herald.domains;

import dev.herald.tenancy.OrganizationPurge;
import org.springframework.stereotype.Component;

/** A deleted organization's domains go with their private keys: the cascade would leave the keys in Secrets. */
@Component
class DomainsPurge implements OrganizationPurge {
  private final SendingDomains domains;

  DomainsPurge(SendingDomains domains) {
    this.domains = domains;
  }

  @Override
  public void beforeDelete(long organizationId) {
    for (SendingDomains.Domain domain : domains.list(organizationId)) domains.remove(organizationId, domain.id());
  }
}
