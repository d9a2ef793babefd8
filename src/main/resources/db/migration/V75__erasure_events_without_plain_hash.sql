-- module: platform
-- An erasure's event used to carry the plain SHA-256 of the erased address (addressHash); it now carries only the
-- keyed hash of the suppression entry (erasureHash). The event publication registry keeps an event's JSON until every
-- listener ran (and its archive after that), so the plain digests stored before are removed here: anyone holding a
-- list of addresses could recognise the erased person by one. The listeners of the event read only the ids.
update event_publication
   set serialized_event = (cast(serialized_event as jsonb) - 'addressHash')::text
 where event_type like '%AudienceEvents$SubscriberErased' and serialized_event like '%"addressHash"%';
update event_publication_archive
   set serialized_event = (cast(serialized_event as jsonb) - 'addressHash')::text
 where event_type like '%AudienceEvents$SubscriberErased' and serialized_event like '%"addressHash"%';
