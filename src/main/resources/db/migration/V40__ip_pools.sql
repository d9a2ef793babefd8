-- module: delivery
-- IP pools: the source addresses Herald's outbound connections bind, each with the name it greets with (EHLO),
-- which should be the address's reverse DNS name. One shared pool (the default of every organization) and dedicated
-- pools the operator assigns to organizations. A pool without addresses sends from the system's address with the
-- base URL's host as EHLO name, as before pools existed; so the shared pool starts empty.
create table ip_pool (
  id         bigserial primary key,
  name       text not null unique,
  shared     boolean not null default false,
  created_at timestamptz not null default now()
);
create unique index ip_pool_one_shared on ip_pool (shared) where shared;
insert into ip_pool (name, shared) values ('Shared', true);

-- An address belongs to one pool: two pools sharing one would share its reputation.
create table ip_pool_address (
  id         bigserial primary key,
  pool_id    bigint not null references ip_pool (id) on delete cascade,
  address    inet not null unique,
  ehlo_name  text not null,
  created_at timestamptz not null default now()
);
create index ip_pool_address_pool on ip_pool_address (pool_id);

-- An organization without a row here uses the shared pool. A pool still assigned cannot be deleted (no cascade).
create table organization_ip_pool (
  organization_id bigint primary key references organization (id) on delete cascade,
  pool_id         bigint not null references ip_pool (id)
);
create index organization_ip_pool_pool on organization_ip_pool (pool_id);
