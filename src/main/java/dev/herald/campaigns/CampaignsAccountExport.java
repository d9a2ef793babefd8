package dev.herald.campaigns;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/** Campaigns' part of an organization's export: campaigns with their tags, content and state, and their audiences. */
@Component
public class CampaignsAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "campaigns";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("campaigns", "campaigns", "Campaigns, with their tags, content, schedule and state", """
        select id, name, tags, subject, preheader, from_address, from_name, reply_to, template_id, body, body_format, track_opens,
               track_clicks, state, send_at, time_zone, throttle_limit, throttle_unit, sending_domain_id, recipients, failure,
               duplicated_from, created_at, updated_at, started_at, finished_at
        from campaign where organization_id = ? order by id""", organizationId);
    archive.table("campaigns", "campaign_audiences", "The lists and segments each campaign is sent to or excludes", """
        select a.campaign_id, a.list_id, a.segment_id, a.excluded
        from campaign_audience a join campaign c on c.id = a.campaign_id
        where c.organization_id = ? order by a.campaign_id""", organizationId);
  }
}
