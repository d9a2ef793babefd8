-- module: domains
-- The installation's own sending domains (organization_id null): the domain of the system sender, the address
-- Herald's own mail (invitations, password resets, confirmations) comes from once real delivery is on. The operator
-- adds and verifies it from the operator area like an organization's domain; its name is unique among the
-- installation's domains (the organizations' unique (organization_id, name) does not hold for null).
alter table sending_domain alter column organization_id drop not null;
create unique index sending_domain_installation_uq on sending_domain (name) where organization_id is null;

-- module: delivery
-- The delivery setting the operator changes at run time (one row): where outbound mail goes ('sandbox', the default of
-- a new installation: captured in the sandbox mailbox; 'mx': real delivery to the recipients' MX hosts; a smarthost
-- mode comes with delivery servers) and the system sender address. herald.delivery.route=static overrides the mode
-- for tests and benchmarks.
create table delivery_setting (
  id            boolean primary key default true check (id),
  -- written as = any (array[...]) so that TextEnumsTest reads it like outbound_message.source
  mode          text not null default 'sandbox' check (mode = any (array['sandbox', 'mx'])),
  system_sender text not null default '',
  updated_at    timestamptz not null default now()
);
insert into delivery_setting default values;

-- System mail joins the queue with source 'system': it belongs to no organization (only system messages have none),
-- and its built bytes are stored once like the send API's.
alter table outbound_message drop constraint outbound_message_source_check;
alter table outbound_message add constraint outbound_message_source_check check (source = any (array['api', 'system']));
alter table outbound_message drop constraint outbound_message_check;
alter table outbound_message add constraint outbound_message_content_check check (source not in ('api', 'system') or content is not null);
alter table outbound_message alter column organization_id drop not null;
alter table outbound_message add constraint outbound_message_organization_check check ((organization_id is null) = (source = 'system'));
-- A recipient has its message's organization, so none for system mail; the two insert paths copy it from the message
-- (a check cannot see the other table).
alter table outbound_recipient alter column organization_id drop not null;
