-- module: tracking
-- Erasure and access find a person's opens and clicks by their subscriber ids (TrackingPersonalData.MINE). Without an
-- index that is a scan of every event of the organization, millions for a large sender, inside the erasure's one
-- transaction. Partial: an anonymous event (the default privacy setting, and every reader with Do Not Track) has no
-- subscriber and is never looked up this way, so the hot writer (TrackingWriter, COPY in batches) pays for this index
-- only on identified events. The queue-recipient half of the lookup uses tracking_event_message (message_id,
-- recipient_id) already: the query names the messages as well as the recipients.
create index tracking_event_subscriber on tracking_event (subscriber_id) where subscriber_id is not null;
