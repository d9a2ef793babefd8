-- module: campaigns
-- The ledger is written a million rows at a time by one INSERT ... SELECT (CampaignLedger.fix). Its two foreign keys
-- checked every row with a query of its own that also locks the parent row (FOR KEY SHARE): at 300,000 rows they took
-- 2.65 of the statement's 4.9 CPU seconds, the subscriber key most (locking a subscriber row writes WAL and dirties its
-- page). What they did on delete is kept otherwise:
-- * a campaign's rows go with it (deleting an organization deletes its campaigns): the statement trigger below;
-- * a subscriber's rows go with them (deletion and erasure; the row holds their address): campaigns.LedgerCleanup
--   listens to audiences' events in the deleting transaction, as the cascade did. campaign_recipient_subscriber stays
--   for it and for the subscriber's page.
-- Rows are only ever written by the start of a campaign, in the transaction that holds its row, from subscribers it
-- has just read. One case the subscriber key caught is left: a person deleted while a start is reading them (the key
-- made that start fail); their row stays, and the hand-off skips it, as they are subscribed to nothing.
alter table campaign_recipient drop constraint campaign_recipient_campaign_id_fkey;
alter table campaign_recipient drop constraint campaign_recipient_subscriber_id_fkey;

create function campaign_recipient_gone() returns trigger language plpgsql as $$
begin
  delete from campaign_recipient r using gone where r.campaign_id = gone.id;
  return null;
end
$$;
create trigger campaign_recipient_gone after delete on campaign
  referencing old table as gone for each statement execute function campaign_recipient_gone();
