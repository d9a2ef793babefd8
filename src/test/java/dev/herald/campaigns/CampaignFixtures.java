package dev.herald.campaigns;

import dev.herald.audiences.Consent;
import dev.herald.audiences.MailingLists;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.domains.DomainPublishing;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.TestDns;
import java.util.List;
import java.util.Map;
import org.springframework.boot.test.context.TestComponent;
import org.springframework.jdbc.core.simple.JdbcClient;

/** An organization with a verified sending domain, lists, subscribers and segments, for campaigns tests. */
@TestComponent
public class CampaignFixtures {
  static final Consent.Evidence PANEL = Consent.Evidence.panel("owner@example.com", "asked in person", "127.0.0.1");
  private final TestOrganizations organizations;
  private final MailingLists lists;
  private final Subscribers subscribers;
  private final SendingDomains domains;
  private final JdbcClient jdbc;
  private static int counter;

  CampaignFixtures(TestOrganizations organizations, MailingLists lists, Subscribers subscribers, SendingDomains domains, JdbcClient jdbc) {
    this.organizations = organizations;
    this.lists = lists;
    this.subscribers = subscribers;
    this.domains = domains;
    this.jdbc = jdbc;
  }

  /** An organization whose domain {@code news<n>.example} is verified; the domain's name is {@link Org#domain}. */
  public record Org(TestOrganizations.Created created, String domain) {
    public long id() {
      return created.id();
    }

    public String from() {
      return "news@" + domain;
    }
  }

  public synchronized Org organization() {
    int n = ++counter;
    var created = organizations.create("Campaigns " + n + " " + System.nanoTime(), "campaigns:read", "campaigns:write", "lists:read");
    String domain = "news" + n + "-" + created.id() + ".example";
    new TestSendingDomains(domains, jdbc).verified(created.id(), domain);
    return new Org(created, domain);
  }

  /**
   * As {@link #organization()}, but its domain verified as its owner would: every record it asks for (its DKIM keys
   * among them) published on {@code dns} and checked there. The test's context resolves through {@code dns}, which also
   * serves the SPF include the test set. Returns the organization and the DKIM records as published.
   */
  public synchronized Published publishedOrganization(TestDns dns) {
    int n = ++counter;
    var created = organizations.create("Campaigns " + n + " " + System.nanoTime(), "campaigns:read", "campaigns:write", "lists:read");
    String domain = "news" + n + "-" + created.id() + ".example";
    long id = new TestSendingDomains(domains, jdbc).added(created.id(), domain);
    if (!DomainPublishing.publishAndCheck(domains, dns, created.id(), id)) throw new IllegalStateException(domain + " not verified");
    return new Published(new Org(created, domain), DomainPublishing.dkimRecords(domains, created.id(), id));
  }

  /** An organization whose domain's records are published; its DKIM records, name → value. */
  public record Published(Org org, Map<String, String> dkimRecords) {}

  public long list(Org org, String name) {
    return lists.create(org.id(), new MailingLists.ListForm(name, "", "private", "single", null, null, List.of())).id();
  }

  /** A subscriber with this status on each list; their id. */
  public long subscriber(Org org, String email, SubscriptionStatus status, long... listIds) {
    long id = subscribers.upsert(org.id(), new Subscribers.Input(email, "", Map.of(), List.of()), "panel");
    for (long list : listIds) subscribers.subscribe(org.id(), id, list, status, PANEL);
    return id;
  }

  /** A saved segment of the people tagged {@code tag}. */
  public long segmentTagged(Org org, String tag) {
    return jdbc.sql("insert into segment (organization_id, name, conditions) values (?, ?, cast(? as jsonb)) returning id")
        .params(org.id(), "Tagged " + tag, "{\"match\":\"all\",\"rules\":[{\"type\":\"tag\",\"subject\":\"" + tag + "\",\"op\":\"has\",\"value\":\"\"}]}")
        .query(Long.class).single();
  }

  public void tag(Org org, long subscriberId, String tag) {
    subscribers.update(org.id(), subscriberId, "", Map.of(), List.of(tag));
  }

  /** A complete campaign (subject, sender, body) to these lists. */
  public CampaignForm form(Org org, String name, Campaign.Audience audience) {
    return new CampaignForm(name, List.of("news"), "Hello {{ subscriber.name | default: 'friend' }}", "This week", org.from(), "The News",
        "", null, "<p>Hi</p>", "html", true, true, audience);
  }

  public static Campaign.Audience lists(Long... ids) {
    return new Campaign.Audience(List.of(ids), List.of(), List.of(), List.of());
  }
}
