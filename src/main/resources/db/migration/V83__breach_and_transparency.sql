-- module: privacy
-- Breach notification (issue 13): an incident the operator recorded, the 72-hour clock for telling the supervisory
-- authority (detected_at + 72 hours; authority_notified_at once done), the organizations it touched and the categories
-- of personal data in it. One breach_notice per person notified (the members of the affected organizations when it was
-- recorded): when the mail went and when they acknowledged the banner.
create table breach_incident (
  id                    bigserial primary key,
  title                 text not null,
  description           text not null,
  detected_at           timestamptz not null,
  all_organizations     boolean not null,
  recorded_by           text not null,
  recorded_at           timestamptz not null,
  authority_notified_at timestamptz,
  authority_reference   text not null default ''
);
create index breach_incident_detected on breach_incident (detected_at desc);

create table breach_incident_category (
  incident_id bigint not null references breach_incident (id) on delete cascade,
  category    text not null check (category in ('contact', 'profile', 'consent evidence', 'message content', 'headers',
    'delivery log', 'tracking event', 'IP address', 'raw bounce', 'audit', 'sign-in history', 'credentials', 'request log')),
  primary key (incident_id, category)
);

-- campaign_id: the draft the organization made to tell its own subscribers (null until it does; kept when the draft goes).
create table breach_incident_organization (
  incident_id     bigint not null references breach_incident (id) on delete cascade,
  organization_id bigint not null references organization (id) on delete cascade,
  campaign_id     bigint,
  primary key (incident_id, organization_id)
);
create index breach_incident_organization_org on breach_incident_organization (organization_id);

-- organization_id: the affected organization the person was notified through (the banner's link goes there).
create table breach_notice (
  incident_id     bigint not null references breach_incident (id) on delete cascade,
  user_id         bigint not null references app_user (id) on delete cascade,
  organization_id bigint not null references organization (id) on delete cascade,
  email           text not null,
  notified_at     timestamptz not null,
  acknowledged_at timestamptz,
  primary key (incident_id, user_id)
);
create index breach_notice_unacknowledged on breach_notice (user_id) where acknowledged_at is null;
create index breach_notice_organization on breach_notice (organization_id);

-- Transparency: the installation's public privacy page. The sub-processors the operator lists, and the page's settings
-- (one row): where the data is stored and whom to contact.
create table privacy_subprocessor (
  id         bigserial primary key,
  name       text not null,
  purpose    text not null,
  location   text not null,
  url        text not null default '',
  created_at timestamptz not null default now()
);

create table privacy_setting (
  id         boolean primary key default true check (id),
  region     text not null default '',
  contact    text not null default '',
  updated_at timestamptz not null default now()
);

-- Staff access: an operator's request under an organization (its pages or its API), which the organization can see.
create table staff_access (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  user_id         bigint references app_user (id) on delete set null,
  email           text not null,
  method          text not null,
  path            text not null,
  accessed_at     timestamptz not null
);
create index staff_access_organization on staff_access (organization_id, accessed_at desc);
