-- module: tracking
-- Every open and click answered is one row here, written by TrackingWriter in batches by COPY, and the writer's cost per
-- row is what bounds how many opens and clicks a node takes (bench/tracking.sh, issue 12). Two things cost per row that
-- no reader needs:
--
-- * The foreign key on organization_id: PostgreSQL checks it with a query of its own per row, which also locks the
--   organization's row (FOR KEY SHARE). Measured on 100,000 events in batches of 1,000 (PostgreSQL 17, three indexes
--   and the key): 23 µs of PostgreSQL CPU per row with the key, 15 without. What it did is kept otherwise:
--   - the events go with their organization: the statement trigger below, in the deleting transaction;
--   - no event is stored for an organization being deleted: the writer's transaction holds an advisory lock of each
--     organization in its batch, shared, from before it reads the batch's recipients until it commits
--     (TrackingStore.write); the trigger takes the same lock exclusively before it deletes. Either the writer committed
--     first (the trigger then sees its rows and deletes them), or it reads the recipients after the deletion committed
--     (they went with the organization, and the writer drops their events). The writer only writes organizations its
--     tokens named and the queue still holds.
--
-- * tracking_event_message (message_id, recipient_id) also held every anonymous event (recipient_id null: the default
--   privacy setting, and every reader with Do Not Track), which no query of it can ask for: its one reader
--   (CampaignEngagement.perRecipient) asks for recipient_id = any (...), which the partial index serves (checked with
--   EXPLAIN at 1,000,000 rows, generic plan too).
alter table tracking_event drop constraint tracking_event_organization_id_fkey;

create function tracking_event_gone() returns trigger language plpgsql as $$
begin
  perform pg_advisory_xact_lock(hashtextextended('tracking-event:' || g.id, 0)) from gone g order by g.id;
  delete from tracking_event e using gone where e.organization_id = gone.id;
  return null;
end
$$;
create trigger tracking_event_gone after delete on organization
  referencing old table as gone for each statement execute function tracking_event_gone();

drop index tracking_event_message;
create index tracking_event_message on tracking_event (message_id, recipient_id) where recipient_id is not null;
