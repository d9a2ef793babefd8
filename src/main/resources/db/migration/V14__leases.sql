-- module: audiences
-- Import jobs carry the standard lease columns of platform's Leases: who holds the job and the fencing
-- token every claim increments, so a node whose lease was taken over can no longer write to the job.
alter table import_job add column lease_owner text, add column lease_attempt bigint not null default 0;
