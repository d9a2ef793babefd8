-- module: tenancy
-- Mails a stranger can make Herald send (password resets, sign-up mails, invitations), counted per key in a sliding
-- window: one row per mail or request, under each key it counts against ("ip:203.0.113.9", "user:12",
-- "org:3", "email:ann@example.com"). Rows older than the window are deleted as new ones come.
create table mail_limit_event (
  kind text not null check (kind in ('password_reset', 'invitation', 'signup')),
  key  text not null,
  at   timestamptz not null
);
create index mail_limit_event_key on mail_limit_event (kind, key, at);
create index mail_limit_event_at on mail_limit_event (kind, at);

-- A signed-up account works once its address is confirmed by a mailed link, so sign-up answers alike
-- whether or not the address has an account (that owner is mailed instead). Existing accounts, and those
-- made by setup or an invitation (which proves the address), are confirmed.
alter table app_user add column email_confirmed_at timestamptz default now();
alter table one_time_token drop constraint one_time_token_purpose_check,
  add constraint one_time_token_purpose_check check (purpose in ('setup', 'password_reset', 'signup'));

-- Sign-in counts the failures of an address without an account as it counts an account's, so that the
-- lockout message cannot tell which addresses have one.
create index login_event_unknown_address on login_event (lower(email), at) where user_id is null and not success;

-- The operator locks an account (abuse, a compromised account): it cannot sign in until unlocked, unlike the
-- short lockout after failed sign-ins (locked_until).
alter table app_user add column operator_locked_at timestamptz;
