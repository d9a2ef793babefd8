package dev.herald.audiences;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.tenancy.TestOrganizations;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;
import tools.jackson.databind.ObjectMapper;

/** What the events of subscriber changes carry: what a webhook would send, and after an erasure no address at all. */
@SpringBootTest
@RecordApplicationEvents
@Import({AudienceFixtures.class, TestOrganizations.class})
class AudienceEventsTest {
  @Autowired AudienceFixtures fixtures;
  @Autowired Subscribers subscribers;
  @Autowired CustomFields fields;
  @Autowired BulkActions bulk;
  @Autowired JdbcClient jdbc;
  @Autowired ObjectMapper json;
  @Autowired ApplicationEvents events;

  TestOrganizations.Created org;
  long news, offers;
  static int counter;
  static final Consent.Evidence PANEL = Consent.Evidence.panel("o@x", "test", "127.0.0.1");

  @BeforeEach
  void data() {
    org = fixtures.organization("Events Co " + (++counter));
    news = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'News') returning id").param(org.id()).query(Long.class).single();
    offers = jdbc.sql("insert into mailing_list (organization_id, name) values (?, 'Offers') returning id").param(org.id()).query(Long.class).single();
    jdbc.sql("insert into custom_field (organization_id, key, label, type) values (?, 'city', 'City', 'text')").param(org.id()).update();
  }

  @Test
  void a_new_subscriber_and_each_change_carry_the_new_values_and_name_what_changed() {
    long ann = subscribers.upsert(org.id(), new Subscribers.Input("Ann@Example.com", "Ann", Map.of("city", "Oslo"), List.of("vip")), "api");
    AudienceEvents.SubscriberCreated created = events.stream(AudienceEvents.SubscriberCreated.class).findFirst().orElseThrow();
    assertThat(created.organizationId()).isEqualTo(org.id());
    assertThat(created.subscriber()).isEqualTo(new AudienceEvents.SubscriberData(ann, "Ann@example.com", "Ann", Map.of("city", "Oslo"),
        List.of("vip"), List.of()));
    assertThat(created.occurredAt()).isNotNull();
    assertThat(events.stream(AudienceEvents.SubscriberChanged.class)).as("a creation is not also a change").isEmpty();

    subscribers.upsert(org.id(), new Subscribers.Input("ann@example.com", "Ann", Map.of("city", "Oslo"), List.of("vip")), "api");
    assertThat(events.stream(AudienceEvents.SubscriberChanged.class)).as("the same values again change nothing").isEmpty();

    subscribers.upsert(org.id(), new Subscribers.Input("ann@example.com", "Ann Lee", Map.of("city", "Bergen"), null), "api");
    subscribers.update(org.id(), ann, "Ann Lee", Map.of(), List.of("vip", "winter"));
    List<AudienceEvents.SubscriberChanged> changed = events.stream(AudienceEvents.SubscriberChanged.class).toList();
    assertThat(changed).hasSize(2);
    assertThat(changed.get(0).subscriber().name()).isEqualTo("Ann Lee");
    assertThat(changed.get(0).subscriber().fields()).isEqualTo(Map.of("city", "Bergen"));
    assertThat(changed.get(0).changed()).containsExactly("fields.city", "name");
    assertThat(changed.get(1).subscriber().fields()).as("update replaces the fields").isEmpty();
    assertThat(changed.get(1).subscriber().tags()).containsExactlyInAnyOrder("vip", "winter");
    assertThat(changed.get(1).changed()).containsExactly("fields.city", "tags");

    subscribers.subscribe(org.id(), ann, news, SubscriptionStatus.SUBSCRIBED, PANEL);
    AudienceEvents.SubscriberSubscribed subscribed = events.stream(AudienceEvents.SubscriberSubscribed.class).findFirst().orElseThrow();
    assertThat(subscribed.listId()).isEqualTo(news);
    assertThat(subscribed.status()).isEqualTo(SubscriptionStatus.SUBSCRIBED);
    assertThat(subscribed.channel()).isEqualTo(ConsentChannel.PANEL);
    assertThat(subscribed.subscriber().lists()).containsExactly(new AudienceEvents.ListStatus(news, SubscriptionStatus.SUBSCRIBED));

    subscribers.unsubscribe(org.id(), ann, news, "too many mails");
    AudienceEvents.SubscriberUnsubscribed unsubscribed = events.stream(AudienceEvents.SubscriberUnsubscribed.class).findFirst().orElseThrow();
    assertThat(unsubscribed.reason()).isEqualTo("too many mails");
    assertThat(unsubscribed.subscriber().lists()).containsExactly(new AudienceEvents.ListStatus(news, SubscriptionStatus.UNSUBSCRIBED));

    subscribers.removeFromList(org.id(), ann, news);
    AudienceEvents.SubscriberChanged removed = events.stream(AudienceEvents.SubscriberChanged.class).toList().getLast();
    assertThat(removed.changed()).containsExactly("lists");
    assertThat(removed.subscriber().lists()).isEmpty();

    subscribers.delete(org.id(), ann);
    AudienceEvents.SubscriberDeleted deleted = events.stream(AudienceEvents.SubscriberDeleted.class).findFirst().orElseThrow();
    assertThat(deleted.subscriber().email()).as("as they were before the deletion").isEqualTo("Ann@example.com");
    assertThat(deleted.subscriber().tags()).containsExactlyInAnyOrder("vip", "winter");
  }

  @Test
  void an_erasure_event_carries_the_keyed_hash_and_nothing_of_the_person() {
    long zoe = subscribers.addToLists(org.id(), new Subscribers.Input("Zoe.Quinn@example.com", "Zoe Quinn", Map.of("city", "Turku"),
        List.of("vip")), List.of(news), SubscriptionStatus.SUBSCRIBED, PANEL, "api");
    events.clear();
    subscribers.erase(org.id(), zoe);

    AudienceEvents.SubscriberErased erased = events.stream(AudienceEvents.SubscriberErased.class).findFirst().orElseThrow();
    assertThat(erased.subscriberId()).isEqualTo(zoe);
    assertThat(erased.erasureHash()).as("the suppression entry's keyed hash").matches("[0-9a-f]{64}")
        .isNotEqualTo(dev.herald.mail.AddressDigest.hex("zoe.quinn@example.com"));
    // Every event the erasure published, as the publication registry would store it.
    List<String> serialized = events.stream().map(e -> e instanceof org.springframework.context.PayloadApplicationEvent<?> p
        ? p.getPayload() : e).filter(e -> e.getClass().getName().startsWith("dev.herald.")).map(json::writeValueAsString).toList();
    assertThat(serialized).isNotEmpty();
    for (String event : serialized) {
      assertThat(event.toLowerCase()).doesNotContain("zoe", "quinn", "example", "turku", "vip",
          dev.herald.mail.AddressDigest.hex("zoe.quinn@example.com"));
    }
  }

  @Test
  void a_bulk_action_publishes_every_changed_id_in_batches_of_a_thousand() {
    jdbc.sql("""
        insert into subscriber (organization_id, email, email_key, name, source)
        select ?, 'p' || i || '@example.com', 'p' || i || '@example.com', '', 'test' from generate_series(1, 2500) i""")
        .param(org.id()).update();
    List<Long> everyone = jdbc.sql("select id from subscriber where organization_id = ? order by id").param(org.id()).query(Long.class).list();
    jdbc.sql("insert into subscription (list_id, subscriber_id, status, source) select ?, id, 'subscribed', 'test' from subscriber"
        + " where organization_id = ?").params(news, org.id()).update();
    jdbc.sql("insert into subscription (list_id, subscriber_id, status, source) select ?, id, 'subscribed', 'test' from subscriber"
        + " where organization_id = ? and id % 2 = 0").params(offers, org.id()).update();

    long tagged = bulk.apply(org.id(), new BulkActions.Request("tag", everyone, null, null, "spring", null), "o@x", "127.0.0.1");
    assertThat(tagged).isEqualTo(2500);
    List<BulkActions.SubscribersChangedInBulk> batches = events.stream(BulkActions.SubscribersChangedInBulk.class).toList();
    assertThat(batches).extracting(b -> b.subscriberIds().size()).containsExactlyInAnyOrder(1000, 1000, 500);
    assertThat(batches).allSatisfy(b -> {
      assertThat(b.organizationId()).isEqualTo(org.id());
      assertThat(b.action()).isEqualTo("tag");
      assertThat(b.tag()).isEqualTo("spring");
    });
    assertThat(ids(batches)).containsExactlyInAnyOrderElementsOf(everyone);

    // Unsubscribing from every list changes 3,750 subscriptions of 2,500 people: each person is named once.
    events.clear();
    long unsubscribed = bulk.apply(org.id(), new BulkActions.Request("unsubscribe", everyone, null, null, null, null), "o@x", "127.0.0.1");
    assertThat(unsubscribed).isEqualTo(3750);
    batches = events.stream(BulkActions.SubscribersChangedInBulk.class).toList();
    assertThat(batches).allSatisfy(b -> assertThat(b.subscriberIds()).hasSizeLessThanOrEqualTo(BulkActions.EVENT_BATCH));
    assertThat(batches).allSatisfy(b -> assertThat(b.listId()).isNull());
    assertThat(ids(batches)).containsExactlyInAnyOrderElementsOf(everyone);

    // Only those actually changed: a tag they all have already changes nobody and publishes nothing.
    events.clear();
    assertThat(bulk.apply(org.id(), new BulkActions.Request("tag", everyone, null, null, "spring", null), "o@x", "127.0.0.1")).isZero();
    assertThat(events.stream(BulkActions.SubscribersChangedInBulk.class)).isEmpty();

    events.clear();
    List<Long> some = everyone.subList(0, 1200);
    assertThat(bulk.apply(org.id(), new BulkActions.Request("add_to_list", some, null, offers, null, "asked"), "o@x", "127.0.0.1"))
        .as("those who unsubscribed from Offers stay so; the other 600 are added").isEqualTo(600);
    batches = events.stream(BulkActions.SubscribersChangedInBulk.class).toList();
    assertThat(batches).allSatisfy(b -> assertThat(b.listId()).isEqualTo(offers));
    assertThat(ids(batches)).containsExactlyInAnyOrderElementsOf(some.stream().filter(id -> id % 2 != 0).toList());
    assertThat(events.stream(AudienceEvents.SubscribersDeleted.class)).as("only a delete says it deleted").isEmpty();

    events.clear();
    assertThat(bulk.apply(org.id(), new BulkActions.Request("delete", everyone, null, null, null, null), "o@x", "127.0.0.1")).isEqualTo(2500);
    assertThat(ids(events.stream(BulkActions.SubscribersChangedInBulk.class).toList())).containsExactlyInAnyOrderElementsOf(everyone);
    // a deletion also tells other modules whom it deleted (campaigns' ledger rows go with them), in the same batches
    List<AudienceEvents.SubscribersDeleted> deleted = events.stream(AudienceEvents.SubscribersDeleted.class).toList();
    assertThat(deleted).extracting(d -> d.subscriberIds().size()).containsExactlyInAnyOrder(1000, 1000, 500);
    assertThat(deleted).allSatisfy(d -> assertThat(d.organizationId()).isEqualTo(org.id()));
    assertThat(deleted.stream().flatMap(d -> d.subscriberIds().stream()).toList()).containsExactlyInAnyOrderElementsOf(everyone);
  }

  /** Every id of the batches; fails if one is named twice. */
  private static List<Long> ids(List<BulkActions.SubscribersChangedInBulk> batches) {
    List<Long> all = new ArrayList<>();
    batches.forEach(b -> all.addAll(b.subscriberIds()));
    Set<Long> distinct = new HashSet<>(all);
    assertThat(distinct).as("no id in two batches").hasSize(all.size());
    return all;
  }
}
