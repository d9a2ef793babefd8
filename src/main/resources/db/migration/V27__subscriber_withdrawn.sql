-- module: audiences
-- When the person last withdrew in this organization, kept after the unsubscribed subscription that showed it is
-- changed or removed: a stranger could otherwise first sign them up on a double opt-in list (the unsubscribed row
-- becomes unconfirmed) and then on a single opt-in one, where nothing would show that they had left. Until they
-- confirm from their mailbox, their hosted-form sign-ups wait for that confirmation. Existing unsubscribed
-- subscriptions say it themselves, so nothing needs filling in.
alter table subscriber add column withdrawn_at timestamptz;
