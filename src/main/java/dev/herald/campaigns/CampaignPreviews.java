package dev.herald.campaigns;

import dev.herald.audiences.DoubleOptIn;
import dev.herald.audiences.MailingLists;
import dev.herald.audiences.Subscribers;
import dev.herald.content.ContentFormat;
import dev.herald.content.Previews;
import dev.herald.content.Templates;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.TextEnum;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * A campaign drawn for one person with {@link Previews}: for the preview pages, a test send and the web version. Before
 * the start the campaign template is read as it is now; once started, the copy the campaign took at its start, which is
 * what its recipients get.
 */
@Component
class CampaignPreviews {
  private final Previews previews;
  private final Templates templates;
  private final Subscribers subscribers;
  private final MailingLists lists;
  private final DoubleOptIn optIn;
  private final HeraldProperties properties;
  private final JdbcClient jdbc;

  CampaignPreviews(Previews previews, Templates templates, Subscribers subscribers, MailingLists lists, DoubleOptIn optIn,
      HeraldProperties properties, JdbcClient jdbc) {
    this.previews = previews;
    this.templates = templates;
    this.subscribers = subscribers;
    this.lists = lists;
    this.optIn = optIn;
    this.properties = properties;
    this.jdbc = jdbc;
  }

  /**
   * As the subscriber (null or not found: a sample person) gets it, through the first list of the campaign they are
   * subscribed to. The links are the person's preference centre and, for a ledger row, its web version; the preview
   * of a sample person gets inert ones.
   */
  Previews.Preview render(Campaign campaign, String organizationName, Subscribers.Subscriber subscriber, String webVersion) {
    String listName = listName(campaign, subscriber);
    String preferences = subscriber == null ? properties.publicLink("/p/preferences")
        : optIn.preferencesLink(campaign.organizationId(), subscriber.id());
    Previews.Links links = new Previews.Links(preferences, preferences, webVersion == null ? properties.publicLink("/p/web") : webVersion);
    Previews.Draft draft = new Previews.Draft(campaign.name(), campaign.subject(), campaign.preheader(),
        ContentFormat.parse("bodyFormat", campaign.bodyFormat()), campaign.body(), templateSource(campaign).orElse(null));
    return previews.render(campaign.organizationId(), organizationName, draft, subscriber, listName, links);
  }

  /** A row of a campaign's ledger: whose it is. */
  record LedgerEntry(long organizationId, long campaignId, long subscriberId) {}

  Optional<LedgerEntry> ledgerEntry(long campaignId, long ledgerId) {
    return jdbc.sql("""
        select c.organization_id, r.campaign_id, r.subscriber_id from campaign_recipient r join campaign c on c.id = r.campaign_id
        where r.id = ? and r.campaign_id = ?""").params(ledgerId, campaignId)
        .query((rs, n) -> new LedgerEntry(rs.getLong(1), rs.getLong(2), rs.getLong(3))).optional();
  }

  Optional<Subscribers.Subscriber> subscriber(long orgId, long subscriberId) {
    return subscriberId <= 0 ? Optional.empty() : subscribers.find(orgId, subscriberId);
  }

  private String listName(Campaign campaign, Subscribers.Subscriber subscriber) {
    if (subscriber != null) {
      for (Subscribers.Membership m : subscriber.lists()) if (campaign.audience().lists().contains(m.listId())) return m.listName();
    }
    return campaign.audience().lists().stream().findFirst().flatMap(id -> lists.basic(campaign.organizationId(), id))
        .map(MailingLists.MailingList::name).orElse("");
  }

  private Optional<String> templateSource(Campaign campaign) {
    if (campaign.templateId() == null) return Optional.empty();
    if (campaign.state().started() || campaign.state().ended()) {
      Optional<String> copied = jdbc.sql("select template_source from campaign where id = ? and template_source is not null")
          .param(campaign.id()).query(String.class).optional();
      if (copied.isPresent()) return copied;
    }
    return templates.find(campaign.organizationId(), campaign.templateId()).map(Templates.Template::source);
  }
}
