-- module: campaigns
-- Unsubscribes a campaign caused: when a person left a list from this campaign's mail (its unsubscribe link, or an
-- unsubscribe request mailed back about it), campaigns.CampaignUnsubscribes marks their ledger row, so the campaign's
-- report counts them (once: a second click on the link changes nothing). Nullable and without a default, so adding it
-- rewrites no row and the million-row INSERT of a start writes nothing more.
alter table campaign_recipient add column unsubscribed_at timestamptz;
-- The report's count and timeline read only the rows that unsubscribed.
create index campaign_recipient_unsubscribed on campaign_recipient (campaign_id, unsubscribed_at) where unsubscribed_at is not null;
