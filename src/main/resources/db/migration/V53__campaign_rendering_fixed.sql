-- module: campaigns
-- What a campaign's mail renders from beyond its own columns, fixed once when it is first handed off, so every render of
-- a recipient (a retry, another node, a restart) gives the same bytes and the stored link table keeps matching: the host
-- its tracked links and pixel point at (null: untracked), and the sources of the snippets it includes, by name (an edit
-- of a snippet, like one of the campaign template, never changes a campaign being sent).
alter table campaign
  add column rendering_fixed_at timestamptz,
  add column tracking_host      text,
  add column snippet_names      text[] not null default '{}',
  add column snippet_sources    text[] not null default '{}',
  add constraint campaign_snippets_paired check (cardinality(snippet_names) = cardinality(snippet_sources));
