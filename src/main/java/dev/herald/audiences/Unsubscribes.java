package dev.herald.audiences;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SignedLinks;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.springframework.stereotype.Service;

/**
 * The unsubscribe link of bulk mail (a campaign): one signed link per recipient that leaves one list, at once by
 * RFC 8058's one-click POST (mail clients' "Unsubscribe" button, no page, no cookie), or from a page with a button
 * (a GET never unsubscribes: mail scanners open links, people press buttons). Served on the public origin under
 * {@code /p/}, like the preference centre, so it works while the organization is suspended.
 *
 * <p>The link is the same on every call for the same recipient and send time: its expiry is counted from when the
 * message was handed off, not from now, so a message rendered again for a retry carries the same bytes.
 */
@Service
public class Unsubscribes {
  static final String PURPOSE = "unsubscribe";
  /** How long a mailed link works: far beyond the 30 days CAN-SPAM asks of an unsubscribe link. */
  static final Duration VALIDITY = Duration.ofDays(730);

  private final SignedLinks links;
  private final HeraldProperties properties;

  Unsubscribes(SignedLinks links, HeraldProperties properties) {
    this.links = links;
    this.properties = properties;
  }

  /** What a valid link unsubscribes: one subscriber from one list; {@code campaignId} names the mail it came in. */
  record Link(long organizationId, long subscriberId, long listId, long campaignId) {}

  /**
   * The absolute https link on the public origin for List-Unsubscribe and the message's own unsubscribe link.
   *
   * @param sentAt when the message was handed off (fixed for the message's retries)
   */
  public String link(long organizationId, long subscriberId, long listId, long campaignId, Instant sentAt) {
    return properties.publicLink("/p/unsubscribe?token=" + links.sign(PURPOSE, sentAt.plus(VALIDITY), Long.toString(organizationId),
        Long.toString(subscriberId), Long.toString(listId), Long.toString(campaignId)));
  }

  /**
   * The preference centre's link for a message (the same centre as {@link DoubleOptIn#preferencesLink}), its expiry
   * counted from {@code sentAt} so a retry carries the same link.
   */
  public String preferencesLink(long organizationId, long subscriberId, Instant sentAt) {
    return properties.publicLink("/p/preferences?token=" + links.sign("preferences", sentAt.plus(DoubleOptIn.PREFERENCES_VALIDITY),
        Long.toString(organizationId), Long.toString(subscriberId)));
  }

  Optional<Link> verify(String token) {
    return links.verify(PURPOSE, token).filter(v -> v.size() == 4).flatMap(v -> {
      try {
        return Optional.of(new Link(Long.parseLong(v.get(0)), Long.parseLong(v.get(1)), Long.parseLong(v.get(2)), Long.parseLong(v.get(3))));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }
}
