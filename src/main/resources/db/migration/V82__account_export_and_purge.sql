-- module: privacy
-- An owner's export of all of an organization's data (account portability): a job claimed with platform's leases,
-- whose ZIP is kept in chunks of about 1 MB (any node serves the download, none holds the file in memory) until
-- expires_at, when the worker deletes it.
create table organization_export (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  requested_by    bigint references app_user (id) on delete set null,
  status          text not null default 'queued' check (status in ('queued', 'running', 'finished', 'failed')),
  failure         text,
  lease_owner     text,
  lease_attempt   bigint not null default 0,
  lease_until     timestamptz,
  parts_total     integer not null default 0,
  parts_done      integer not null default 0,
  current_part    text not null default '',
  rows_written    bigint not null default 0,
  size_bytes      bigint not null default 0,
  created_at      timestamptz not null default now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  expires_at      timestamptz
);
create index organization_export_claim on organization_export (status, lease_until) where status in ('queued', 'running');
create index organization_export_org on organization_export (organization_id, created_at desc);

create table organization_export_chunk (
  export_id bigint not null references organization_export (id) on delete cascade,
  seq       integer not null,
  bytes     bytea not null,
  primary key (export_id, seq)
);

-- The purge of an organization its owner closed, once the grace period ended: a job claimed with platform's leases,
-- and afterwards the purge certificate. Deliberately no foreign key to organization: the row outlives it, and holds
-- what is kept for accounting (the organization's id, name and slug, when it was closed and purged) and the
-- certificate (rows deleted per table, counts only: no personal data).
create table organization_purge (
  id                bigserial primary key,
  organization_id   bigint not null unique,
  organization_name text not null,
  organization_slug text not null,
  closed_at         timestamptz not null,
  purge_after       timestamptz not null,
  status            text not null default 'queued' check (status in ('queued', 'running', 'finished', 'failed')),
  failure           text,
  lease_owner       text,
  lease_attempt     bigint not null default 0,
  lease_until       timestamptz,
  created_at        timestamptz not null default now(),
  purged_at         timestamptz,
  certificate       jsonb
);
create index organization_purge_claim on organization_purge (status, lease_until) where status in ('queued', 'running');
