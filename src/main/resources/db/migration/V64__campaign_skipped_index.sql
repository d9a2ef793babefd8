-- module: campaigns
-- A campaign report's ledger counts read partial indexes only, never the ledger's rows: handed off
-- (campaign_recipient_handed), pending (campaign_recipient_pending), unsubscribed (V63) and, with this one, skipped.
-- The ledger has no index on campaign_id alone (a start writes a million rows at a time, each index costs it), so a
-- plain "where campaign_id = ?" count read the whole table, every campaign's rows. Skipped rows are few and enter this
-- index only when the hand-off skips them, so a start writes nothing more.
create index campaign_recipient_skipped on campaign_recipient (campaign_id) where state = 'skipped';
