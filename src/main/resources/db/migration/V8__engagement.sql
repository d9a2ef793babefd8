-- When a subscriber last opened or clicked any message: what segments' engagement conditions read.
-- Written by the tracking capability through audiences' Engagement service. Partial indexes: most
-- subscribers of a fresh import have no engagement yet, and nulls then cost nothing to insert.
alter table subscriber add column last_opened_at timestamptz, add column last_clicked_at timestamptz;
create index subscriber_last_opened on subscriber (organization_id, last_opened_at) where last_opened_at is not null;
create index subscriber_last_clicked on subscriber (organization_id, last_clicked_at) where last_clicked_at is not null;
