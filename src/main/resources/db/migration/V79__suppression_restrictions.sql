-- module: suppression
-- Restrictions of processing (GDPR art. 18) and objections to direct marketing (art. 21) of one person in one
-- organization. Not suppression entries: the person's data is kept and they stay on their lists, but a restriction
-- keeps every mail from them (campaigns, the send API, system mail about lists) and leaves them out of segments and
-- exports, and an objection keeps marketing mail (campaigns) from them, until it is lifted. A person may have both.
-- address_key is the subscriber key (lower-cased, NFC, Unicode domain) that every sender compares.
create table suppression_restriction (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  address         text not null,
  address_key     text not null,
  kind            text not null check (kind in ('restriction', 'objection')),
  reason          text not null default '',
  created_at      timestamptz not null default now(),
  unique (organization_id, address_key, kind)
);
