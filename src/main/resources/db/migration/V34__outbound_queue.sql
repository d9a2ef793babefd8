-- module: delivery
-- The durable outbound queue (DESIGN.md reliability rule 1): a message and all its recipients are inserted in one
-- transaction before the sender hears "accepted".
--
-- outbound_message holds what is needed to give the same message on every retry: its Message-ID and Date, and for
-- messages of the send API (source 'api') the built, unsigned wire bytes, stored once (content). Campaigns will
-- store their content once elsewhere and render each recipient's message through delivery's MessageSource port,
-- leaving content null. Idempotency keys are unique per organization; request_hash tells a repeat of the same
-- request (answered with the first answer) from a different request reusing the key (refused).
create table outbound_message (
  id                bigserial primary key,
  organization_id   bigint not null references organization (id) on delete cascade,
  -- null once the domain is removed: the message keeps its from address and Message-ID
  sending_domain_id bigint references sending_domain (id) on delete set null,
  -- written as = any (array[...]), the form PostgreSQL keeps for a list, so that TextEnumsTest reads a one-value list too
  source            text not null check (source = any (array['api'])),
  from_address      text not null,
  subject           text not null default '',
  header_message_id text not null,
  header_date       timestamptz not null,
  smtputf8          boolean not null default false,
  content           bytea,
  idempotency_key   text,
  request_hash      text,
  tags              text[] not null default '{}',
  metadata          jsonb not null default '{}',
  created_at        timestamptz not null default now(),
  unique (organization_id, idempotency_key),
  check (source <> 'api' or content is not null)
);
create index outbound_message_org_created on outbound_message (organization_id, created_at desc, id desc);
create index outbound_message_tags on outbound_message using gin (tags);

-- One row per recipient (To, Cc and Bcc alike: Bcc only here, never in the headers). address is the envelope
-- address (ASCII domain), address_key the lower-case form for searching, domain the recipient's ASCII domain that
-- the worker groups by (one MX set, one connection for many messages).
--
-- The lease columns are platform.Leases' standard ones with state in place of status: a worker claims due rows
-- (state queued or deferred, next_attempt_at passed; or sending with lease_until passed) of one domain with
-- FOR UPDATE SKIP LOCKED, sets state 'sending', lease_owner, lease_until and lease_attempt + 1, and names that attempt
-- in every later write, so a node that lost its lease changes nothing.
create table outbound_recipient (
  id              bigserial primary key,
  message_id      bigint not null references outbound_message (id) on delete cascade,
  organization_id bigint not null references organization (id) on delete cascade,
  kind            text not null check (kind in ('to', 'cc', 'bcc')),
  address         text not null,
  address_key     text not null,
  domain          text not null,
  state           text not null default 'queued'
                  check (state in ('queued', 'sending', 'delivered', 'deferred', 'bounced', 'expired', 'failed')),
  attempts        integer not null default 0,
  next_attempt_at timestamptz not null default now(),
  last_reply      text not null default '',
  last_attempt_at timestamptz,
  finished_at     timestamptz,
  lease_owner     text,
  lease_attempt   bigint not null default 0,
  lease_until     timestamptz,
  created_at      timestamptz not null default now(),
  unique (message_id, address_key)
);
-- Due work per destination: what a worker scans to pick a domain and claim its due recipients.
create index outbound_recipient_due on outbound_recipient (domain, next_attempt_at) where state in ('queued', 'deferred');
-- Leases run out: rows of a node that died while sending.
create index outbound_recipient_leased on outbound_recipient (lease_until) where state = 'sending';
create index outbound_recipient_message on outbound_recipient (message_id, id);
create index outbound_recipient_org_address on outbound_recipient (organization_id, address_key);
