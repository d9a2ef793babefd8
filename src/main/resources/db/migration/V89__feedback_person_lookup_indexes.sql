-- module: feedback
-- Erasure and access find a person's bounces, complaints and mailed unsubscribes (FeedbackPersonalData.MINE) by their
-- address, their subscriber ids, the queue's recipients (through feedback_event_message), or, for feedback that named
-- no address, the remote's words quoting it. Each branch gets an index so the planner combines them (BitmapOr) instead
-- of reading every event of the organization. Feedback rows are written one per bounce or complaint, far fewer than
-- tracking events, so three partial indexes cost little at insert.
create index feedback_event_address on feedback_event (organization_id, address_key) where address_key is not null;
create index feedback_event_subscriber on feedback_event (subscriber_id) where subscriber_id is not null;
create index feedback_event_unaddressed on feedback_event (organization_id) where address_key is null;
