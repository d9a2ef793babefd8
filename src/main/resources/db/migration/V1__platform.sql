-- platform: settings the operator changes at run time, the sandbox mailbox, HTTP sessions, the event outbox.

-- Operator-editable settings (sign-up switch, minimum age, ...). Typed in code; text here.
create table platform_setting (
  name        text primary key,
  value       text not null,
  updated_at  timestamptz not null default now()
);

-- Outbound system mail captured while delivery runs in sandbox mode (invitations, resets, ...).
create table sandbox_message (
  id          bigserial primary key,
  recipient   text not null,
  subject     text not null,
  body_text   text not null,
  purpose     text not null,
  created_at  timestamptz not null default now()
);
create index sandbox_message_recipient on sandbox_message (lower(recipient), created_at desc);

-- Spring Session JDBC (schema-postgresql.sql of spring-session-jdbc 4.1): sessions live in PostgreSQL so
-- any node can serve any user and a password change can revoke a user's other sessions everywhere.
create table spring_session (
  primary_id            char(36) not null,
  session_id            char(36) not null,
  creation_time         bigint not null,
  last_access_time      bigint not null,
  max_inactive_interval int not null,
  expiry_time           bigint not null,
  principal_name        varchar(100),
  constraint spring_session_pk primary key (primary_id)
);
create unique index spring_session_ix1 on spring_session (session_id);
create index spring_session_ix2 on spring_session (expiry_time);
create index spring_session_ix3 on spring_session (principal_name);
create table spring_session_attributes (
  session_primary_id char(36) not null,
  attribute_name     varchar(200) not null,
  attribute_bytes    bytea not null,
  constraint spring_session_attributes_pk primary key (session_primary_id, attribute_name),
  constraint spring_session_attributes_fk foreign key (session_primary_id)
    references spring_session (primary_id) on delete cascade
);

-- Spring Modulith's event publication registry (events-jdbc 2.1, schema v2): the transactional outbox.
create table event_publication (
  id                     uuid not null primary key,
  listener_id            text not null,
  event_type             text not null,
  serialized_event       text not null,
  publication_date       timestamptz not null,
  completion_date        timestamptz,
  status                 text,
  completion_attempts    int,
  last_resubmission_date timestamptz
);
create index event_publication_serialized_event_hash_idx on event_publication using hash (serialized_event);
create index event_publication_by_completion_date_idx on event_publication (completion_date);
create table event_publication_archive (
  id                     uuid not null primary key,
  listener_id            text not null,
  event_type             text not null,
  serialized_event       text not null,
  publication_date       timestamptz not null,
  completion_date        timestamptz,
  status                 text,
  completion_attempts    int,
  last_resubmission_date timestamptz
);
create index event_publication_archive_serialized_event_hash_idx on event_publication_archive using hash (serialized_event);
create index event_publication_archive_by_completion_date_idx on event_publication_archive (completion_date);
