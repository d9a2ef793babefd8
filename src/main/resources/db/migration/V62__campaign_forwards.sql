-- module: campaigns
-- Forward-to-a-friend (campaigns.Forwards): a recipient of a campaign sends it once to a friend's address from the
-- hosted page their forward_url opens. Neither address is stored here: only how many copies were sent, per campaign
-- (what the organization sees), and how many each ledger row (one recipient's link) has sent, for the cap per link.
-- The friend's address lives only in delivery's queue row until that row's final state (V70, delivery.BulkSends).
create table campaign_forward (
  campaign_id     bigint primary key references campaign (id) on delete cascade,
  organization_id bigint not null references organization (id) on delete cascade,
  forwards        bigint not null default 0 check (forwards >= 0),
  last_forward_at timestamptz not null
);
create index campaign_forward_org on campaign_forward (organization_id);

-- The cap per recipient's link: a row exists only for ledger rows that forwarded; it goes with the ledger row (a person
-- deleted or erased).
create table campaign_forward_by_recipient (
  ledger_id bigint primary key references campaign_recipient (id) on delete cascade,
  forwards  smallint not null check (forwards >= 0)
);
