package dev.herald.campaigns;

import dev.herald.platform.HeraldProperties;
import dev.herald.platform.SignedLinks;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The signed links of forward-to-a-friend ({@code forward_url} in a template): one per recipient's ledger row, naming
 * the campaign and the row (never an address), so the page knows whose cap it spends and nobody can forge another's;
 * and the short-lived token of the page's form, which a POST must carry (the page sets no cookie, so this stands for a
 * CSRF token: a form posted from elsewhere lacks it).
 */
@Component
class ForwardLinks {
  /** A forward is about news: a quarter covers reading it late, without keeping the link open for years. */
  static final Duration VALIDITY = Duration.ofDays(92);
  /** How long the page's form may be left open before it is sent. */
  static final Duration FORM_VALIDITY = Duration.ofHours(2);
  private static final String PURPOSE = "forward";
  private static final String FORM_PURPOSE = "forward-form";

  private final SignedLinks links;
  private final HeraldProperties properties;

  ForwardLinks(SignedLinks links, HeraldProperties properties) {
    this.links = links;
    this.properties = properties;
  }

  /** Whose link: a campaign and one of its ledger rows. */
  record Forwarder(long campaignId, long ledgerId) {}

  /** The absolute link for the ledger row, valid from {@code sentAt} (the row's hand-off): the same on every call. */
  String link(long campaignId, long ledgerId, Instant sentAt) {
    return properties.publicLink("/p/forward?token=" + links.sign(PURPOSE, sentAt.plus(VALIDITY), Long.toString(campaignId),
        Long.toString(ledgerId)));
  }

  Optional<Forwarder> open(String token) {
    return links.verify(PURPOSE, token).flatMap(ForwardLinks::forwarder);
  }

  /** The token the page's form carries for this link. */
  String formToken(Forwarder f) {
    return links.sign(FORM_PURPOSE, FORM_VALIDITY, Long.toString(f.campaignId()), Long.toString(f.ledgerId()));
  }

  /** Whether {@code token} is an unexpired form token of this very link. */
  boolean formFits(String token, Forwarder f) {
    return links.verify(FORM_PURPOSE, token).flatMap(ForwardLinks::forwarder).filter(f::equals).isPresent();
  }

  private static Optional<Forwarder> forwarder(List<String> v) {
    if (v.size() != 2) return Optional.empty();
    try {
      return Optional.of(new Forwarder(Long.parseLong(v.get(0)), Long.parseLong(v.get(1))));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
