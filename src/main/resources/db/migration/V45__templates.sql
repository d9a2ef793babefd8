-- module: content
-- Templates an organization writes: campaign templates (a layout that wraps a campaign's body where it writes
-- {{ content }}) and snippets (parts that other templates include by name: {% include 'footer' %}), each in one
-- format (richtext, html, markdown, text), optionally in a category. Names are unique per organization and kind:
-- a snippet's name is how templates find it.
create table template_category (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  name            text not null check (length(name) between 1 and 100),
  created_at      timestamptz not null default now(),
  unique (organization_id, name),
  -- the target of template's composite key, which keeps a template's category in its own organization
  unique (organization_id, id)
);

create table template (
  id              bigserial primary key,
  organization_id bigint not null references organization (id) on delete cascade,
  kind            text not null check (kind in ('campaign', 'snippet')),
  name            text not null check (length(name) between 1 and 100),
  category_id     bigint,
  format          text not null check (format in ('richtext', 'html', 'markdown', 'text')),
  source          text not null,
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  unique (organization_id, kind, name),
  -- deleting a category leaves its templates without one (only category_id is set to null)
  foreign key (organization_id, category_id) references template_category (organization_id, id) on delete set null (category_id)
);

create index template_category_idx on template (category_id) where category_id is not null;
