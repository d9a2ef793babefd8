-- tenancy: people, organizations, access, credentials, and the audit trail.

create table app_user (
  id                  bigserial primary key,
  email               text not null,
  display_name        text not null,
  password_hash       text not null,
  operator            boolean not null default false,
  totp_secret         text,                 -- base32, set while enrolling; active only when totp_enabled
  totp_enabled        boolean not null default false,
  failed_logins       int not null default 0,
  locked_until        timestamptz,
  age_confirmed       int,                  -- the minimum age the person confirmed at sign-up
  created_at          timestamptz not null default now(),
  password_changed_at timestamptz not null default now()
);
create unique index app_user_email on app_user (lower(email));

create table totp_recovery_code (
  user_id    bigint not null references app_user (id) on delete cascade,
  code_hash  text not null,
  used_at    timestamptz,
  primary key (user_id, code_hash)
);

create table organization (
  id         bigserial primary key,
  slug       text not null unique,
  name       text not null,
  created_at timestamptz not null default now()
);

create table membership (
  organization_id bigint not null references organization (id) on delete cascade,
  user_id         bigint not null references app_user (id) on delete cascade,
  role            text not null check (role in ('owner', 'admin', 'member', 'viewer')),
  created_at      timestamptz not null default now(),
  primary key (organization_id, user_id)
);
create index membership_user on membership (user_id);

-- Custom user groups: extra permissions on top of a member's role.
create table user_group (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  name            text not null,
  permissions     text[] not null default '{}',   -- e.g. {lists:write,reports:read}
  created_at      timestamptz not null default now(),
  unique (organization_id, name)
);
create table user_group_member (
  group_id bigint not null references user_group (id) on delete cascade,
  user_id  bigint not null references app_user (id) on delete cascade,
  primary key (group_id, user_id)
);

create table invitation (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  email           text not null,
  role            text not null check (role in ('owner', 'admin', 'member', 'viewer')),
  token_hash      text not null unique,
  invited_by      bigint references app_user (id) on delete set null,
  created_at      timestamptz not null default now(),
  expires_at      timestamptz not null,
  accepted_at     timestamptz,
  revoked_at      timestamptz
);

-- Single-use tokens mailed or printed to a person: password resets and the first-start setup link.
create table one_time_token (
  token_hash text primary key,
  purpose    text not null check (purpose in ('setup', 'password_reset')),
  user_id    bigint references app_user (id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  used_at    timestamptz
);

create table login_event (
  id         bigserial primary key,
  user_id    bigint references app_user (id) on delete cascade,
  email      text not null,
  ip         text not null,
  user_agent text,
  success    boolean not null,
  reason     text,
  at         timestamptz not null default now()
);
create index login_event_user on login_event (user_id, at desc);
create index login_event_ip_failures on login_event (ip, at) where not success;

create table api_key (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  name            text not null,
  prefix          text not null unique,          -- shown in lists so people can tell keys apart
  secret_hash     text not null,
  scopes          text[] not null,
  ip_allowlist    text[] not null default '{}',  -- CIDR blocks; empty means any address
  created_by      bigint references app_user (id) on delete set null,
  created_at      timestamptz not null default now(),
  last_used_at    timestamptz,
  revoked_at      timestamptz
);
create index api_key_org on api_key (organization_id);

-- Terms of service / privacy policy versions the operator publishes, and who accepted which.
create table policy_version (
  version      text primary key,
  summary      text not null,
  url          text,
  published_at timestamptz not null default now()
);
create table policy_acceptance (
  user_id     bigint not null references app_user (id) on delete cascade,
  version     text not null references policy_version (version),
  accepted_at timestamptz not null default now(),
  ip          text not null,
  primary key (user_id, version)
);

-- Who did what to which object, when, from where. organization_id null = operator-level action.
create table audit_event (
  id              bigserial primary key,
  organization_id bigint references organization (id) on delete cascade,
  actor_user_id   bigint references app_user (id) on delete set null,
  actor           text not null,            -- e-mail or "api-key:<prefix>" or "system", kept if the user goes
  action          text not null,            -- e.g. member.invited, api_key.created
  object_type     text,
  object_id       text,
  detail          text,
  ip              text,
  at              timestamptz not null default now()
);
create index audit_event_org_at on audit_event (organization_id, at desc);
create index audit_event_operator_at on audit_event (at desc) where organization_id is null;

insert into policy_version (version, summary) values ('2026-01', 'Initial terms of service and privacy policy.');
