-- The operator may suspend an organization (unpaid, abuse, compliance review): its members and API keys are
-- refused and its hosted pages are gone until it is resumed; nothing of its data is touched.
alter table organization add column suspended_at timestamptz, add column suspended_reason text not null default '';
