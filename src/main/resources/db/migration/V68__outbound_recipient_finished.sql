-- module: delivery
-- Sender protection's volume (SentRecipients.finishedSince): an organization's recipients delivered or bounced since a
-- time, counted after each hard bounce or complaint. Without this the count read every row of the organization
-- (outbound_recipient_org_address) and checked each; with it, an index-only range scan of the window.
create index outbound_recipient_org_finished on outbound_recipient (organization_id, finished_at) where state in ('delivered', 'bounced');
