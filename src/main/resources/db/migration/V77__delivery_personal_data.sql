-- module: delivery
-- The personal-data map's needs of delivery (issue 13, delivery.DeliveryPersonalData): erasure, access and retention.
--
-- The sandbox mailbox's captures say which organization's mail they are (null: the installation's own mail, as system
-- mail has no organization), so an access request shows an organization only its own captures. Rows captured before
-- this have none (they are treated as the installation's) and leave with the retention of message headers.
alter table sandbox_message add column organization_id bigint references organization (id) on delete cascade;
create index sandbox_message_organization on sandbox_message (organization_id, id);
-- The retention of message headers deletes captures past their age, oldest first.
create index sandbox_message_created on sandbox_message (created_at);

-- A stored message (the send API's, system mail) one of whose recipients was erased while others were still waiting:
-- its content (To/Cc headers naming the person) is kept only until they reached a final state, then emptied by the
-- sweep of finished forwards (delivery.FinishedAddresses). Only a handful at any time.
alter table outbound_message add column erase_content boolean not null default false;
create index outbound_message_erase_content on outbound_message (id) where erase_content;

-- Retention (each row leaves its index when purged, so each holds only the rows of the retention period):
-- stored messages whose content is still kept (message headers, 35 days by default) ...
create index outbound_message_stored_content on outbound_message (created_at) where octet_length(content) > 0;
-- ... and remote replies still kept (delivery log details, 30 days by default), per attempt and per recipient.
create index outbound_attempt_reply_kept on outbound_attempt (attempted_at) where reply_text <> '';
create index outbound_recipient_reply_kept on outbound_recipient (finished_at) where last_reply <> '';
