-- module: campaigns
-- The ledger's only indexes leading with campaign_id are partial (pending, handed off, skipped, unsubscribed), so a
-- query that names a campaign and no state read every campaign's rows: the campaigns list's progress
-- (CampaignProgress.summaries, each time the page is shown), a campaign's counts by state (CampaignLedger.counts), the
-- sweep after each start and when the hand-off runs dry (LedgerCleanup.sweep), and the rows deleted with a campaign
-- (campaign_recipient_gone). V64 avoided a full index to spare the start's inserts; the ledger keeps every campaign's
-- rows, so those reads grow with every campaign sent while the index costs the start once. state is in it so the
-- counts by state read the index alone; state is already in partial indexes' predicates, so the hand-off's updates
-- were not HOT before and lose nothing.
create index campaign_recipient_campaign on campaign_recipient (campaign_id, state);
