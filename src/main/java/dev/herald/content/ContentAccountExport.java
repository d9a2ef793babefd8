package dev.herald.content;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/** Content's part of an organization's export: templates with their sources, template categories, and the media files. */
@Component
public class ContentAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "content";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("content", "template_categories", "Template categories", """
        select id, name, created_at from template_category where organization_id = ? order by id""", organizationId);
    archive.table("content", "templates", "Templates, with their sources", """
        select t.id, t.kind, t.name, t.category_id, c.name as category, t.format, t.source, t.created_at, t.updated_at
        from template t left join template_category c on c.id = t.category_id
        where t.organization_id = ? order by t.id""", organizationId);
    archive.table("content", "media", "Uploaded images (the files are in content/media/)", """
        select id, public_key, name, content_type, size_bytes, width, height, encode(sha256, 'hex') as sha256, created_at,
               'media/' || id || '-' || regexp_replace(name, '[^A-Za-z0-9._-]+', '_', 'g') as file
        from media where organization_id = ? order by id""", organizationId);
    archive.files("content", "media", """
        select id || '-' || regexp_replace(name, '[^A-Za-z0-9._-]+', '_', 'g'), content
        from media where organization_id = ? order by id""", organizationId);
  }
}
