-- module: delivery
-- Delivery servers (smarthosts): a relay that takes the mail of the organizations and sending domains assigned to it,
-- whatever the recipient domain. The AUTH password is kept in platform Secrets as delivery:server-password:<id>,
-- never here. Limits count messages per UTC clock hour and per UTC day.
create table delivery_server (
  id                 bigserial primary key,
  name               text not null unique,
  host               text not null,
  port               integer not null check (port between 1 and 65535),
  tls_mode           text not null check (tls_mode = any (array['none', 'starttls', 'implicit'])),
  verify_certificate boolean not null default true,
  auth_user          text,
  hourly_limit       integer check (hourly_limit > 0),
  daily_limit        integer check (daily_limit > 0),
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);

-- A server for a whole organization (sending_domain null) or for one of its sending domains (a lower-case ASCII
-- name), which wins over the organization's. Deleting a server deletes its assignments: that mail goes by MX again.
create table delivery_server_assignment (
  id              bigserial primary key,
  server_id       bigint not null references delivery_server (id) on delete cascade,
  organization_id bigint not null references organization (id) on delete cascade,
  sending_domain  text,
  created_at      timestamptz not null default now()
);
create unique index delivery_server_assignment_organization on delivery_server_assignment (organization_id)
  where sending_domain is null;
create unique index delivery_server_assignment_domain on delivery_server_assignment (organization_id, sending_domain)
  where sending_domain is not null;
create index delivery_server_assignment_server on delivery_server_assignment (server_id);

-- Messages handed to a server per UTC hour, shared by every node; a day's count is the sum of its hours. Writers
-- lock the server's row first, so two nodes cannot both take the last message of a window.
create table delivery_server_usage (
  server_id  bigint not null references delivery_server (id) on delete cascade,
  hour_start timestamptz not null,
  messages   integer not null,
  primary key (server_id, hour_start)
);
