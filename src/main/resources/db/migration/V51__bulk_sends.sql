-- module: delivery
-- Bulk sends (delivery.BulkSends, issue 11): a campaign is one outbound_message without stored content (its source
-- renders each recipient's message at delivery time) and one outbound_recipient row per person.
alter table outbound_message drop constraint outbound_message_source_check;
alter table outbound_message add constraint outbound_message_source_check
  check (source = any (array['api', 'system', 'campaign']));

-- A held (paused) bulk send: its waiting rows are moved to the state 'held', which no claim reads (the claim's
-- partial indexes hold only queued and deferred rows, so a paused campaign of a million rows costs the claim nothing);
-- rows added while it is held start held.
alter table outbound_message add column held boolean not null default false;

-- The sender's own id for this recipient (a campaign's ledger row), handed back to its MessageSource so it can render
-- for that person. Null for the send API's and system mail.
alter table outbound_recipient add column source_ref bigint;

-- 'held': waiting, but not claimable until the message is released.
alter table outbound_recipient drop constraint outbound_recipient_state_check;
alter table outbound_recipient add constraint outbound_recipient_state_check
  check (state = any (array['queued', 'sending', 'delivered', 'deferred', 'bounced', 'expired', 'failed', 'deleted', 'held']));
