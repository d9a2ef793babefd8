-- module: delivery
-- The organization's final answers by time: sender protection's volume (delivery.SentRecipients.finishedSince) and the
-- organization report's sent, delivered and bounced per day (delivery.OrganizationDeliveryFigures) count the
-- recipients that ended delivered or bounced in a time range. Without this index both scanned every recipient the
-- organization ever had (outbound_recipient_org_address leads with the organization but not the time). Partial: a row
-- enters it once, when it ends delivered or bounced; the queue's earlier writes of it (queued, sending, deferred)
-- never touch it.
create index outbound_recipient_org_finished on outbound_recipient (organization_id, finished_at)
  where state in ('delivered', 'bounced');
