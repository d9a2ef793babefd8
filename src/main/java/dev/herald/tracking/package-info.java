/**
 * Tracking: the open pixel ({@code /t/o/<token>}) and the click redirect ({@code /t/c/<token>}) on the public origin
 * and on organizations' own tracking hosts, the opens and clicks they record, machine opens and clicks kept apart from
 * people's, and the organizations' privacy settings.
 *
 * <p>The endpoints check the token's HMAC ({@link dev.herald.messages.LinkTracking}) and redirect only to the URL stored
 * with the message (DESIGN.md security rule 3); they put each event in a bounded in-memory buffer and answer at once. A
 * writer stores the buffer in batches (one transaction each: the events, the subscribers' engagement through
 * {@link dev.herald.audiences.Engagement}, and the {@link dev.herald.tracking.TrackingEvents} published), and drains it
 * when the node stops gracefully. When the database is slow the buffer fills and the endpoints answer 503 rather than
 * holding memory without bound.
 */
@org.springframework.modulith.ApplicationModule(displayName = "Tracking")
package dev.herald.tracking;
