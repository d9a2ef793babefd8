package dev.herald.tracking;

import dev.herald.platform.OrganizationArchive;
import org.springframework.stereotype.Component;

/**
 * Tracking's part of an organization's export: every open and click recorded, and the tracking privacy settings. An
 * organization may hold millions of events: the archive reads them through a cursor and writes them as they come
 * ({@link OrganizationArchive#table}), ordered by the organization's time index so no sort of the whole table is needed.
 */
@Component
public class TrackingAccountExport implements OrganizationArchive.Part {

  @Override
  public String capability() {
    return "tracking";
  }

  @Override
  public void export(long organizationId, OrganizationArchive archive) {
    archive.table("tracking", "tracking_events",
        "Every open and click of the organization's mail: when, which message, recipient, campaign and subscriber (empty when "
            + "anonymous), the link's number, whether a machine made it, and the IP address where the privacy setting keeps one", """
        select id, kind, occurred_at, message_id, recipient_id, campaign_id, subscriber_id, link_number, machine, machine_reason, ip
        from tracking_event where organization_id = ? order by occurred_at, id""", organizationId);
    archive.table("tracking", "tracking_privacy", "Tracking privacy settings: the organization's (campaign 0) and each campaign's own", """
        select campaign_id, mode, ip, updated_at from tracking_privacy where organization_id = ? order by campaign_id""", organizationId);
  }
}
