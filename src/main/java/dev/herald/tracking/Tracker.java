package dev.herald.tracking;

import dev.herald.delivery.TrackedMessages;
import dev.herald.messages.LinkTracking;
import dev.herald.platform.TrackingHosts;
import java.time.Clock;
import java.util.Optional;
import java.util.OptionalLong;
import org.springframework.stereotype.Service;

/**
 * What an open or click request gets, decided without HTTP types: the endpoint ({@link TrackingController}) maps the
 * outcome to a GIF, a redirect, a 404 page or a 503.
 *
 * <p>A click redirects only to the URL stored for the token's message and link number (DESIGN.md security rule 3):
 * nothing of the request but the token is read, and the token is checked before anything is looked up. A token that is
 * not intact (changed, cut short, another spelling), an open token on the click path or the reverse, a link number the
 * message does not have, a message that is gone or is Herald's own, and on an organization's own tracking host a
 * message of another organization: all are {@link Outcome.NotFound}.
 */
@Service
class Tracker {
  private final LinkTracking tokens;
  private final TrackingLookups lookups;
  private final TrackingHosts hosts;
  private final TrackingBuffer buffer;
  private final Clock clock;

  Tracker(LinkTracking tokens, TrackingLookups lookups, TrackingHosts hosts, TrackingBuffer buffer, Clock clock) {
    this.tokens = tokens;
    this.lookups = lookups;
    this.hosts = hosts;
    this.buffer = buffer;
    this.clock = clock;
  }

  /**
   * What the request says besides the token: its host (normalized by the caller), the reader's address and user agent,
   * whether it asks not to be tracked, and whether it is to be recorded (a HEAD is a link checker's look, never a read).
   */
  record Request(String host, String ip, String userAgent, boolean doNotTrack, boolean record) {}

  sealed interface Outcome {
    record Pixel() implements Outcome {}

    /** To the stored link: {@code location} is its Location header ({@link TrackingController#location}). */
    record Redirect(String location) implements Outcome {}

    record NotFound() implements Outcome {}

    /** The buffer is full: the database is behind. */
    record Busy() implements Outcome {}
  }

  Outcome open(String token, Request request) {
    return open(token, request, false);
  }

  Outcome click(String token, Request request) {
    return click(token, request, false);
  }

  /**
   * The answer to an open; with {@code memoryOnly}, null instead when it needs the database (a message not looked up
   * yet on this node): the tracking listener answers from its event loop what memory can answer, and the rest from a
   * virtual thread ({@link TrackingListener}).
   */
  Outcome open(String token, Request request, boolean memoryOnly) {
    Verified v = verified(token, true, request.host(), memoryOnly);
    if (v == NEEDS_DATABASE) return null;
    if (v == null) return new Outcome.NotFound();
    if (request.record() && v.message().trackOpens()) {
      Hit hit = new Hit(EventKind.OPEN, v.message().organizationId(), v.token().messageId(), v.token().recipientId(), 0, null, clock.instant(),
          request.ip(), request.userAgent(), request.doNotTrack());
      if (!buffer.offer(hit)) return new Outcome.Busy();
    }
    return new Outcome.Pixel();
  }

  /** The answer to a click; with {@code memoryOnly}, null when it needs the database (see {@link #open(String, Request, boolean)}). */
  Outcome click(String token, Request request, boolean memoryOnly) {
    Verified v = verified(token, false, request.host(), memoryOnly);
    if (v == NEEDS_DATABASE) return null;
    if (v == null) return new Outcome.NotFound();
    LinkTracking.Tracked t = v.token();
    TrackingLookups.Link link;
    if (memoryOnly) {
      link = lookups.cachedLink(t.messageId(), t.link());
      if (link == null) return null;
    } else {
      link = lookups.link(t.messageId(), t.link()).orElse(null);
    }
    if (link == null || !webUrl(link.url())) return new Outcome.NotFound();
    if (request.record() && v.message().trackClicks()) {
      Hit hit = new Hit(EventKind.CLICK, v.message().organizationId(), t.messageId(), t.recipientId(), t.link(), link.url(), clock.instant(),
          request.ip(), request.userAgent(), request.doNotTrack());
      if (!buffer.offer(hit)) return new Outcome.Busy();
    }
    return new Outcome.Redirect(link.location());
  }

  /** An intact token and its message. */
  private record Verified(LinkTracking.Tracked token, TrackedMessages.TrackedMessage message) {}

  /** What {@link #verified} answers in memory-only mode when the message is not in memory. */
  private static final Verified NEEDS_DATABASE = new Verified(null, null);

  /**
   * The token and its message when the token is intact, of the right kind, and its message may be served on this host;
   * null otherwise. The token is checked once per request (its HMAC is most of an answer's own work).
   */
  private Verified verified(String token, boolean open, String host, boolean memoryOnly) {
    Optional<LinkTracking.Tracked> tracked = tokens.verify(token);
    if (tracked.isEmpty() || tracked.get().open() != open) return null;
    Optional<TrackedMessages.TrackedMessage> message;
    if (memoryOnly) {
      TrackedMessages.TrackedMessage cached = lookups.cachedMessage(tracked.get().messageId());
      if (cached == null) return NEEDS_DATABASE;
      message = Optional.of(cached).filter(m -> m.organizationId() != null);
    } else {
      message = lookups.message(tracked.get().messageId()).filter(m -> m.organizationId() != null);
    }
    if (message.isEmpty()) return null;
    OptionalLong hostOrganization = hosts.organizationOf(host);
    if (hostOrganization.isPresent() && hostOrganization.getAsLong() != message.get().organizationId()) return null;
    return new Verified(tracked.get(), message.get());
  }

  /** Stored links are http(s) (LinkTracking tracks no other); checked again so a bad row can never redirect elsewhere. */
  private static boolean webUrl(String url) {
    return (url.regionMatches(true, 0, "https://", 0, 8) || url.regionMatches(true, 0, "http://", 0, 7))
        && url.indexOf('\r') < 0 && url.indexOf('\n') < 0;
  }
}
