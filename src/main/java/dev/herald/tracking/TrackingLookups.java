package dev.herald.tracking;

import dev.herald.delivery.TrackedMessages;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The endpoints' look-ups, kept in memory: a campaign is one message, so its thousands of opens and clicks ask the
 * database once for the message and once per link. What is cached never changes once mail went out (a message's
 * organization, its stored links; its tracking flags are written before its first recipient is rendered). Misses are
 * not cached, and the maps are emptied when they pass a bound, so memory stays bounded whatever tokens come in (a
 * forged token never gets here: its HMAC fails first).
 */
@Component
class TrackingLookups {
  static final int MAX_MESSAGES = 10_000;
  static final int MAX_LINKS = 100_000;

  private final TrackedMessages messages;
  private final Map<Long, TrackedMessages.TrackedMessage> messageCache = new ConcurrentHashMap<>();
  private final Map<LinkKey, Link> urlCache = new ConcurrentHashMap<>();

  private record LinkKey(long messageId, int link) {}

  /** A stored link: its URL, and the Location header that sends a reader there (made once, not per click). */
  record Link(String url, String location) {}

  TrackingLookups(TrackedMessages messages) {
    this.messages = messages;
  }

  Optional<TrackedMessages.TrackedMessage> message(long messageId) {
    TrackedMessages.TrackedMessage cached = messageCache.get(messageId);
    if (cached != null) return Optional.of(cached);
    Optional<TrackedMessages.TrackedMessage> found = messages.message(messageId);
    found.ifPresent(m -> {
      if (messageCache.size() >= MAX_MESSAGES) messageCache.clear();
      messageCache.put(messageId, m);
    });
    return found;
  }

  /** The message if it is in memory, else null (the tracking listener's event loop must not wait for the database). */
  TrackedMessages.TrackedMessage cachedMessage(long messageId) {
    return messageCache.get(messageId);
  }

  /** The link if it is in memory, else null. */
  Link cachedLink(long messageId, int link) {
    return urlCache.get(new LinkKey(messageId, link));
  }

  Optional<Link> link(long messageId, int link) {
    LinkKey key = new LinkKey(messageId, link);
    Link cached = urlCache.get(key);
    if (cached != null) return Optional.of(cached);
    Optional<Link> found = messages.url(messageId, link).map(url -> new Link(url, TrackingController.location(url)));
    found.ifPresent(l -> {
      if (urlCache.size() >= MAX_LINKS) urlCache.clear();
      urlCache.put(key, l);
    });
    return found;
  }
}
