-- module: feedback
-- Every piece of feedback Herald acted on or recorded: synchronous bounces (a remote 5xx while sending), DSNs and
-- ARF reports received by the inbound SMTP listener or found in a monitored mailbox, mailed unsubscribe requests.
-- Reports read it per organization, campaign, message and time. An organization's deletion takes its rows along.
create table feedback_event (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  -- What made the row, once per organization: the same DSN twice (a resend, a mailbox polled twice) has the same
  -- key and acts once. A recipient of a message is keyed by its id and class; unattributed feedback by its address,
  -- class and the reported original.
  dedupe_key      text not null,
  occurred_at     timestamptz not null,
  source          text not null check (source in ('synchronous', 'smtp', 'mailbox')),
  feedback_class  text not null check (feedback_class in ('hard', 'soft', 'block', 'complaint', 'unsubscribe', 'auto_reply',
                    'auth_report', 'delivered', 'unknown')),
  reason          text not null,
  action          text not null check (action in ('suppressed', 'counted', 'unsubscribed', 'recorded')),
  address         text,
  address_key     text,
  -- delivery's outbound message and recipient, when a VERP return path named them
  message_id      bigint,
  recipient_id    bigint,
  campaign_id     bigint,
  subscriber_id   bigint,
  list_id         bigint,
  status          text not null default '',
  reply_code      text not null default '',
  diagnostic      text not null default '',
  remote_mta      text not null default '',
  feedback_type   text not null default '',
  unique (organization_id, dedupe_key)
);
create index feedback_event_org_time on feedback_event (organization_id, occurred_at);
create index feedback_event_campaign on feedback_event (campaign_id, feedback_class) where campaign_id is not null;
create index feedback_event_message on feedback_event (message_id) where message_id is not null;
-- The soft-bounce window: an address's soft bounces in the last days.
create index feedback_event_soft on feedback_event (organization_id, address_key, occurred_at) where feedback_class = 'soft';
