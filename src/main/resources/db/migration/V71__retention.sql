-- module: privacy
-- The retention engine (issue 13; dev.herald.privacy.RetentionEngine): the operator's schedule per retention category
-- of the personal-data map (a category without a row keeps RetentionCategory's default), an organization's shorter
-- schedules for itself, and every run with what it purged per category and capability. A period is an ISO-8601
-- period of years, months and days (P30D, P1Y).

create table retention_schedule (
  category   text primary key,
  period     text not null,
  changed_at timestamptz not null,
  constraint retention_schedule_category check (category in ('delivery log details', 'message headers',
    'raw bounce and complaint messages', 'tracking IP addresses', 'audit log', 'sign-in history', 'hosted-page request logs',
    'closed accounts', 'account lifetime')),
  -- an account's data lives until the person is erased or the account closes: it has no schedule
  constraint retention_schedule_scheduled check (category <> 'account lifetime'),
  constraint retention_schedule_period check (period ~ '^P([0-9]+Y)?([0-9]+M)?([0-9]+D)?$' and period <> 'P')
);

create table retention_override (
  organization_id bigint not null references organization (id) on delete cascade,
  category        text not null,
  period          text not null,
  changed_at      timestamptz not null,
  primary key (organization_id, category),
  constraint retention_override_category check (category in ('delivery log details', 'message headers',
    'raw bounce and complaint messages', 'tracking IP addresses', 'audit log', 'sign-in history', 'hosted-page request logs',
    'closed accounts')),
  constraint retention_override_period check (period ~ '^P([0-9]+Y)?([0-9]+M)?([0-9]+D)?$' and period <> 'P')
);

-- A run is a job with the standard lease columns (platform.Leases): one node runs it at a time.
create table retention_run (
  id            bigint generated always as identity primary key,
  status        text not null default 'queued',
  failure       text,
  lease_owner   text,
  lease_attempt bigint not null default 0,
  lease_until   timestamptz,
  queued_at     timestamptz not null,
  started_at    timestamptz,
  finished_at   timestamptz,
  constraint retention_run_status check (status in ('queued', 'running', 'finished', 'failed'))
);
-- At most one run waits or runs: nodes that find a run due at the same moment queue one between them.
create unique index retention_run_one_open on retention_run ((true)) where status in ('queued', 'running');
create index retention_run_by_queued on retention_run (queued_at);

create table retention_run_count (
  run_id     bigint not null references retention_run (id) on delete cascade,
  category   text not null,
  capability text not null,
  purged     bigint not null,
  primary key (run_id, category, capability)
);
