package dev.herald.audiences;

import dev.herald.testsupport.RouteFixtures;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A public list with one subscriber, a custom field, a segment and a draft import, for the route walk. */
class AudiencesRouteFixtures implements RouteFixtures {
  private final MailingLists lists;
  private final Subscribers subscribers;
  private final CustomFields fields;
  private final Segments segments;
  private final Imports imports;

  AudiencesRouteFixtures(MailingLists lists, Subscribers subscribers, CustomFields fields, Segments segments, Imports imports) {
    this.lists = lists;
    this.subscribers = subscribers;
    this.fields = fields;
    this.segments = segments;
    this.imports = imports;
  }

  @Override
  public Map<String, Object> create(Organization org) {
    String domain = org.slug().toLowerCase(Locale.ROOT) + ".example.com";
    MailingLists.MailingList publicList = lists.create(org.id(),
        new MailingLists.ListForm(org.name() + " news", "", "public", "single", null, null, List.of()));
    long list = publicList.id();
    long subscriber = subscribers.upsert(org.id(), new Subscribers.Input("reader@" + domain, "Reader of " + org.name(), null, null), "test");
    subscribers.subscribe(org.id(), subscriber, list, SubscriptionStatus.SUBSCRIBED, Consent.Evidence.panel("owner@" + domain, "route walk", "127.0.0.1"));
    byte[] file = ("email\nimported@" + domain + "\n").getBytes(StandardCharsets.UTF_8);
    return Map.of(
        "lists/{id}", list,
        "lists/{listId}", list,
        "/p/subscribe/{publicId}", publicList.publicId(),
        "subscribers/{id}", subscriber,
        "fields/{id}", fields.create(org.id(), "plan", org.name() + " plan", "text", List.of()).id(),
        "segments/{id}", segments.create(org.id(), org.name() + " everyone", Segments.Conditions.empty()).id(),
        "imports/{id}", imports.upload(org.id(), null, list, org.name() + ".csv", file, null));
  }
}
