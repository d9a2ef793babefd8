-- module: campaigns
-- V93's index on (campaign_id, state) goes. A campaign's start writes a million ledger rows with one statement, and
-- each row costs an entry in every index whose predicate it meets: V93's was one of four (pkey, pending, subscriber,
-- V93), about 0.9 s of a 9 s start of 1,000,000 (bench/campaign-audience.sh, BENCHMARKS.md session 13). Its readers
-- go back to the partial indexes, which together hold every row exactly once: pending (campaign_recipient_pending,
-- V48), handed off (campaign_recipient_handed, V48: handed_off_at is set exactly when the state is handed_off, which
-- the check below makes a rule) and skipped (campaign_recipient_skipped, V64). So a count or delete of one campaign's
-- rows is three statements, one per part (campaigns.CampaignLedger.PARTS), each through its partial index. An index
-- on (campaign_id, state, id) in place of both V93's and the pending one would be one entry fewer still, but the
-- planner then took the hand-off's "first pending rows by id" from the primary key, reading every older campaign's
-- rows first (CampaignLedgerPlanTest); a partial index is the only way it knows where the pending rows are.
drop index campaign_recipient_campaign;
alter table campaign_recipient add constraint campaign_recipient_handed_when
  check ((state = 'handed_off') = (handed_off_at is not null));

create or replace function campaign_recipient_gone() returns trigger language plpgsql as $$
begin
  delete from campaign_recipient r using gone where r.campaign_id = gone.id and r.state = 'pending';
  delete from campaign_recipient r using gone where r.campaign_id = gone.id and r.handed_off_at is not null;
  delete from campaign_recipient r using gone where r.campaign_id = gone.id and r.state = 'skipped';
  return null;
end
$$;
