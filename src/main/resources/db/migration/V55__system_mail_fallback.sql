-- module: delivery
-- Herald's own mail kept in the sandbox mailbox because real delivery had no verified system sender (the fallback):
-- how many messages and when the last one was, for the operator's Delivery page. They are not sent later (resets and
-- invitations would arrive late, their links expired or replaced): the page says so and that people should ask again.
alter table delivery_setting
  add column fallback_kept    bigint not null default 0,
  add column fallback_last_at timestamptz;
