-- module: delivery
-- One row per delivery attempt of one recipient: what the queue's worker tried and what the remote server said.
-- GET /api/v1/orgs/{org}/messages/{id} lists them per recipient; the organization's message pages read them too.
-- Written by the worker per batch, in the same statement as the recipients' new states and fenced like them (a
-- node that lost its lease writes no attempt). organization_id is null for Herald's own system mail.
--
-- server_host/server_ip name the server that took the session (null when none did, or the route was the sandbox or
-- unroutable); source_ip is the address the connection left from (null: the system's choice). reply_code,
-- enhanced_code and reply_text are the remote reply that decided (null code: no reply, e.g. a timeout; the text
-- then says what happened). outcome is what the attempt made of the recipient.
create table outbound_attempt (
  id              bigserial primary key,
  recipient_id    bigint not null references outbound_recipient (id) on delete cascade,
  message_id      bigint not null references outbound_message (id) on delete cascade,
  organization_id bigint references organization (id) on delete cascade,
  attempted_at    timestamptz not null,
  server_host     text,
  server_ip       text,
  source_ip       text,
  reply_code      integer,
  enhanced_code   text,
  reply_text      text not null default '',
  outcome         text not null check (outcome = any (array['delivered', 'deferred', 'bounced', 'expired'])),
  duration_ms     integer not null default 0
);
create index outbound_attempt_recipient on outbound_attempt (recipient_id, id);
create index outbound_attempt_message on outbound_attempt (message_id, id);
create index outbound_attempt_org_time on outbound_attempt (organization_id, attempted_at desc, id desc);
