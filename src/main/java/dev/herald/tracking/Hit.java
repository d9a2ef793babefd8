package dev.herald.tracking;

import java.time.Instant;

/**
 * An open or click as the endpoint saw it, waiting in the buffer. The endpoint has checked the token and found the
 * message's organization (and for a click, the URL it redirected to).
 *
 * @param doNotTrack the reader's browser sent {@code DNT: 1} or {@code Sec-GPC: 1}
 */
record Hit(EventKind kind, long organizationId, long messageId, long recipientId, int link, String url, Instant at, String ip,
    String userAgent, boolean doNotTrack) {}
