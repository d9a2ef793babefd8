-- module: delivery
-- Messages whose recipients' addresses must not outlive their delivery (campaigns' forward-to-a-friend, source
-- 'forward'): rendered per recipient at delivery time like a campaign's (content null), and once every recipient of
-- the message has reached a final state, delivery's sweep (delivery.BulkSends#eraseFinishedAddresses) blanks the
-- address, its key and domain, the last reply and the attempts' reply texts (remote replies often quote the address)
-- and clears erase_addresses. The rows stay, without the address, so that a late DSN whose VERP return path names one
-- is known for a forward's and ignored rather than acted on by address.
alter table outbound_message drop constraint outbound_message_source_check;
alter table outbound_message add constraint outbound_message_source_check
  check (source = any (array['api', 'system', 'campaign', 'forward']));
alter table outbound_message add column erase_addresses boolean not null default false;
-- Only the messages still to be swept: a handful at any time.
create index outbound_message_erase_addresses on outbound_message (id) where erase_addresses;
