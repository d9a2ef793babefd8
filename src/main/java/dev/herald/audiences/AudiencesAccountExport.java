package dev.herald.audiences;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/**
 * Audiences' part of an organization's export (privacy's account export): lists, custom fields, subscribers with
 * their field values and tags, subscriptions, consent records with the wording shown, segments and the history of
 * imports (without the uploaded files). Each table is one streamed statement, so 100,000 subscribers never sit in
 * memory.
 */
@Component
public class AudiencesAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "audiences";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("audiences", "lists", "Mailing lists", """
        select id, name, description, visibility, optin, public_id, default_from_name, default_from_email, tags, created_at, updated_at
        from mailing_list where organization_id = ? order by id""", organizationId);
    archive.table("audiences", "custom_fields", "Custom fields of subscribers", """
        select id, key, label, type, choices, subscriber_editable, created_at
        from custom_field where organization_id = ? order by id""", organizationId);
    archive.table("audiences", "subscribers", "Subscribers, with their custom field values (attributes) and tags", """
        select id, email, name, attributes, tags, source, created_at, updated_at, last_opened_at, last_clicked_at
        from subscriber where organization_id = ? order by id""", organizationId);
    archive.table("audiences", "subscriptions", "Each subscriber's subscriptions to lists", """
        select x.subscriber_id, s.email, x.list_id, l.name as list_name, x.status, x.source, x.created_at, x.confirmed_at, x.unsubscribed_at
        from subscription x join subscriber s on s.id = x.subscriber_id join mailing_list l on l.id = x.list_id
        where s.organization_id = ? order by x.subscriber_id, x.list_id""", organizationId);
    archive.table("audiences", "consent_records", "Consent given and withdrawn, with the wording shown", """
        select c.id, c.subscriber_id, s.email, c.list_id, c.channel, c.channel_ref, c.basis, c.ip, c.user_agent, c.given_at,
               c.confirmed_at, c.withdrawn_at, t.body as consent_text
        from consent_record c join subscriber s on s.id = c.subscriber_id left join consent_text t on t.id = c.consent_text_id
        where c.organization_id = ? order by c.id""", organizationId);
    archive.table("audiences", "segments", "Saved segments and their conditions", """
        select id, name, conditions, created_at, updated_at from segment where organization_id = ? order by id""", organizationId);
    archive.table("audiences", "imports", "Imports of subscriber files (the files themselves are not kept)", """
        select id, list_id, file_name, format, import_as, consent_basis, overwrite, tags, status, total_rows, processed_rows, inserted,
               updated, skipped, failure, created_at, started_at, finished_at
        from import_job where organization_id = ? and status <> 'draft' order by id""", organizationId);
  }
}
