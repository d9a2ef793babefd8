-- module: platform
-- Attempts on public pages that anyone may post to (forwarding a campaign to a friend, and any later page that needs
-- a per-network limit), so that every node counts the same attempts. Kept for the limit's window only.
create table public_attempt (
  scope        text not null,
  ip           text not null,
  attempted_at timestamptz not null default now()
);
create index public_attempt_recent on public_attempt (scope, ip, attempted_at);
create index public_attempt_age on public_attempt (attempted_at);
