-- module: delivery
-- The operator's queue controls (issue 10, "Operator's view").
--
-- A paused destination, or the whole queue, is a row here: the worker's claim reads this table, so a pause holds on
-- every node at once and survives restarts. domain is a recipient domain as outbound_recipient stores it (ASCII,
-- lower case), or '*' for the whole queue.
create table queue_pause (
  domain     text primary key check (domain = '*' or (domain <> '' and domain = lower(domain))),
  paused_by  text not null,
  paused_at  timestamptz not null default now()
);

-- A recipient the operator deleted from the queue ends in its own final state, 'deleted', with the operator's reason
-- as its last reply. Not 'failed': that one says Herald refused the address itself (a suppression), and a sender
-- reading the API or a report must be able to tell "never sent because suppressed" from "removed by the operator".
alter table outbound_recipient drop constraint outbound_recipient_state_check;
alter table outbound_recipient add constraint outbound_recipient_state_check
  check (state = any (array['queued', 'sending', 'delivered', 'deferred', 'bounced', 'expired', 'failed', 'deleted']));

-- The queue page's one grouped query: the waiting and in-flight recipients by destination and state, with the
-- oldest due time and the oldest entry, read from this index alone (an index-only scan: delivered history, most of
-- the table, is not in it). last_attempt_at orders a destination's deferred rows, so its last reply is one step.
create index outbound_recipient_pending on outbound_recipient (domain, state, last_attempt_at)
  include (next_attempt_at, created_at) where state in ('queued', 'sending', 'deferred');
