-- module: platform
-- A new installation starts with sign-up closed: the operator invites people, or opens sign-up on the
-- operator's page. Sign-up used to be open while nothing was stored, so an installation that already has
-- people keeps it open; a choice its operator stored is never changed.
insert into platform_setting (name, value)
select 'signup_enabled', 'true' where exists (select 1 from app_user)
on conflict (name) do nothing;
