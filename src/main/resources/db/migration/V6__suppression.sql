-- Suppression: addresses and whole domains that are never mailed and never (re-)added by an import,
-- per organization, or for the whole installation (organization_id null, managed by the operator).
--
-- An address entry always carries address_hash = sha256(address key, UTF-8). For an erased person the
-- hash is all that is kept (address is null): enough to recognise the address if it comes back in an
-- import, not enough to read it. The key is the subscriber's email_key (lower-cased, NFC, Unicode
-- domain), so both sides hash the same text.
create table suppression (
  id              bigserial primary key,
  organization_id bigint references organization (id) on delete cascade,
  address         text,
  address_hash    bytea,
  domain          text,
  reason          text not null check (reason in ('manual', 'hard_bounce', 'complaint', 'unsubscribe', 'erased')),
  note            text not null default '',
  source          text not null,
  created_at      timestamptz not null default now(),
  expires_at      timestamptz,
  check ((domain is null) <> (address_hash is null)),
  check (address is null or address_hash is not null),
  check (reason <> 'erased' or address is null)
);

-- One entry per address or domain per organization (0 stands for the installation-wide list).
create unique index suppression_address_uq on suppression (coalesce(organization_id, 0), address_hash)
  where address_hash is not null;
create unique index suppression_domain_uq on suppression (coalesce(organization_id, 0), domain)
  where domain is not null;
-- Newest first listing and address prefix search inside one organization.
create index suppression_listing on suppression (organization_id, created_at desc, id desc);
create index suppression_address_prefix on suppression (organization_id, address text_pattern_ops)
  where address is not null;
