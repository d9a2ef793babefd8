-- module: feedback
-- Mailbox monitors: an organization's IMAP or POP3 accounts holding bounces, complaints and replies (for senders whose
-- return path is an external mailbox). Worker nodes poll each account when due, one node at a time under a fenced
-- lease (lease_owner, lease_attempt, lease_until as platform.Leases names them); the password is a platform secret
-- (secret_name), never a column here.
create table feedback_mailbox (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  name            text not null,
  protocol        text not null check (protocol in ('imap', 'pop3')),
  host            text not null,
  port            integer not null check (port between 1 and 65535),
  tls             text not null check (tls in ('implicit', 'starttls', 'none')),
  username        text not null,
  secret_name     text not null,
  folder          text not null default 'INBOX',
  -- what happens to a processed message: moved to processed_folder (IMAP only) or deleted
  after_processing text not null check (after_processing in ('move', 'delete')),
  processed_folder text not null default 'Herald processed',
  enabled         boolean not null default true,
  next_poll_at    timestamptz not null default now(),
  last_poll_at    timestamptz,
  last_success_at timestamptz,
  last_error      text not null default '',
  last_processed  integer not null default 0,
  processed_total bigint not null default 0,
  lease_owner     text,
  lease_attempt   bigint not null default 0,
  lease_until     timestamptz,
  created_at      timestamptz not null default now(),
  unique (organization_id, name)
);
create index feedback_mailbox_due on feedback_mailbox (next_poll_at) where enabled;
