package dev.herald.campaigns;

import dev.herald.audiences.DoubleOptIn;
import dev.herald.audiences.MailingLists;
import dev.herald.audiences.Subscribers;
import dev.herald.content.ContentFormat;
import dev.herald.content.Previews;
import dev.herald.content.Templates;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.TextEnum;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A campaign drawn for one person with {@link CampaignRenderer}, the rendering delivery uses: for the preview pages, a
 * test send and the web version. Before the start the campaign template and snippets are read as they are now; once
 * started, the copies the campaign fixed, which is what its recipients get. A person who is in the campaign's ledger
 * is drawn exactly as their message (their list, their own links); anyone else, or a sample person, with inert links.
 * Previews are never tracked.
 */
@Component
class CampaignPreviews {
  private final CampaignRenderer renderer;
  private final CampaignMessageSource source;
  private final CampaignRecipients recipients;
  private final Campaigns campaigns;
  private final Templates templates;
  private final Subscribers subscribers;
  private final MailingLists lists;
  private final DoubleOptIn optIn;
  private final HeraldProperties properties;
  private final JdbcClient jdbc;

  CampaignPreviews(CampaignRenderer renderer, CampaignMessageSource source, CampaignRecipients recipients, Campaigns campaigns,
      Templates templates, Subscribers subscribers, MailingLists lists, DoubleOptIn optIn, HeraldProperties properties, JdbcClient jdbc) {
    this.renderer = renderer;
    this.source = source;
    this.recipients = recipients;
    this.campaigns = campaigns;
    this.templates = templates;
    this.subscribers = subscribers;
    this.lists = lists;
    this.optIn = optIn;
    this.properties = properties;
    this.jdbc = jdbc;
  }

  /** As the subscriber (null: a sample person) gets it; see the class comment. */
  CampaignRenderer.Drawn draw(Campaign campaign, String organizationName, Subscribers.Subscriber subscriber) {
    Optional<CampaignRecipients.Row> row = subscriber == null || !(campaign.state().started() || campaign.state().ended())
        ? Optional.empty() : ledgerRow(campaign.id(), subscriber.id());
    if (row.isPresent()) return draw(campaign, organizationName, subscriber, row.get());
    Subscribers.Subscriber person = subscriber == null ? Previews.SAMPLE : subscriber;
    String preferences = subscriber == null ? properties.publicLink("/p/preferences")
        : optIn.preferencesLink(campaign.organizationId(), subscriber.id());
    Previews.Links inert = new Previews.Links(preferences, preferences, properties.publicLink("/p/web"), properties.publicLink("/p/forward"));
    return renderer.draw(sources(campaign), CampaignRenderer.Recipient.of(person, listName(campaign, subscriber), organizationName, inert));
  }

  /**
   * The campaign's subject as this subscriber got it (or gets it), rendered alone from the same sources as
   * {@link #draw}; the subject as written when it does not render (a subscriber's page must still show something).
   */
  String subjectFor(Campaign campaign, String organizationName, Subscribers.Subscriber subscriber) {
    CampaignRenderer.Sources s = sources(campaign);
    CampaignRenderer.Sources subjectOnly = new CampaignRenderer.Sources(s.organizationId(), s.name(), s.subject(), "",
        ContentFormat.TEXT, "", null, s.snippets());
    Previews.Links inert = new Previews.Links(null, null, null, null);
    CampaignRenderer.Drawn drawn = renderer.draw(subjectOnly,
        CampaignRenderer.Recipient.of(subscriber, listName(campaign, subscriber), organizationName, inert));
    return drawn.message() == null ? campaign.subject() : drawn.message().subject();
  }

  /** The web version of a ledger row: that person's message, untracked; empty when the row, campaign or person is gone. */
  Optional<CampaignRenderer.Drawn> webVersion(long campaignId, long ledgerId, java.util.function.LongFunction<String> organizationName) {
    CampaignRecipients.Row row = recipients.rows(List.of(ledgerId)).get(ledgerId);
    if (row == null || row.campaignId() != campaignId) return Optional.empty();
    Optional<Campaign> campaign = campaigns.find(row.organizationId(), campaignId);
    Optional<Subscribers.Subscriber> person = subscribers.find(row.organizationId(), row.subscriberId());
    if (campaign.isEmpty() || person.isEmpty()) return Optional.empty();
    return Optional.of(draw(campaign.get(), organizationName.apply(row.organizationId()), person.get(), row));
  }

  /**
   * The campaign for nobody in particular (the web version of a copy forwarded to a friend): no subscriber, no list, no
   * personal links; empty when the campaign is gone or was never sent.
   */
  Optional<CampaignRenderer.Drawn> sharedWebVersion(long campaignId, java.util.function.LongFunction<String> organizationName) {
    Optional<Campaign> campaign = jdbc.sql("select organization_id from campaign where id = ?").param(campaignId).query(Long.class)
        .optional().flatMap(org -> campaigns.find(org, campaignId))
        .filter(c -> c.state().started() || c.state().ended());
    return campaign.map(c -> renderer.draw(sources(c), CampaignRenderer.Recipient.nobody(organizationName.apply(c.organizationId()),
        new Previews.Links(null, null, null, null))));
  }

  private CampaignRenderer.Drawn draw(Campaign campaign, String organizationName, Subscribers.Subscriber person, CampaignRecipients.Row row) {
    String listName = lists.basic(campaign.organizationId(), row.listId()).map(MailingLists.MailingList::name).orElse("");
    return renderer.draw(sources(campaign), CampaignRenderer.Recipient.of(person, listName, organizationName, source.links(row)));
  }

  Optional<Subscribers.Subscriber> subscriber(long orgId, long subscriberId) {
    return subscriberId <= 0 ? Optional.empty() : subscribers.find(orgId, subscriberId);
  }

  /** The person's first row in the campaign's ledger (a person is in it once, unless they have two addresses' rows). */
  private Optional<CampaignRecipients.Row> ledgerRow(long campaignId, long subscriberId) {
    return jdbc.sql("select id from campaign_recipient where campaign_id = ? and subscriber_id = ? order by id limit 1")
        .params(campaignId, subscriberId).query(Long.class).optional()
        .map(id -> recipients.rows(List.of(id)).get(id));
  }

  private String listName(Campaign campaign, Subscribers.Subscriber subscriber) {
    if (subscriber != null) {
      for (Subscribers.Membership m : subscriber.lists()) if (campaign.audience().lists().contains(m.listId())) return m.listName();
    }
    return campaign.audience().lists().stream().findFirst().flatMap(id -> lists.basic(campaign.organizationId(), id))
        .map(MailingLists.MailingList::name).orElse("");
  }

  /**
   * What the campaign renders from: once started, the template source copied at its start and the snippets fixed at
   * its first hand-off; before, the template and snippets as they are now.
   */
  private CampaignRenderer.Sources sources(Campaign c) {
    boolean started = c.state().started() || c.state().ended();
    Map<String, String> snippets = started ? recipients.content(c.id()).map(CampaignRecipients.Content::snippets).orElse(null) : null;
    String template = started && c.templateSource() != null ? c.templateSource()
        : c.templateId() == null ? null : templates.find(c.organizationId(), c.templateId()).map(Templates.Template::source).orElse(null);
    return new CampaignRenderer.Sources(c.organizationId(), c.name(), c.subject(), c.preheader(),
        TextEnum.parse(ContentFormat.class, "bodyFormat", c.bodyFormat()), c.body(), template, snippets);
  }
}
