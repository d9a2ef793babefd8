-- audiences: lists, subscribers, custom fields, subscriptions, consent, segments, imports.

create table mailing_list (
  id                 bigserial primary key,
  organization_id    bigint not null references organization (id) on delete cascade,
  name               text not null,
  description        text not null default '',
  visibility         text not null default 'private' check (visibility in ('public', 'private')),
  optin              text not null default 'double' check (optin in ('single', 'double')),
  default_from_name  text,
  default_from_email text,
  tags               text[] not null default '{}',
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now(),
  unique (organization_id, name)
);

-- Typed custom fields defined per organization; values live in subscriber.attributes under "key".
create table custom_field (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  key             text not null check (key ~ '^[a-z][a-z0-9_]{0,39}$'),
  label           text not null,
  type            text not null check (type in ('text', 'number', 'date', 'boolean', 'choice')),
  choices         text[] not null default '{}',
  created_at      timestamptz not null default now(),
  unique (organization_id, key)
);

-- One record per address per organization. email keeps the normalized form as given (local part
-- case preserved, domain lower-cased and in Unicode); email_key is what makes two addresses the same.
create table subscriber (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  email           text not null,
  email_key       text not null,
  smtputf8        boolean not null default false,
  name            text not null default '',
  attributes      jsonb not null default '{}',
  tags            text[] not null default '{}',
  source          text not null default 'panel',
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (organization_id, email_key)
);
create index subscriber_org_created on subscriber (organization_id, created_at);
create index subscriber_attributes on subscriber using gin (attributes jsonb_path_ops);
create index subscriber_tags on subscriber using gin (tags);

create table subscription (
  list_id         bigint not null references mailing_list (id) on delete cascade,
  subscriber_id   bigint not null references subscriber (id) on delete cascade,
  status          text not null check (status in ('unconfirmed', 'subscribed', 'unsubscribed', 'bounced', 'complained')),
  source          text not null default 'panel',
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  confirmed_at    timestamptz,
  unsubscribed_at timestamptz,
  primary key (list_id, subscriber_id)
);
create index subscription_subscriber on subscription (subscriber_id);
create index subscription_list_status on subscription (list_id, status);

-- The exact wording a person agreed to, stored once per organization and text.
create table consent_text (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  sha256          text not null,
  body            text not null,
  created_at      timestamptz not null default now(),
  unique (organization_id, sha256)
);

-- Every subscription's consent: what was shown, when, from where, through what, confirmed or withdrawn when.
create table consent_record (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  subscriber_id   bigint not null references subscriber (id) on delete cascade,
  list_id         bigint references mailing_list (id) on delete set null,
  consent_text_id bigint references consent_text (id),
  channel         text not null check (channel in ('form', 'import', 'api', 'panel')),
  channel_ref     text,            -- form id, import job id, API key prefix, or the member's e-mail
  basis           text,            -- for imports: how the importer says consent was obtained
  ip              text,
  user_agent      text,
  given_at        timestamptz not null default now(),
  confirmed_at    timestamptz,
  withdrawn_at    timestamptz
);
create index consent_record_subscriber on consent_record (subscriber_id, given_at desc);

create table segment (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  name            text not null,
  conditions      jsonb not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (organization_id, name)
);

-- Import jobs: claimed by worker nodes with a lease, so a restart or a dead node does not lose them.
create table import_job (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  list_id         bigint references mailing_list (id) on delete set null,
  file_name       text not null,
  format          text not null check (format in ('csv', 'xlsx', 'json')),
  content         bytea,           -- the uploaded file, dropped when the job finishes
  mapping         json not null default '{}',   -- json, not jsonb: keeps the file's column order
  import_as       text not null default 'subscribed' check (import_as in ('subscribed', 'unsubscribed', 'unconfirmed')),
  consent_basis   text not null,
  overwrite       boolean not null default false,
  tags            text[] not null default '{}',
  status          text not null default 'queued' check (status in ('draft', 'queued', 'running', 'finished', 'failed')),
  total_rows      bigint,
  processed_rows  bigint not null default 0,
  inserted        bigint not null default 0,
  updated         bigint not null default 0,
  skipped         bigint not null default 0,
  failure         text,
  created_by      bigint references app_user (id) on delete set null,
  created_at      timestamptz not null default now(),
  started_at      timestamptz,
  finished_at     timestamptz,
  lease_until     timestamptz
);
create index import_job_claim on import_job (status, lease_until) where status in ('queued', 'running');

create table import_error (
  job_id  bigint not null references import_job (id) on delete cascade,
  line    bigint not null,
  reason  text not null,
  value   text
);
create index import_error_job on import_error (job_id, line);
