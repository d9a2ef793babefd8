-- module: privacy
-- Data-subject requests (issue 13, GDPR articles 12 and 15-21): what a person asked an organization for, its due date
-- (one calendar month after receipt, extended once by two further months with a recorded reason), who handled it, and
-- each step taken. Completed erasures keep no personal data: the address is replaced at completion (address
-- '(erased)', address_key 'erased:<id>'), outcome holds counts per capability and table only, and notes are scrubbed
-- of the address.
create table privacy_request (
  id               bigserial primary key,
  organization_id  bigint not null references organization (id) on delete cascade,
  type             text not null check (type in ('access', 'portability', 'rectification', 'erasure', 'restriction', 'objection')),
  status           text not null check (status in ('received', 'in_progress', 'completed', 'rejected')),
  channel          text not null check (channel in ('panel', 'api', 'self_service')),
  address          text not null,
  address_key      text not null,
  received_at      timestamptz not null,
  due_at           timestamptz not null,
  extended_at      timestamptz,
  extension_reason text,
  -- who took the last step: a member's address or an API key's name ("self-service" for the person themselves)
  handled_by       text not null,
  closed_at        timestamptz,
  rejection_reason text,
  -- the completion record: counts only (rows deleted or anonymized per capability and table, sections exported)
  outcome          jsonb,
  -- a self-service request's link nonce: a second click on the same link finds the request it made
  verification     text unique,
  check ((extended_at is null) = (extension_reason is null)),
  check ((status = 'rejected') = (rejection_reason is not null)),
  check ((status = 'completed' or status = 'rejected') = (closed_at is not null))
);
create index privacy_request_due on privacy_request (organization_id, due_at) where status in ('received', 'in_progress');
create index privacy_request_listing on privacy_request (organization_id, received_at desc);
create index privacy_request_subject on privacy_request (organization_id, address_key);

create table privacy_request_step (
  id          bigserial primary key,
  request_id  bigint not null references privacy_request (id) on delete cascade,
  action      text not null check (action in ('received', 'verified', 'started', 'extended', 'completed', 'rejected',
                                              'rectified', 'restricted', 'lifted', 'archive_downloaded', 'note')),
  actor       text not null,
  note        text not null default '',
  at          timestamptz not null
);
create index privacy_request_step_request on privacy_request_step (request_id, id);

-- An access or portability request's ZIP, downloadable until expires_at; deleted once expired.
create table privacy_archive (
  request_id      bigint primary key references privacy_request (id) on delete cascade,
  organization_id bigint not null references organization (id) on delete cascade,
  file_name       text not null,
  content         bytea not null,
  created_at      timestamptz not null,
  expires_at      timestamptz not null
);
create index privacy_archive_expiry on privacy_archive (expires_at);

-- Per organization: whether a verified self-service request completes itself or waits for a member.
create table privacy_request_setting (
  organization_id         bigint primary key references organization (id) on delete cascade,
  self_service_completes  boolean not null default false
);

-- Self-service attempts, for the rate limits per network and per address. The address is kept only as an HMAC under
-- an installation key (never a plain hash other systems could match), and rows older than a day are deleted.
create table privacy_self_service_attempt (
  id            bigserial primary key,
  ip            text,
  address_mac   text,
  attempted_at  timestamptz not null,
  check ((ip is null) <> (address_mac is null))
);
create index privacy_self_service_attempt_ip on privacy_self_service_attempt (ip, attempted_at);
create index privacy_self_service_attempt_address on privacy_self_service_attempt (address_mac, attempted_at);
