package dev.herald.campaigns;

import dev.herald.audiences.MailingLists;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.Unsubscribes;
import dev.herald.content.CompiledTemplate;
import dev.herald.content.CssInliner;
import dev.herald.content.HtmlToText;
import dev.herald.content.Markdown;
import dev.herald.content.SnippetLookup;
import dev.herald.content.TemplateEngine;
import dev.herald.content.TemplateKind;
import dev.herald.content.TemplateModel;
import dev.herald.content.Templates;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.MessageSource;
import dev.herald.delivery.MessageSourceKind;
import dev.herald.domains.SendingDomains;
import dev.herald.messages.LinkTracking;
import dev.herald.messages.MessageBuilder;
import dev.herald.messages.OutgoingMessage;
import dev.herald.messages.ReturnPath;
import dev.herald.tenancy.Organizations;
import java.net.IDN;
import java.net.URI;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.springframework.stereotype.Component;
import org.springframework.web.util.HtmlUtils;

/**
 * Delivery's {@link MessageSource} for campaigns: each recipient's message is rendered when the worker sends it, from
 * the campaign's one stored content and the recipient's ledger row (the queue row's ref), never stored per recipient.
 *
 * <p>Once per campaign (cached while it sends): the subject, preheader and body are compiled (the HTML ones escaping
 * what they insert, so a subscriber's name cannot add markup); the body is placed into
 * the campaign template where it writes {@code {{ content }}} and the CSS of the whole is inlined into the elements
 * once ({@link CssInliner} keeps Liquid tags), so per recipient only the Liquid is rendered. A template that uses
 * {@code content} otherwise (a filter on it, or twice) is rendered in two steps and inlined per recipient.
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
  /** {@code {{ content }}} as a campaign template writes it, without filters. */
  static final Pattern CONTENT_TAG = Pattern.compile("\\{\\{-?\\s*content\\s*-?}}");
  /** Any other use of {@code content} in an output tag (with a filter, say). */
  static final Pattern CONTENT_USE = Pattern.compile("\\{\\{-?\\s*content\\b");
  private static final Pattern BODY_TAG = Pattern.compile("<body\\b[^>]*>", Pattern.CASE_INSENSITIVE);
  static final int MAX_CACHED = 64;
  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(CampaignMessageSource.class);

  private final CampaignRecipients recipients;
  private final TemplateEngine engine;
  private final Templates templates;
  private final Subscribers subscribers;
  private final MailingLists lists;
  private final Organizations organizations;
  private final Unsubscribes unsubscribes;
  private final ReturnPath returnPath;
  private final Map<Long, Rendering> compiled = new ConcurrentHashMap<>();

  private final WebVersions webVersions;
  private final SendingDomains domains;
  private final LinkTracking tracking;
  private final BulkSends bulkSends;

  CampaignMessageSource(CampaignRecipients recipients, TemplateEngine engine, Templates templates, Subscribers subscribers,
      MailingLists lists, Organizations organizations, Unsubscribes unsubscribes, ReturnPath returnPath, WebVersions webVersions,
      SendingDomains domains, LinkTracking tracking, BulkSends bulkSends) {
    this.domains = domains;
    this.tracking = tracking;
    this.bulkSends = bulkSends;
    this.webVersions = webVersions;
    this.recipients = recipients;
    this.engine = engine;
    this.templates = templates;
    this.subscribers = subscribers;
    this.lists = lists;
    this.organizations = organizations;
    this.unsubscribes = unsubscribes;
    this.returnPath = returnPath;
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
    String unsubscribe = unsubscribes.link(row.organizationId(), row.subscriberId(), row.listId(), row.campaignId(), row.handedOffAt());
    Map<String, Object> model = TemplateModel.builder()
        .subscriber(person.email(), person.name(), person.fields(), person.createdAt())
        .list(r.listName(row.listId()))
        .campaign(r.content().name(), r.content().subject())
        .organization(r.organizationName())
        .links(unsubscribe, unsubscribes.preferencesLink(row.organizationId(), row.subscriberId(), row.handedOffAt()),
            webVersions.link(row.campaignId(), row.id(), row.handedOffAt()))
        .build();
    String subject = r.subject().render(model).strip().replaceAll("[\\r\\n]+", " ");
    MessageBuilder message = new MessageBuilder()
        .from(r.content().fromAddress(), blankToNull(r.content().fromName()))
        .to(row.address(), null)
        .subject(subject)
        .messageId("c" + row.campaignId() + "." + row.id() + "@" + r.domain())
        .date(row.handedOffAt())
        // One-click needs https (RFC 8058): an installation whose public origin is plain http (a dev machine) offers mailto only.
        .listUnsubscribe(unsubscribe.startsWith("https:") ? URI.create(unsubscribe) : null,
            returnPath.address(w.messageId(), w.recipientId(), r.domain()), unsubscribe.startsWith("https:"))
        .feedbackId(row.campaignId() + ":" + row.listId() + ":" + row.organizationId() + ":herald");
    if (!r.content().replyTo().isBlank()) message.replyTo(r.content().replyTo(), null);
    if (r.html() == null) {
      message.text(r.text().render(model));
    } else {
      String html = r.inlinedOnce() ? r.html().render(model)
          : CssInliner.inline(r.html().render(TemplateModel.withContent(model, r.body().render(model))));
      String preheader = r.preheader() == null ? "" : r.preheader().render(model).strip();
      if (!preheader.isEmpty()) html = withPreheader(html, preheader);
      message.html(html).text(HtmlToText.convert(r.links() == null ? html : r.links().untracked(html)));
    }
    OutgoingMessage built = message.build();
    byte[] bytes = r.links() == null ? built.bytes() : tracking.personalize(built.bytes(), w.messageId(), w.recipientId());
    return new Content(bytes, built.smtpUtf8());
  }

  /**
   * The preheader as the first, hidden element of the body: inbox lists show it after the subject, the message does
   * not.
   */
  static String withPreheader(String html, String preheader) {
    String hidden = "<div style=\"display:none;max-height:0;overflow:hidden;mso-hide:all\" aria-hidden=\"true\">"
        + HtmlUtils.htmlEscape(preheader) + "</div>";
    Matcher body = BODY_TAG.matcher(html);
    return body.find() ? html.substring(0, body.end()) + hidden + html.substring(body.end()) : hidden + html;
  }

  private Rendering rendering(long campaignId) {
    Rendering r = compiled.get(campaignId);
    if (r != null) return r;
    if (compiled.size() >= MAX_CACHED) compiled.clear(); // campaigns sending at once are few; old ones fall out
    return compiled.computeIfAbsent(campaignId, this::compile);
  }

  /** A campaign compiled once for all its recipients. {@code html} null: a plain-text campaign ({@code text}). */
  record Rendering(CampaignRecipients.Content content, String domain, String organizationName, CompiledTemplate subject,
      CompiledTemplate preheader, CompiledTemplate html, boolean inlinedOnce, CompiledTemplate body, CompiledTemplate text,
      Map<Long, String> listNames, MailingLists lists, CampaignLinks links) {
    String listName(long listId) {
      return listNames.computeIfAbsent(listId, id -> lists.basic(content.organizationId(), id).map(MailingLists.MailingList::name).orElse(""));
    }
  }

  private Rendering compile(long campaignId) {
    CampaignRecipients.Content c = recipients.content(campaignId)
        .orElseThrow(() -> new IllegalStateException("no campaign " + campaignId));
    long org = c.organizationId();
    SnippetLookup snippets = name -> templates.list(org, TemplateKind.SNIPPET).stream().filter(t -> t.name().equals(name))
        .map(Templates.Template::source).findFirst();
    String domain = IDN.toASCII(c.fromAddress().substring(c.fromAddress().lastIndexOf('@') + 1)).toLowerCase(java.util.Locale.ROOT);
    String organizationName = organizations.name(org).orElse("");
    CompiledTemplate subject = engine.compile(c.subject(), snippets);
    CompiledTemplate preheader = c.preheader().isBlank() ? null : engine.compile(c.preheader(), snippets);
    Map<Long, String> listNames = new ConcurrentHashMap<>();
    if ("text".equals(c.bodyFormat())) {
      return new Rendering(c, domain, organizationName, subject, preheader, null, false, null, engine.compile(c.body(), snippets),
          listNames, lists, null);
    }
    String trackingHost = c.trackOpens() || c.trackClicks()
        ? domains.verifiedDomainFor(org, c.fromAddress()).map(domains::trackingHost).orElse(null) : null;
    String body = "markdown".equals(c.bodyFormat()) ? Markdown.toHtml(c.body()) : c.body();
    String template = c.templateSource() == null || c.templateSource().isBlank() ? "{{ content }}" : c.templateSource();
    Matcher tag = CONTENT_TAG.matcher(template);
    int tags = 0, uses = 0;
    while (tag.find()) tags++;
    for (Matcher use = CONTENT_USE.matcher(template); use.find(); ) uses++;
    if (tags == 1 && uses == 1) {
      // The body takes the tag's place in the source, so the template's CSS reaches the body's elements, inlined once.
      Matcher one = CONTENT_TAG.matcher(template);
      one.find();
      String combined = CssInliner.inline(template.substring(0, one.start()) + body + template.substring(one.end()));
      CampaignLinks links = tracked(c, trackingHost, combined, null);
      return new Rendering(c, domain, organizationName, subject, preheader,
          engine.compileHtml(links == null ? combined : links.html(), snippets), true, null, null, listNames, lists, links);
    }
    CampaignLinks links = tracked(c, trackingHost, template, body);
    return new Rendering(c, domain, organizationName, subject, preheader, engine.compileHtml(links == null ? template : links.html(), snippets),
        false, engine.compileHtml(links == null ? body : links.body(), snippets), null, listNames, lists, links);
  }

  /**
   * The campaign's tracked sources, with its links stored once for its bulk message; null when it tracks nothing (or
   * its domain is no longer verified: nothing to name the tracking host after, and the send fails at signing anyway).
   */
  private CampaignLinks tracked(CampaignRecipients.Content c, String trackingHost, String html, String body) {
    if (!(c.trackOpens() || c.trackClicks()) || trackingHost == null) return null;
    CampaignLinks links;
    try {
      links = body == null ? CampaignLinks.of(html, trackingHost, c.trackOpens(), c.trackClicks())
          : CampaignLinks.of(html, body, trackingHost, c.trackOpens(), c.trackClicks());
    } catch (IllegalArgumentException e) {
      // An installation without a dotted host name (localhost) has nowhere to count clicks: the mail goes untracked.
      log.warn("Campaign {} is sent without tracking: {}", c.id(), e.getMessage());
      return null;
    }
    if (c.messageId() != null) bulkSends.track(c.messageId(), c.trackOpens(), c.trackClicks(), links.links());
    return links;
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
