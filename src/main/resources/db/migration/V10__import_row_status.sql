-- A row's own status when the file says it (Mailchimp's unsubscribed and cleaned exports: UNSUB_TIME,
-- CLEAN_TIME), overriding the job's "import as"; status_time is when that happened.
alter table import_row add column row_status text, add column status_time timestamptz;

-- The hosted form's per-address rate limit counts recent form sign-ups from one IP; without this index
-- that count scans every consent record (an import writes one per row).
create index consent_record_form_ip on consent_record (ip, given_at) where channel = 'form';
