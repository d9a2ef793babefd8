-- module: delivery
-- The operator's queue page counts held recipients too (a paused campaign's waiting mail, V51): the page's grouped
-- query and its totals read only this partial index, so it now holds the held rows as well. The claims read their own
-- partial indexes (queued and deferred only): a paused campaign still costs them nothing.
drop index outbound_recipient_pending;
create index outbound_recipient_pending on outbound_recipient (domain, state, last_attempt_at)
  include (next_attempt_at, created_at) where state in ('queued', 'sending', 'deferred', 'held');
