-- module: delivery
-- The organization's message list filtered by a recipient state: the list walks its messages newest first and probes
-- each one's recipients, which is quick for a common state and grows with how rare the state is (at a million
-- recipients, 0.2-0.5 % of one state took 100-300 ms; a state an organization has next to none of would walk all its
-- messages; MessageLogPlans). With this index the planner starts from the few recipients in a rare final failure
-- state instead (measured: 0.05 ms for a state with none). Only bounced, expired, not sent (failed) and deleted by the
-- operator are in it: a recipient enters it once, when it ends so, and the
-- queue's writes of delivered mail (queued -> sending -> delivered) never touch it. Transient states (queued, sending,
-- deferred) belong to recent messages, near the top of the walk, and have the queue's own partial indexes.
create index outbound_recipient_org_failed on outbound_recipient (organization_id, state, message_id)
  where state in ('bounced', 'expired', 'failed', 'deleted');
