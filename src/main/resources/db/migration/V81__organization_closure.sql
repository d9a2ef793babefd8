-- module: tenancy
-- An organization its owner closed (privacy's account closure): from closed_at its sending, API keys and hosted pages
-- stop, as for a suspension, and its members see only the closure page; until purge_after the owner can reopen it,
-- after that privacy's purge job deletes it. Both null while the organization is open.
alter table organization add column closed_at timestamptz;
alter table organization add column purge_after timestamptz;
alter table organization add constraint organization_closure_check check ((closed_at is null) = (purge_after is null));
create index organization_purge_due on organization (purge_after) where closed_at is not null;
