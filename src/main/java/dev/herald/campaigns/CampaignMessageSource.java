package dev.herald.campaigns;

import dev.herald.audiences.MailingLists;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.Unsubscribes;
import dev.herald.content.ContentFormat;
import dev.herald.content.Previews;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSource;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.messages.LinkTracking;
import dev.herald.messages.MessageBuilder;
import dev.herald.messages.OutgoingMessage;
import dev.herald.messages.ReturnPath;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.Organizations;
import java.net.IDN;
import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;

/**
 * Delivery's {@link MessageSource} for campaigns: each recipient's message is rendered when the worker sends it, from
 * the campaign's one stored content and the recipient's ledger row (the queue row's ref), never stored per recipient.
 * The content is compiled once per campaign (cached while it sends) and rendered per recipient by
 * {@link CampaignRenderer}, the rendering the previews, test sends and web version use too.
 *
 * <p>What the rendering depends on outside the campaign's own columns is fixed at its first hand-off
 * ({@link #fixRendering}): the tracking host (a domain's tracking check may flip while it sends) and the snippets it
 * includes (one may be edited). So every render of a recipient gives the same bytes, and the link table stored once
 * for the campaign's message keeps matching its links.
 *
 * <p>Tracking ({@link CampaignLinks}): when the campaign tracks clicks or opens, the HTML sources are rewritten once
 * per campaign, with placeholders where each recipient's tokens go, and the links are stored once for the campaign's
 * bulk message ({@link BulkSends#track}); per recipient the built bytes get their tokens written over the placeholders
 * ({@link LinkTracking#personalize}, same length, no MIME change). The text part is made from the HTML with the links
 * as written.
 *
 * <p>Per recipient, the same bytes on every call: the Message-ID is derived from the campaign and the ledger row, the
 * Date is the hand-off time, the unsubscribe and preference links' expiries count from it, and MIME boundaries follow
 * the Message-ID. Before rendering, the person is checked: unsubscribed from the list since, or suppressed, or the
 * campaign cancelled, and the answer is not to send; a paused campaign's recipient is held.
 */
@Component
class CampaignMessageSource implements MessageSource {
  static final int MAX_CACHED = 64;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CampaignMessageSource.class);

  private final CampaignRecipients recipients;
  private final CampaignRenderer renderer;
  private final MailingLists lists;
  private final Organizations organizations;
  private final Unsubscribes unsubscribes;
  private final ReturnPath returnPath;
  private final WebVersions webVersions;
  private final ForwardLinks forwardLinks;
  private final SendingDomains domains;
  private final LinkTracking tracking;
  private final BulkSends bulkSends;
  private final Subscribers subscribers;
  private final Map<Long, Rendering> compiled = new ConcurrentHashMap<>();

  CampaignMessageSource(CampaignRecipients recipients, CampaignRenderer renderer, Subscribers subscribers, MailingLists lists,
      Organizations organizations, Unsubscribes unsubscribes, ReturnPath returnPath, WebVersions webVersions, ForwardLinks forwardLinks,
      SendingDomains domains, LinkTracking tracking, BulkSends bulkSends) {
    this.forwardLinks = forwardLinks;
    this.recipients = recipients;
    this.renderer = renderer;
    this.subscribers = subscribers;
    this.lists = lists;
    this.organizations = organizations;
    this.unsubscribes = unsubscribes;
    this.returnPath = returnPath;
    this.webVersions = webVersions;
    this.domains = domains;
    this.tracking = tracking;
    this.bulkSends = bulkSends;
  }

  @Override
  public MessageSourceKind kind() {
    return MessageSourceKind.CAMPAIGN;
  }

  @Override
  public Answer content(Wanted wanted) {
    return contents(List.of(wanted)).get(wanted);
  }

  @Override
  public Map<Wanted, Answer> contents(Collection<Wanted> wanted) {
    for (Wanted w : wanted) {
      if (w.ref() == null) throw new IllegalStateException("campaign recipient " + w.recipientId() + " has no ledger ref");
    }
    Map<Long, CampaignRecipients.Row> rows = recipients.rows(wanted.stream().map(Wanted::ref).toList());
    Map<Long, Subscribers.Subscriber> people = new HashMap<>();
    rows.values().stream().filter(r -> r.stop() == null)
        .collect(Collectors.groupingBy(CampaignRecipients.Row::organizationId, Collectors.mapping(CampaignRecipients.Row::subscriberId,
            Collectors.toList())))
        .forEach((org, ids) -> subscribers.byIds(org, ids.stream().distinct().toList()).forEach(s -> people.put(s.id(), s)));
    Map<Wanted, Answer> answers = new HashMap<>();
    for (Wanted w : wanted) {
      CampaignRecipients.Row row = rows.get(w.ref());
      if (row == null) {
        answers.put(w, new NotSent("Not sent: the campaign or this person was deleted"));
        continue;
      }
      switch (row.campaignState()) {
        case CANCELLED -> answers.put(w, new Cancelled("Not sent: the campaign was cancelled"));
        case PAUSED -> answers.put(w, new Held());
        default -> {
          Subscribers.Subscriber person = people.get(row.subscriberId());
          if (row.stop() != null) answers.put(w, new NotSent(row.stop()));
          else if (person == null) answers.put(w, new NotSent("Not sent: the subscriber was deleted"));
          else answers.put(w, render(rendering(row.campaignId()), row, person, w));
        }
      }
    }
    return answers;
  }

  private Content render(Rendering r, CampaignRecipients.Row row, Subscribers.Subscriber person, Wanted w) {
    Previews.Links links = links(row);
    CampaignRenderer.Message rendered = renderer.render(r.compiled(), recipient(r, row, person, links));
    CampaignRecipients.Content c = r.content();
    MessageBuilder message = new MessageBuilder()
        .from(c.fromAddress(), blankToNull(c.fromName()))
        .to(row.address(), null)
        .subject(rendered.subject())
        .messageId("c" + row.campaignId() + "." + row.id() + "@" + r.domain())
        .date(row.handedOffAt())
        // One-click needs https (RFC 8058): an installation whose public origin is plain http (a dev machine) offers mailto only.
        .listUnsubscribe(links.unsubscribe().startsWith("https:") ? URI.create(links.unsubscribe()) : null,
            returnPath.address(w.messageId(), w.recipientId(), r.domain()), links.unsubscribe().startsWith("https:"))
        .feedbackId(row.campaignId() + ":" + row.listId() + ":" + row.organizationId() + ":herald");
    if (!c.replyTo().isBlank()) message.replyTo(c.replyTo(), null);
    if (rendered.html() != null) message.html(rendered.html());
    message.text(rendered.text());
    OutgoingMessage built = message.build();
    byte[] bytes = r.compiled().links() == null ? built.bytes() : tracking.personalize(built.bytes(), w.messageId(), w.recipientId());
    return new Content(bytes, built.smtpUtf8());
  }

  /** A ledger row's own links, their expiries counted from its hand-off: the same on every call. */
  Previews.Links links(CampaignRecipients.Row row) {
    return new Previews.Links(unsubscribes.link(row.organizationId(), row.subscriberId(), row.listId(), row.campaignId(), row.handedOffAt()),
        unsubscribes.preferencesLink(row.organizationId(), row.subscriberId(), row.handedOffAt()),
        webVersions.link(row.campaignId(), row.id(), row.handedOffAt()), forwardLinks.link(row.campaignId(), row.id(), row.handedOffAt()));
  }

  /** Whom a ledger row's message is for, with these links. */
  CampaignRenderer.Recipient recipient(Rendering r, CampaignRecipients.Row row, Subscribers.Subscriber person, Previews.Links links) {
    return CampaignRenderer.Recipient.of(person, r.listName(row.listId()), r.organizationName(), links);
  }

  Rendering rendering(long campaignId) {
    Rendering r = compiled.get(campaignId);
    if (r != null) return r;
    if (compiled.size() >= MAX_CACHED) compiled.clear(); // campaigns sending at once are few; old ones fall out
    return compiled.computeIfAbsent(campaignId, this::compile);
  }

  /** A campaign compiled once for all its recipients, with what its messages need besides. */
  record Rendering(CampaignRecipients.Content content, CampaignRenderer.Compiled compiled, String domain, String organizationName,
      Map<Long, String> listNames, MailingLists lists) {
    String listName(long listId) {
      return listNames.computeIfAbsent(listId, id -> lists.basic(content.organizationId(), id).map(MailingLists.MailingList::name).orElse(""));
    }

    CampaignLinks links() {
      return compiled.links();
    }
  }

  /** What the campaign renders from: its content as fixed at its start, its snippets as fixed at its first hand-off. */
  static CampaignRenderer.Sources sources(CampaignRecipients.Content c) {
    return new CampaignRenderer.Sources(c.organizationId(), c.name(), c.subject(), c.preheader(),
        TextEnum.fromText(ContentFormat.class, c.bodyFormat()), c.body(), c.templateSource(), c.snippets());
  }

  /**
   * Fixes the campaign's tracking host and included snippets, unless they are already (see the class comment); the
   * hand-off calls it before its first chunk, and a render of a campaign started before there was a hand-off to do it
   * does it then.
   */
  void fixRendering(long campaignId) {
    if (recipients.renderingFixed(campaignId)) return;
    CampaignRecipients.Content c = recipients.content(campaignId).orElseThrow(() -> new IllegalStateException("no campaign " + campaignId));
    if (c.renderingFixed()) return;
    String host = c.trackOpens() || c.trackClicks()
        ? domains.verifiedDomainFor(c.organizationId(), c.fromAddress()).map(domains::trackingHost).orElse(null) : null;
    recipients.fixRendering(campaignId, host, renderer.includedSnippets(sources(c)));
  }

  private Rendering compile(long campaignId) {
    CampaignRecipients.Content c = recipients.content(campaignId)
        .filter(CampaignRecipients.Content::renderingFixed)
        .orElseGet(() -> {
          fixRendering(campaignId);
          return recipients.content(campaignId).orElseThrow();
        });
    String domain = IDN.toASCII(c.fromAddress().substring(c.fromAddress().lastIndexOf('@') + 1)).toLowerCase(java.util.Locale.ROOT);
    CampaignRenderer.Compiled compiled;
    try {
      compiled = renderer.compile(sources(c), tracking(c));
    } catch (IllegalArgumentException e) {
      // An installation without a dotted host name (localhost) has nowhere to count clicks: the mail goes untracked.
      log.warn("Campaign {} is sent without tracking: {}", c.id(), e.getMessage());
      compiled = renderer.compile(sources(c), CampaignRenderer.Tracking.NONE);
    }
    if (compiled.links() != null && c.messageId() != null) {
      bulkSends.track(c.messageId(), c.trackOpens(), c.trackClicks(), compiled.links().links());
    }
    return new Rendering(c, compiled, domain, organizations.name(c.organizationId()).orElse(""), new ConcurrentHashMap<>(), lists);
  }

  /**
   * The campaign's tracking: none when it tracks nothing or has no tracking host (its domain was not verified when it
   * was handed off: the send fails at signing anyway).
   */
  private static CampaignRenderer.Tracking tracking(CampaignRecipients.Content c) {
    if (!(c.trackOpens() || c.trackClicks()) || c.trackingHost() == null) return CampaignRenderer.Tracking.NONE;
    return new CampaignRenderer.Tracking(c.trackingHost(), c.trackOpens(), c.trackClicks());
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }

  /** Forgets a campaign's compiled content (tests; a campaign edited while paused). */
  void forget(long campaignId) {
    compiled.remove(campaignId);
  }

  Optional<Rendering> cached(long campaignId) {
    return Optional.ofNullable(compiled.get(campaignId));
  }
}
