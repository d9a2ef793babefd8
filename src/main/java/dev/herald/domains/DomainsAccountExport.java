package dev.herald.domains;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/**
 * Domains' part of an organization's export: its sending domains, their DKIM keys' public halves (never the private keys),
 * their tracking domains ({@code track.<domain>}: a tracking domain is not a row of its own but the DNS record each
 * sending domain is asked to publish, kept in {@code domain_record_check}) and the last check of every record.
 */
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
    archive.table("domains", "tracking_domains",
        "Tracking domains: track.<domain> of each sending domain, and whether its CNAME checked ok (links and opens then use it)", """
        select d.id as domain_id, d.name as domain, 'track.' || d.name as tracking_host, coalesce(c.state, 'unchecked') as state,
               c.checked_at, coalesce(c.state = 'ok' and d.verified, false) as in_use
        from sending_domain d left join domain_record_check c on c.domain_id = d.id and c.record = 'tracking'
        where d.organization_id = ? order by d.id""", organizationId);
    archive.table("domains", "dns_checks", "The last check of each DNS record the sending domains are asked to publish", """
        select c.domain_id, d.name as domain, c.record, c.state, c.found, c.detail, c.checked_at
        from domain_record_check c join sending_domain d on d.id = c.domain_id
        where d.organization_id = ? order by c.domain_id, c.record""", organizationId);
  }
}
