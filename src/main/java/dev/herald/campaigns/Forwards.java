package dev.herald.campaigns;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.mail.EmailAddress;
import dev.herald.platform.Refused;
import dev.herald.tenancy.Organizations;
import java.sql.Timestamp;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

/**
 * Forward-to-a-friend: a recipient of a campaign, from the page their {@code forward_url} opens ({@link
 * ForwardController}), has the campaign sent once to a friend's address, through delivery's queue, signed with the
 * campaign's domain like every message of it, From the campaign's sender and nobody else. The friend's copy is the
 * campaign for nobody in particular ({@link ForwardMessageSource}): no subscriber values, no unsubscribe or preference
 * link (the friend is on no list), a web version that names nobody, and no tracking.
 *
 * <p>What is stored, and for how long: the friend's address only in delivery's queue row of that one message, until
 * the row reached a final state (delivered, bounced, expired, not sent), and at most a minute longer (delivery's sweep,
 * {@link BulkSends#sendOnce}); while it is deferred, up to delivery's give-up age. Bounces and complaints about the
 * friend are not acted on and not recorded (feedback ignores a forward's return path; a forward's synchronous bounce
 * publishes no event), so no suppression entry keeps the address either. The forwarder's address is never read
 * here: the link names their ledger row. What stays is counts: per campaign (the organization's figure, {@link
 * #count}) and per ledger row (the cap). Logs name the campaign, never an address.
 *
 * <p>Abuse: each link forwards at most {@link #PER_RECIPIENT} times (a suppressed friend spends one too, so that the
 * answer cannot tell suppressed addresses from others); the link is signed and the page's form carries a signed
 * token of that link ({@link ForwardLinks#formToken}); the friend gets exactly the campaign from its own sender, so
 * the page cannot be used to send anything else to anyone. An address on the organization's or the installation's
 * suppression list is not sent (the page answers as if it were).
 */
@Service
public class Forwards {
  private static final Logger log = LoggerFactory.getLogger(Forwards.class);
  /** Forwards per recipient's link. */
  static final int PER_RECIPIENT = 3;

  private final JdbcClient jdbc;
  private final CampaignRecipients recipients;
  private final SuppressionScreen screen;
  private final SendingDomains domains;
  private final BulkSends queue;
  private final Organizations organizations;
  private final ApplicationEventPublisher events;
  private final Clock clock;

  Forwards(JdbcClient jdbc, CampaignRecipients recipients, SuppressionScreen screen, SendingDomains domains, BulkSends queue,
      Organizations organizations, ApplicationEventPublisher events, Clock clock) {
    this.jdbc = jdbc;
    this.recipients = recipients;
    this.screen = screen;
    this.domains = domains;
    this.queue = queue;
    this.organizations = organizations;
    this.events = events;
    this.clock = clock;
  }

  /** How many copies of the campaign its recipients forwarded (sent to a friend); 0 for none or another organization's. */
  @Transactional(readOnly = true)
  public long count(long organizationId, long campaignId) {
    return jdbc.sql("select forwards from campaign_forward where organization_id = ? and campaign_id = ?")
        .params(organizationId, campaignId).query(Long.class).optional().orElse(0L);
  }

  /** What the page shows for a link: the organization and campaign, and how many forwards the link has left. */
  record Page(long organizationId, String organizationName, String subject, int left) {}

  /** The page of a link whose ledger row and campaign still exist, the campaign sent and its organization active. */
  @Transactional(readOnly = true)
  Optional<Page> page(ForwardLinks.Forwarder f) {
    return forwardable(f).map(c -> new Page(c.organizationId(), organizations.name(c.organizationId()).orElse(""), c.subject(),
        PER_RECIPIENT - used(f.ledgerId())));
  }

  /**
   * Sends the campaign once to {@code friend}, or refuses: {@code email} invalid (not an address), limited (the link's
   * forwards are used up), unavailable (the campaign's domain is no longer verified), not found (the link's row or
   * campaign is gone). A suppressed friend is answered like any other and not sent.
   */
  @Transactional
  void forward(ForwardLinks.Forwarder f, String friend) {
    CampaignRecipients.Content c = forwardable(f).orElseThrow(() -> Refused.notFound("This link"));
    if (!(EmailAddress.parse(friend == null ? "" : friend.strip()) instanceof EmailAddress.Valid(EmailAddress address))) {
      throw Refused.invalid("email", "Enter your friend's email address, like name@example.com.");
    }
    SendingDomains.VerifiedDomain domain = domains.verifiedDomainFor(c.organizationId(), c.fromAddress())
        .orElseThrow(() -> Refused.unavailable("This email cannot be forwarded at the moment.", Duration.ofHours(1)));
    // The cap first, in one statement (two tabs posting at once cannot both take the last one).
    boolean spent = jdbc.sql("""
        insert into campaign_forward_by_recipient (ledger_id, forwards) values (?, 1)
        on conflict (ledger_id) do update set forwards = campaign_forward_by_recipient.forwards + 1
          where campaign_forward_by_recipient.forwards < ?
        returning forwards""").params(f.ledgerId(), PER_RECIPIENT).query(Integer.class).optional().isPresent();
    if (!spent) {
      throw Refused.limited("This link has been used to forward this email " + PER_RECIPIENT + " times, as many as it can.", null);
    }
    if (screen.refusal(c.organizationId(), address.key()).isPresent()) {
      log.info("Forward of campaign {} not sent: the friend's address is suppressed", c.id());
      return;
    }
    if (screen.restriction(c.organizationId(), address.key(), true).isPresent()) {
      log.info("Forward of campaign {} not sent: the friend restricted processing or objected to marketing", c.id());
      return;
    }
    Instant now = clock.instant();
    queue.sendOnce(c.organizationId(), domain.id(), MessageSourceKind.FORWARD, c.fromAddress(), c.subject(),
        new BulkSends.BulkRecipient(c.id(), address.asciiAddress()));
    jdbc.sql("""
        insert into campaign_forward (campaign_id, organization_id, forwards, last_forward_at) values (?, ?, 1, ?)
        on conflict (campaign_id) do update set forwards = campaign_forward.forwards + 1, last_forward_at = excluded.last_forward_at""")
        .params(c.id(), c.organizationId(), Timestamp.from(now)).update();
    events.publishEvent(new CampaignEvents.CampaignForwarded(c.organizationId(), c.id(), now));
  }

  private int used(long ledgerId) {
    return jdbc.sql("select forwards from campaign_forward_by_recipient where ledger_id = ?").param(ledgerId).query(Integer.class)
        .optional().orElse(0);
  }

  /** The campaign of a link whose row exists, sent (sending or finished) by an organization that is not suspended. */
  private Optional<CampaignRecipients.Content> forwardable(ForwardLinks.Forwarder f) {
    CampaignRecipients.Row row = recipients.rows(List.of(f.ledgerId())).get(f.ledgerId());
    if (row == null || row.campaignId() != f.campaignId()) return Optional.empty();
    if (row.campaignState() != CampaignState.SENDING && row.campaignState() != CampaignState.FINISHED) return Optional.empty();
    if (organizations.isSuspended(row.organizationId())) return Optional.empty();
    return recipients.content(f.campaignId());
  }
}
