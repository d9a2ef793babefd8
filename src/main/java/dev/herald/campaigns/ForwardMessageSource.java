package dev.herald.campaigns;

import dev.herald.audiences.SuppressionScreen;
import dev.herald.content.Previews;
import dev.herald.delivery.MessageSource;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.delivery.SentRecipients;
import dev.herald.mail.EmailAddress;
import dev.herald.messages.MessageBuilder;
import dev.herald.messages.OutgoingMessage;
import dev.herald.tenancy.Organizations;
import java.net.IDN;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Delivery's {@link MessageSource} for campaigns forwarded to a friend ({@link Forwards}): the queue row's ref is the
 * campaign; the message is the campaign rendered for nobody in particular (no subscriber values, no list, no
 * unsubscribe or preference link, the web version that names nobody, no tracking), To the address the queue row holds
 * (read from delivery when the message is built, never copied), From and Reply-To the campaign's. The same bytes on
 * every call: the Message-ID follows the queue row and the Date is the message's. A friend suppressed since the
 * forward, or a campaign deleted since, is not sent.
 */
@Component
class ForwardMessageSource implements MessageSource {
  private static final int MAX_CACHED = 16;

  private final CampaignRecipients recipients;
  private final CampaignRenderer renderer;
  private final SentRecipients sent;
  private final SuppressionScreen screen;
  private final WebVersions webVersions;
  private final Organizations organizations;
  private final Map<Long, CampaignRenderer.Compiled> compiled = new ConcurrentHashMap<>();

  ForwardMessageSource(CampaignRecipients recipients, CampaignRenderer renderer, SentRecipients sent, SuppressionScreen screen,
      WebVersions webVersions, Organizations organizations) {
    this.recipients = recipients;
    this.renderer = renderer;
    this.sent = sent;
    this.screen = screen;
    this.webVersions = webVersions;
    this.organizations = organizations;
  }

  @Override
  public MessageSourceKind kind() {
    return MessageSourceKind.FORWARD;
  }

  @Override
  public Answer content(Wanted wanted) {
    if (wanted.ref() == null) throw new IllegalStateException("forward recipient " + wanted.recipientId() + " has no campaign ref");
    // Its snippets as fixed at its first hand-off (a forward comes from a handed-off message, so they are).
    Optional<CampaignRecipients.Content> campaign = recipients.content(wanted.ref());
    if (campaign.isEmpty()) return new NotSent("Not sent: the campaign was deleted");
    CampaignRecipients.Content c = campaign.get();
    Optional<SentRecipients.Addressee> to = sent.addressee(wanted.messageId(), wanted.recipientId());
    if (to.isEmpty() || !(EmailAddress.parse(to.get().address()) instanceof EmailAddress.Valid(EmailAddress friend))) {
      return new NotSent("Not sent: no address");
    }
    Optional<String> suppressed = screen.refusal(c.organizationId(), friend.key())
        .or(() -> screen.restriction(c.organizationId(), friend.key(), true));
    if (suppressed.isPresent()) return new NotSent("Not sent: " + suppressed.get());
    Previews.Links links = new Previews.Links(null, null, webVersions.sharedLink(c.id(), to.get().date()), null);
    CampaignRenderer.Message rendered = renderer.render(compiled(c),
        CampaignRenderer.Recipient.nobody(organizations.name(c.organizationId()).orElse(""), links));
    String domain = IDN.toASCII(c.fromAddress().substring(c.fromAddress().lastIndexOf('@') + 1)).toLowerCase(Locale.ROOT);
    MessageBuilder message = new MessageBuilder()
        .from(c.fromAddress(), c.fromName() == null || c.fromName().isBlank() ? null : c.fromName())
        .to(friend.address(), null)
        .subject(rendered.subject())
        .messageId("f" + c.id() + "." + wanted.recipientId() + "@" + domain)
        .date(to.get().date())
        .feedbackId(c.id() + ":forward:" + c.organizationId() + ":herald");
    if (c.replyTo() != null && !c.replyTo().isBlank()) message.replyTo(c.replyTo(), null);
    if (rendered.html() != null) message.html(rendered.html());
    message.text(rendered.text());
    OutgoingMessage built = message.build();
    return new Content(built.bytes(), built.smtpUtf8());
  }

  /** The campaign compiled untracked, from its content and snippets as fixed for its own recipients. */
  private CampaignRenderer.Compiled compiled(CampaignRecipients.Content c) {
    CampaignRenderer.Compiled done = compiled.get(c.id());
    if (done != null) return done;
    if (compiled.size() >= MAX_CACHED) compiled.clear(); // forwards are few; a campaign's compile is cheap beside a send
    return compiled.computeIfAbsent(c.id(), id -> renderer.compile(CampaignMessageSource.sources(c), CampaignRenderer.Tracking.NONE));
  }
}
