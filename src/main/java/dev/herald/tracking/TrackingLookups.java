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
  private final Map<LinkKey, String> urlCache = new ConcurrentHashMap<>();

  private record LinkKey(long messageId, int link) {}

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

  /** The link's URL if it is in memory, else null. */
  String cachedUrl(long messageId, int link) {
    return urlCache.get(new LinkKey(messageId, link));
  }

  Optional<String> url(long messageId, int link) {
    LinkKey key = new LinkKey(messageId, link);
    String cached = urlCache.get(key);
    if (cached != null) return Optional.of(cached);
    Optional<String> found = messages.url(messageId, link);
    found.ifPresent(url -> {
      if (urlCache.size() >= MAX_LINKS) urlCache.clear();
      urlCache.put(key, url);
    });
    return found;
  }
}
