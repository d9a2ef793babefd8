-- module: tracking
-- Privacy settings of tracking: the organization's (campaign_id 0) and a campaign's own, which wins over it. mode:
-- 'identified' ties an event to the subscriber (segments' "opened in the last 30 days" need it), 'anonymous' keeps
-- counts without saying who, 'off' records nothing. ip: 'none' stores no address, 'truncated' the /24 (IPv4) or /48
-- (IPv6) network, 'full' the address. Without a row: anonymous, no address (privacy first; the panel says so).
create table tracking_privacy (
  organization_id bigint not null references organization (id) on delete cascade,
  campaign_id     bigint not null default 0,
  mode            text not null check (mode = any (array['identified', 'anonymous', 'off'])),
  ip              text not null check (ip = any (array['none', 'truncated', 'full'])),
  updated_at      timestamptz not null default now(),
  primary key (organization_id, campaign_id)
);
