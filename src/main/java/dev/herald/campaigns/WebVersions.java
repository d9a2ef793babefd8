package dev.herald.campaigns;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SignedLinks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The web version of a campaign for one recipient ({@code web_version_url} in a template): a signed link on the public
 * origin naming the campaign and the recipient's ledger row, so that anyone holding it sees that person's rendering
 * and nobody can guess another's. Rendered by {@link WebVersionController} under the sandbox policy.
 */
@Component
class WebVersions {
  /** Mail is read long after it is sent; a year covers an archive link without keeping it forever. */
  static final Duration VALIDITY = Duration.ofDays(366);
  private static final String PURPOSE = "web-version";
  private static final String SHARED_PURPOSE = "web-version-shared";

  private final SignedLinks links;
  private final HeraldProperties properties;

  WebVersions(SignedLinks links, HeraldProperties properties) {
    this.links = links;
    this.properties = properties;
  }

  record Recipient(long campaignId, long ledgerId) {}

  /**
   * The absolute link for the ledger row {@code ledgerId} of the campaign, valid a year from {@code sentAt} (the row's
   * hand-off): the same on every call for the same row, so a retried message is the message sent before.
   */
  String link(long campaignId, long ledgerId, Instant sentAt) {
    return properties.publicLink("/p/web?token=" + links.sign(PURPOSE, sentAt.plus(VALIDITY), Long.toString(campaignId),
        Long.toString(ledgerId)));
  }

  /**
   * The web version that names nobody (in a copy forwarded to a friend): the campaign as anyone gets it, without a
   * subscriber's values, valid a year from {@code sentAt}.
   */
  String sharedLink(long campaignId, Instant sentAt) {
    return properties.publicLink("/p/web?token=" + links.sign(SHARED_PURPOSE, sentAt.plus(VALIDITY), Long.toString(campaignId)));
  }

  /** The campaign a shared link names. */
  Optional<Long> openShared(String token) {
    return links.verify(SHARED_PURPOSE, token).filter(v -> v.size() == 1).flatMap(v -> {
      try {
        return Optional.of(Long.parseLong(v.get(0)));
      } catch (NumberFormatException e) {
        return Optional.empty();
      }
    });
  }

  Optional<Recipient> open(String token) {
    return links.verify(PURPOSE, token).filter(v -> v.size() == 2).flatMap(WebVersions::recipient);
  }

  private static Optional<Recipient> recipient(List<String> v) {
    try {
      return Optional.of(new Recipient(Long.parseLong(v.get(0)), Long.parseLong(v.get(1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
