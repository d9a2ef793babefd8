-- module: reports
-- Reports at size (issue 12, bench/reports.sh): a campaign of 1,000,000 recipients and 1,658,334 opens and
-- clicks took 24-56 s to report live, every figure a pass over the campaign's rows in the queue, tracking and feedback.
-- A campaign of more than herald.reports.live-up-to recipients is therefore read from a snapshot of its whole report
-- (figures, as the API gives them), computed by a worker node in one read-only repeatable-read transaction, so every
-- figure is of the same moment, as_of. A read of a snapshot older than herald.reports.snapshot-age queues its refresh
-- and is answered with the snapshot it has (its time shown); the first read of a campaign is answered "being
-- prepared". The row is also the refresh's job (platform.Leases' standard columns). No foreign key to the campaign
-- (campaigns' table): a snapshot of a deleted campaign is never read again, and the worker deletes snapshots nobody
-- read for 30 days.
create table campaign_report_snapshot (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  campaign_id     bigint not null unique,
  status          text not null default 'queued' check (status = any (array['queued', 'running', 'finished', 'failed'])),
  failure         text,
  lease_owner     text,
  lease_attempt   bigint not null default 0,
  lease_until     timestamptz,
  figures         jsonb,
  as_of           timestamptz,
  took_ms         bigint,
  read_at         timestamptz not null default now()
);
-- what a worker claims: the queued refreshes and the running ones whose lease ran out
create index campaign_report_snapshot_due on campaign_report_snapshot (id) where status in ('queued', 'running');
