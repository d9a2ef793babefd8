package dev.herald.suppression;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/**
 * Suppression's part of an organization's export: its suppression list. An erased person's entry is only a keyed hash,
 * exported as hex, so the export names nobody who was erased.
 */
@Component
public class SuppressionAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "suppression";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("suppression", "suppressions", "The organization's suppression list (addresses, whole domains, hashes of erased people)", """
        select id, address, encode(address_hash, 'hex') as address_hash, domain, reason, note, source, created_at, expires_at
        from suppression where organization_id = ? order by id""", organizationId);
  }
}
