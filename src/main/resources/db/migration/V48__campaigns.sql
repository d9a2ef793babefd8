-- module: campaigns
-- Campaigns: what is sent to whom and when (campaign, campaign_audience), the per-recipient send ledger that is the
-- truth of a send (campaign_recipient, DESIGN.md reliability rules 2 and 3) and the job that hands the ledger to the
-- outbound queue (campaign_send, with platform.Leases' standard columns).
create table campaign (
  id                bigserial primary key,
  organization_id   bigint not null references organization (id) on delete cascade,
  name              text not null,
  tags              text[] not null default '{}',
  -- a Liquid template, rendered per recipient
  subject           text not null default '',
  preheader         text not null default '',
  from_address      text not null default '',
  from_name         text not null default '',
  reply_to          text not null default '',
  -- content.Templates' id of the campaign template that wraps the body ({{ content }}); its source is copied into
  -- template_source when the campaign starts, so an edit of the template never changes a campaign being sent
  template_id       bigint,
  template_source   text,
  body              text not null default '',
  body_format       text not null default 'richtext' check (body_format in ('richtext', 'html', 'markdown', 'text')),
  track_opens       boolean not null default true,
  track_clicks      boolean not null default true,
  state             text not null default 'draft'
                    check (state in ('draft', 'scheduled', 'sending', 'paused', 'cancelled', 'finished')),
  -- the start: an instant, and the time zone the member chose it in (for showing it again as they wrote it)
  send_at           timestamptz,
  time_zone         text,
  throttle_limit    integer check (throttle_limit > 0),
  throttle_unit     text check (throttle_unit in ('minute', 'hour')),
  -- set at start: the verified domain the mail goes out from and the outbound message that carries the recipients
  sending_domain_id bigint,
  message_id        bigint,
  recipients        bigint,
  -- why a scheduled campaign could not start (it went back to draft)
  failure           text,
  duplicated_from   bigint references campaign (id) on delete set null,
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now(),
  started_at        timestamptz,
  finished_at       timestamptz,
  check ((throttle_limit is null) = (throttle_unit is null))
);
create index campaign_org_created on campaign (organization_id, created_at desc, id desc);
-- what the scheduler polls: scheduled campaigns by their start
create index campaign_due on campaign (send_at) where state = 'scheduled';

-- The lists and segments a campaign goes to, or excludes.
create table campaign_audience (
  campaign_id bigint not null references campaign (id) on delete cascade,
  list_id     bigint references mailing_list (id) on delete cascade,
  segment_id  bigint references segment (id) on delete cascade,
  excluded    boolean not null default false,
  check ((list_id is null) <> (segment_id is null))
);
create unique index campaign_audience_list on campaign_audience (campaign_id, list_id) where list_id is not null;
create unique index campaign_audience_segment on campaign_audience (campaign_id, segment_id) where segment_id is not null;

-- The ledger: one row per person the campaign goes to, fixed at its start by one set-based statement. A row is
-- handed_off only in the transaction in which the outbound queue took it (ref = this row's id), skipped when the
-- person unsubscribed or was suppressed between the start and the hand-off. The address is the one fixed at the
-- start; the row goes with the subscriber (erasure).
create table campaign_recipient (
  id             bigserial primary key,
  campaign_id    bigint not null references campaign (id) on delete cascade,
  subscriber_id  bigint not null references subscriber (id) on delete cascade,
  -- the list through which this person gets the campaign (list.name in the template, the list an unsubscribe leaves)
  list_id        bigint not null,
  address        text not null,
  -- the address's subscriber key, for the suppression screen at hand-off
  address_key    text not null,
  state          text not null default 'pending' check (state in ('pending', 'handed_off', 'skipped')),
  reason         text,
  handed_off_at  timestamptz
);
-- what the hand-off reads: the next pending rows of a campaign, in order
create index campaign_recipient_pending on campaign_recipient (campaign_id, id) where state = 'pending';
-- the throttle's window and the counts
create index campaign_recipient_handed on campaign_recipient (campaign_id, handed_off_at) where handed_off_at is not null;
create index campaign_recipient_subscriber on campaign_recipient (subscriber_id);

-- The hand-off job of a started campaign (id = the campaign's), claimed by worker nodes with platform.Leases.
-- status: queued → running → finished | failed as Leases knows them, and two of campaigns' own that are never
-- claimed: held (paused) and draining (all handed off; waiting for the queue to finish the campaign's rows).
create table campaign_send (
  id              bigint primary key references campaign (id) on delete cascade,
  organization_id bigint not null references organization (id) on delete cascade,
  status          text not null default 'queued' check (status in ('queued', 'running', 'held', 'draining', 'finished', 'failed')),
  failure         text,
  lease_owner     text,
  lease_attempt   bigint not null default 0,
  lease_until     timestamptz
);
create index campaign_send_claim on campaign_send (status, lease_until) where status in ('queued', 'running', 'draining');
