-- module: audiences
-- A hosted form is addressed by a random id, not by the installation-wide list sequence, so nobody can walk
-- /p/subscribe/1, /2, ... through every public list of every organization. 24 random bytes (182 of them
-- random bits from two v4 UUIDs, made by the server's strong random source), base64url: 32 characters.
-- A volatile default is evaluated per row, so existing lists get an id of their own, and new lists too.
alter table mailing_list add column public_id text not null
  default translate(encode(uuid_send(gen_random_uuid()) || substr(uuid_send(gen_random_uuid()), 1, 8), 'base64'), '+/', '-_');
create unique index mailing_list_public_id_uq on mailing_list (public_id);

-- Every hosted-form sign-up attempt, whatever came of it, so the per-network limit counts refused and
-- quiet answers too (counting only stored consents let anyone probe without limit). Kept for the window only.
create table form_attempt (
  ip           text not null,
  attempted_at timestamptz not null default now()
);
create index form_attempt_recent on form_attempt (ip, attempted_at);
create index form_attempt_age on form_attempt (attempted_at);
