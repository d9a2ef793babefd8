-- module: tracking
-- Every open and click the tracking endpoints answered (dev.herald.tracking), written in batches. What reports read per
-- organization, campaign, message, recipient, link and time. message_id and recipient_id name the queue's rows (no
-- foreign key: the queue's rows may be removed while the counts stay). recipient_id and subscriber_id are null when the
-- event is anonymous (the organization's or campaign's privacy setting, or the reader's Do Not Track / Global Privacy
-- Control); ip is null unless the setting keeps it (truncated to /24 or /48, or whole). machine marks opens and clicks
-- by Apple Mail Privacy Protection, image proxies and link scanners (machine_reason says which): the counts users see
-- are of the rest.
create table tracking_event (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  kind            text not null check (kind = any (array['open', 'click'])),
  occurred_at     timestamptz not null,
  message_id      bigint not null,
  recipient_id    bigint,
  campaign_id     bigint,
  subscriber_id   bigint,
  link_number     integer check (link_number between 1 and 65535),
  machine         boolean not null default false,
  machine_reason  text check (machine_reason = any (array['apple_privacy', 'image_proxy', 'scanner_early', 'scanner_all_links',
                  'automated_agent'])),
  ip              text,
  check ((kind = 'click') = (link_number is not null)),
  check (machine = (machine_reason is not null))
);
create index tracking_event_org_time on tracking_event (organization_id, occurred_at);
create index tracking_event_campaign on tracking_event (campaign_id, kind, occurred_at) where campaign_id is not null;
create index tracking_event_message on tracking_event (message_id, recipient_id);
