-- module: feedback
-- Sender protection: an organization whose complaint or hard-bounce rate passed a threshold. A 'pause' row holds the
-- organization's sending (delivery's worker leaves its queued mail where it is) until the operator lifts it; a
-- 'warn' row is the operator's alert. One open row per organization and level; a lifted one keeps its history.
create table sender_alert (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  level           text not null check (level in ('warn', 'pause')),
  metric          text not null check (metric in ('complaints', 'hard_bounces')),
  rate            double precision not null,
  threshold       double precision not null,
  sent            bigint not null,
  counted         bigint not null,
  raised_at       timestamptz not null,
  lifted_at       timestamptz,
  lifted_by       text
);
create unique index sender_alert_open on sender_alert (organization_id, level) where lifted_at is null;
create index sender_alert_time on sender_alert (raised_at);
