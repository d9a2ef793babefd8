-- module: delivery
-- Fewer writes per delivered message (issues 10 and 11: PostgreSQL's CPU per message of bench/mta.sh and
-- bench/campaign.sh, counted with pg_stat_statements and pg_stat_user_indexes).
--
-- Foreign keys that only repeat another one. A foreign key check looks the parent up and locks its row (FOR KEY
-- SHARE) for every inserted row: the organization's row was locked three times per message (the message, its
-- recipient, the attempt), by every lane and request at once, which also makes PostgreSQL create a multixact per
-- concurrent locker. The integrity stays, by the chain of keys that remain:
--   outbound_attempt.recipient_id    -> outbound_recipient (on delete cascade)   kept
--   outbound_recipient.message_id    -> outbound_message   (on delete cascade)   kept
--   outbound_message.organization_id -> organization       (on delete cascade)   kept
-- An attempt's message_id and organization_id are copied from its recipient in the one statement that writes both
-- (DeliveryQueue.record), and a recipient's organization_id from its message (OutboundMessages, BulkSends.add): they
-- cannot name another message or organization, and deleting an organization or a message still deletes its
-- recipients and their attempts, through the kept keys.
alter table outbound_attempt drop constraint outbound_attempt_message_id_fkey;
alter table outbound_attempt drop constraint outbound_attempt_organization_id_fkey;
alter table outbound_recipient drop constraint outbound_recipient_organization_id_fkey;

-- An index entry per attempt that no query needs any more: a message's attempts are read through its recipients
-- (outbound_recipient_message, then outbound_attempt_recipient), as the message pages and the sweep of forwards do.
drop index outbound_attempt_message;

-- The stored content of the send API's messages and system mail, compressed with lz4 where the server has it (a
-- fraction of pglz's CPU on the insert; PostgreSQL 14+ built with lz4, e.g. Debian's). The embedded server's build has
-- only pglz: there the column keeps it (storage without compression measured dearer, BENCHMARKS.md).
do $$
begin
  if exists (select 1 from pg_settings where name = 'default_toast_compression' and 'lz4' = any (enumvals)) then
    alter table outbound_message alter column content set compression lz4;
  end if;
end
$$;
