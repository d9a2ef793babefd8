-- module: domains
-- Sending domains of an organization, their DKIM keys and the last check of each DNS record.
--
-- name is the ASCII (A-label) form Herald looks up and signs with (d=), unicode_name what people see. A domain is
-- verified when an active DKIM key's record and the return path (MX and SPF of bounces.<name>) checked ok; only one
-- organization can hold a name verified (sending_domain_verified_uq), so two organizations never send as one domain.
create table sending_domain (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  name            text not null,
  unicode_name    text not null,
  verified        boolean not null default false,
  verified_at     timestamptz,
  checked_at      timestamptz,
  next_check_at   timestamptz not null default now(),
  created_at      timestamptz not null default now(),
  unique (organization_id, name)
);
create unique index sending_domain_verified_uq on sending_domain (name) where verified;
create index sending_domain_due on sending_domain (next_check_at);

-- A DKIM key: its selector, algorithm and public key (the p= value); the private key is in secret
-- 'domains:dkim:<id>', encrypted (PKCS#8 inside).
create table dkim_key (
  id           bigserial primary key,
  domain_id    bigint not null references sending_domain (id) on delete cascade,
  selector     text not null,
  algorithm    text not null check (algorithm in ('rsa', 'ed25519')),
  public_key   text not null,
  status       text not null check (status in ('pending', 'active', 'retired')),
  created_at   timestamptz not null default now(),
  activated_at timestamptz,
  retired_at   timestamptz,
  unique (domain_id, selector)
);

-- The last check of each record a domain is asked to publish: record is 'dkim:<selector>', 'spf', 'return_path_mx',
-- 'return_path_spf', 'dmarc' or 'tracking'; found is what DNS answered when it differs, detail says what is wrong
-- or, for DMARC, the policy and alignment found.
create table domain_record_check (
  domain_id  bigint not null references sending_domain (id) on delete cascade,
  record     text not null,
  state      text not null check (state in ('missing', 'wrong', 'ok')),
  found      text not null default '',
  detail     text not null default '',
  checked_at timestamptz not null,
  primary key (domain_id, record)
);
