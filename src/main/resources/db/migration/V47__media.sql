-- module: content
-- The media library: images an organization uploads for its campaigns, stored in PostgreSQL itself (one bytea per
-- image) so that every node serves them and a database backup holds them; no shared file system is needed. An
-- image is served on the public origin at /m/<public_key>.<extension>: public_key is 128 random bits (hex), never
-- the id, so nobody can walk an organization's images. The same content (sha256) is kept once per organization.
create table media (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  public_key      text not null unique check (public_key ~ '^[0-9a-f]{32}$'),
  name            text not null,
  content_type    text not null check (content_type in ('image/png', 'image/jpeg', 'image/gif', 'image/webp')),
  size_bytes      integer not null check (size_bytes > 0),
  width           integer not null check (width > 0),
  height          integer not null check (height > 0),
  sha256          bytea not null check (length(sha256) = 32),
  content         bytea not null,
  created_at      timestamptz not null default now(),
  unique (organization_id, sha256)
);

-- Images are compressed already: stored out of line without another (useless) compression attempt.
alter table media alter column content set storage external;

-- Newest first inside one organization.
create index media_listing on media (organization_id, created_at desc, id desc);
