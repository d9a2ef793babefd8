-- module: audiences
-- Existing people an import only added to its list or whose status there it changed (their subscriber row stayed
-- as it was): counted apart from new and updated subscribers, so "unchanged" means neither changed.
alter table import_job add column subscription_changed bigint not null default 0;
alter table import_step add column subscription_changed bigint not null default 0;
