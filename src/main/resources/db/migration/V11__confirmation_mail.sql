-- When each double opt-in mail went out, so one address gets at most a few per day however many forms,
-- networks or re-sends ask for one (otherwise the form is a way to flood someone's inbox).
create table confirmation_mail (
  subscriber_id bigint not null references subscriber (id) on delete cascade,
  list_id       bigint not null,
  sent_at       timestamptz not null default now()
);
create index confirmation_mail_recent on confirmation_mail (subscriber_id, sent_at);
