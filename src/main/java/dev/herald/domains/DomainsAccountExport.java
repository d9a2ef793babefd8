package dev.herald.domains;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/** Domains' part of an organization's export: its sending domains and their DKIM keys' public halves (never the private keys). */
@Component
public class DomainsAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "domains";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("domains", "sending_domains", "Sending domains and their verification", """
        select id, name, unicode_name, verified, verified_at, checked_at, created_at
        from sending_domain where organization_id = ? order by id""", organizationId);
    archive.table("domains", "dkim_keys", "DKIM keys: selectors and public keys only", """
        select k.id, k.domain_id, d.name as domain, k.selector, k.algorithm, k.public_key, k.status, k.created_at, k.activated_at,
               k.retired_at
        from dkim_key k join sending_domain d on d.id = k.domain_id
        where d.organization_id = ? order by k.id""", organizationId);
  }
}
