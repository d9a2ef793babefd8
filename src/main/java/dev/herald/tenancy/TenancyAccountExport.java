package dev.herald.tenancy;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/**
 * Tenancy's part of an organization's export: the organization, its members and groups, and its API keys' metadata
 * (name, prefix, scopes, when used: never the secret's hash).
 */
@Component
public class TenancyAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "tenancy";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("tenancy", "organization", "The organization", """
        select id, slug, name, created_at, suspended_at, closed_at, purge_after from organization where id = ?""", organizationId);
    archive.table("tenancy", "members", "Members and their roles", """
        select u.email, u.display_name, m.role, m.created_at
        from membership m join app_user u on u.id = m.user_id where m.organization_id = ? order by lower(u.email)""", organizationId);
    archive.table("tenancy", "groups", "Groups and the permissions they grant", """
        select g.id, g.name, g.permissions,
               array(select u.email from user_group_member gm join app_user u on u.id = gm.user_id where gm.group_id = g.id
                     order by u.email) as members
        from user_group g where g.organization_id = ? order by g.id""", organizationId);
    archive.table("tenancy", "api_keys", "API keys: names, prefixes and scopes (no secrets)", """
        select k.id, k.name, k.prefix, k.scopes, k.ip_allowlist, u.email as created_by, k.created_at, k.last_used_at, k.revoked_at
        from api_key k left join app_user u on u.id = k.created_by where k.organization_id = ? order by k.id""", organizationId);
  }
}
