package dev.herald.campaigns;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/**
 * Campaigns' part of an organization's export: campaigns with their tags, content and state, their audiences, and the
 * send ledger (one row per recipient of each campaign, read through a cursor).
 */
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
    archive.table("campaigns", "campaign_recipients",
        "The send ledger: each recipient of each campaign, the list it went through, and whether it was handed to the queue,"
            + " skipped (and why) or unsubscribed through it", """
        select r.campaign_id, r.id as ledger_id, r.subscriber_id, r.list_id, r.address, r.state, r.reason, r.handed_off_at,
               r.unsubscribed_at
        from campaign_recipient r join campaign c on c.id = r.campaign_id
        where c.organization_id = ? order by r.campaign_id, r.id""", organizationId);
  }
}
