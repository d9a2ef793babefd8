-- The last TOTP time step a user signed in with: a code is accepted once, never replayed in its 90 s window.
alter table app_user add column totp_last_step bigint;
