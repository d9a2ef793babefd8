package dev.herald.campaigns;

import static dev.herald.campaigns.CampaignFixtures.lists;
import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.audiences.AudienceEvents;
import dev.herald.audiences.Subscribers;
import dev.herald.audiences.SubscriptionStatus;
import dev.herald.delivery.BulkSends;
import dev.herald.delivery.RecipientState;
import dev.herald.platform.Leases;
import dev.herald.suppression.SuppressionReason;
import dev.herald.suppression.Suppressions;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.TestClock;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.event.ApplicationEvents;
import org.springframework.test.context.event.RecordApplicationEvents;

/**
 * The send: the audience fixed into the ledger, the ledger handed to the queue chunk by chunk under fenced leases, the
 * throttle, pause, cancel, and the finish. The worker role is off: the test runs the steps, and plays a second node.
 */
@SpringBootTest(properties = {"herald.roles=web", "herald.campaigns.chunk=10"})
@Import({TestOrganizations.class, TestClock.class, CampaignFixtures.class})
@RecordApplicationEvents
class CampaignSendTest {
  @Autowired Campaigns campaigns;
  @Autowired CampaignStarter starter;
  @Autowired CampaignHandOff handOff;
  @Autowired @Qualifier(CampaignLeases.BEAN) Leases leases;
  @Autowired CampaignFixtures fixtures;
  @Autowired Subscribers subscribers;
  @Autowired Suppressions suppressions;
  @Autowired BulkSends queue;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Autowired ApplicationEvents events;
  @Autowired ApplicationEventPublisher publisher;
  @Autowired DataSource dataSource;

  CampaignFixtures.Org org;

  @BeforeEach
  void organization() {
    // leases claim the oldest free job of any organization: earlier tests' jobs are out of the way
    jdbc.sql("update campaign_send set status = 'finished' where status in ('queued', 'running')").update();
    org = fixtures.organization();
  }

  @Test
  void the_audience_is_the_subscribed_people_of_its_lists_and_segments_minus_exclusions_and_suppressions_each_once() {
    long news = fixtures.list(org, "News"), offers = fixtures.list(org, "Offers"), other = fixtures.list(org, "Other");
    long excluded = fixtures.list(org, "Staff");
    long vip = fixtures.segmentTagged(org, "vip"), nope = fixtures.segmentTagged(org, "nope");
    long ann = fixtures.subscriber(org, "ann@example.com", SubscriptionStatus.SUBSCRIBED, news);
    long bob = fixtures.subscriber(org, "bob@example.com", SubscriptionStatus.SUBSCRIBED, offers, news);
    fixtures.subscriber(org, "unconfirmed@example.com", SubscriptionStatus.UNCONFIRMED, news);
    fixtures.subscriber(org, "left@example.com", SubscriptionStatus.UNSUBSCRIBED, news);
    long eve = fixtures.subscriber(org, "eve@example.com", SubscriptionStatus.SUBSCRIBED, other);
    fixtures.tag(org, eve, "vip");
    long vipUnconfirmed = fixtures.subscriber(org, "vip-unconfirmed@example.com", SubscriptionStatus.UNCONFIRMED, other);
    fixtures.tag(org, vipUnconfirmed, "vip");
    fixtures.subscriber(org, "staff@example.com", SubscriptionStatus.SUBSCRIBED, news);
    fixtures.subscriber(org, "staff@example.com", SubscriptionStatus.UNSUBSCRIBED, excluded);
    long nopeOne = fixtures.subscriber(org, "nope@example.com", SubscriptionStatus.SUBSCRIBED, offers);
    fixtures.tag(org, nopeOne, "nope");
    fixtures.subscriber(org, "suppressed@example.com", SubscriptionStatus.SUBSCRIBED, news);
    suppressions.add(org.id(), new Suppressions.NewEntry("suppressed@example.com", null, SuppressionReason.MANUAL, null, null), "test");
    fixtures.subscriber(org, "domain@blocked.example", SubscriptionStatus.SUBSCRIBED, news);
    suppressions.add(null, new Suppressions.NewEntry(null, "blocked.example", SuppressionReason.MANUAL, null, null), "test");
    var elsewhere = fixtures.organization();
    fixtures.subscriber(elsewhere, "stranger@example.com", SubscriptionStatus.SUBSCRIBED, fixtures.list(elsewhere, "Theirs"));

    Campaign c = start(new Campaign.Audience(List.of(news, offers), List.of(vip), List.of(excluded), List.of(nope)));

    assertThat(c.recipients()).isEqualTo(3);
    assertThat(jdbc.sql("select subscriber_id, list_id, address, state from campaign_recipient where campaign_id = ? order by address")
        .param(c.id()).query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4))).list())
        .containsExactly(
            List.of(ann, news, "ann@example.com", "pending"),
            List.of(bob, Math.min(news, offers), "bob@example.com", "pending"),
            List.of(eve, other, "eve@example.com", "pending"));
    assertThat(events.stream(CampaignEvents.CampaignStarted.class))
        .containsExactly(new CampaignEvents.CampaignStarted(org.id(), c.id(), c.name(), 3, clock.instant()));
  }

  @Test
  void each_person_is_fixed_once_through_the_first_included_list_they_are_subscribed_to_with_or_without_segments() {
    long a = fixtures.list(org, "A"), b = fixtures.list(org, "B"), c = fixtures.list(org, "C");
    long vip = fixtures.segmentTagged(org, "vip");
    long onBandC = fixtures.subscriber(org, "b-and-c@example.com", SubscriptionStatus.SUBSCRIBED, b, c);
    long unconfirmedOnA = fixtures.subscriber(org, "unconfirmed-a@example.com", SubscriptionStatus.UNCONFIRMED, a);
    fixtures.subscriber(org, "unconfirmed-a@example.com", SubscriptionStatus.SUBSCRIBED, c);
    long vipOnAandB = fixtures.subscriber(org, "vip-a-b@example.com", SubscriptionStatus.SUBSCRIBED, a, b);
    fixtures.tag(org, vipOnAandB, "vip");
    long vipUnconfirmedOnA = fixtures.subscriber(org, "vip-unconfirmed-a@example.com", SubscriptionStatus.UNCONFIRMED, a);
    fixtures.subscriber(org, "vip-unconfirmed-a@example.com", SubscriptionStatus.SUBSCRIBED, b);
    fixtures.tag(org, vipUnconfirmedOnA, "vip");
    long vipNowhere = fixtures.subscriber(org, "vip-nowhere@example.com", SubscriptionStatus.UNSUBSCRIBED, a);
    fixtures.tag(org, vipNowhere, "vip");

    // several lists: the first of them the person is subscribed to, whatever the order they were given in
    assertThat(fixed(start(lists(c, b)))).containsExactly(
        List.of(onBandC, b), List.of(unconfirmedOnA, c), List.of(vipOnAandB, b), List.of(vipUnconfirmedOnA, b));
    // one list
    assertThat(fixed(start(lists(c)))).containsExactly(List.of(onBandC, c), List.of(unconfirmedOnA, c));
    // a list and a segment: an included list comes before a lower one; a segment's person gets it through their first
    // list they are subscribed to (never one they are unconfirmed on), and not at all when subscribed to none
    assertThat(fixed(start(new Campaign.Audience(List.of(c), List.of(vip), List.of(), List.of())))).containsExactly(
        List.of(onBandC, c), List.of(unconfirmedOnA, c), List.of(vipOnAandB, a), List.of(vipUnconfirmedOnA, b));
    // a segment alone
    assertThat(fixed(start(new Campaign.Audience(List.of(), List.of(vip), List.of(), List.of())))).containsExactly(
        List.of(vipOnAandB, a), List.of(vipUnconfirmedOnA, b));
  }

  @Test
  void exclusions_and_suppressions_apply_to_an_audience_of_lists_alone() {
    long news = fixtures.list(org, "News"), staff = fixtures.list(org, "Staff");
    long nope = fixtures.segmentTagged(org, "nope");
    long ann = fixtures.subscriber(org, "ann@example.com", SubscriptionStatus.SUBSCRIBED, news);
    fixtures.subscriber(org, "staff@example.com", SubscriptionStatus.SUBSCRIBED, news);
    fixtures.subscriber(org, "staff@example.com", SubscriptionStatus.UNCONFIRMED, staff);
    long tagged = fixtures.subscriber(org, "tagged@example.com", SubscriptionStatus.SUBSCRIBED, news);
    fixtures.tag(org, tagged, "nope");
    fixtures.subscriber(org, "someone@org-blocked.example", SubscriptionStatus.SUBSCRIBED, news);
    suppressions.add(org.id(), new Suppressions.NewEntry(null, "org-blocked.example", SuppressionReason.MANUAL, null, null), "test");
    long expired = fixtures.subscriber(org, "expired@example.com", SubscriptionStatus.SUBSCRIBED, news);
    suppressions.add(org.id(), new Suppressions.NewEntry("expired@example.com", null, SuppressionReason.MANUAL, null,
        clock.instant().plus(Duration.ofDays(1))), "test");
    jdbc.sql("update suppression set expires_at = now() - interval '1 hour' where organization_id = ? and address = 'expired@example.com'")
        .param(org.id()).update();
    long theirs = fixtures.subscriber(org, "theirs@example.com", SubscriptionStatus.SUBSCRIBED, news);
    var elsewhere = fixtures.organization();
    suppressions.add(elsewhere.id(), new Suppressions.NewEntry("theirs@example.com", null, SuppressionReason.MANUAL, null, null), "test");
    suppressions.add(elsewhere.id(), new Suppressions.NewEntry(null, "example.com", SuppressionReason.MANUAL, null, null), "test");
    fixtures.subscriber(org, "erased@example.com", SubscriptionStatus.SUBSCRIBED, news);
    jdbc.sql("insert into suppression (organization_id, address_hash, reason, source) values (?, sha256(convert_to('erased@example.com', 'UTF8')),"
        + " 'erased', 'test')").param(org.id()).update();

    Campaign c = start(new Campaign.Audience(List.of(news), List.of(), List.of(staff), List.of(nope)));
    assertThat(fixed(c)).as("an expired entry and another organization's entries refuse nobody here")
        .containsExactly(List.of(ann, news), List.of(expired, news), List.of(theirs, news));
    assertThat(c.recipients()).isEqualTo(3);
  }

  @Test
  void a_persons_ledger_rows_go_with_them_and_a_campaigns_with_its_organization() {
    long list = fixtures.list(org, "Readers");
    long deleted = fixtures.subscriber(org, "deleted@example.com", SubscriptionStatus.SUBSCRIBED, list);
    long erased = fixtures.subscriber(org, "erased@example.com", SubscriptionStatus.SUBSCRIBED, list);
    long bulk = fixtures.subscriber(org, "bulk@example.com", SubscriptionStatus.SUBSCRIBED, list);
    long stays = fixtures.subscriber(org, "stays@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = start(lists(list));
    assertThat(fixed(c)).hasSize(4);

    subscribers.delete(org.id(), deleted);
    subscribers.erase(org.id(), erased);
    publisher.publishEvent(new AudienceEvents.SubscribersDeleted(org.id(), List.of(bulk), clock.instant()));
    assertThat(fixed(c)).containsExactly(List.of(stays, list));
    assertThat(jdbc.sql("select count(*) from campaign_recipient where address_key in ('deleted@example.com', 'erased@example.com')")
        .query(Long.class).single()).isZero();

    var other = fixtures.organization();
    long theirs = fixtures.list(other, "Theirs");
    fixtures.subscriber(other, "someone@example.com", SubscriptionStatus.SUBSCRIBED, theirs);
    CampaignFixtures.Org mine = org;
    org = other;
    Campaign their = start(lists(theirs));
    org = mine;
    assertThat(fixed(their)).hasSize(1);
    jdbc.sql("delete from organization where id = ?").param(other.id()).update();
    assertThat(jdbc.sql("select count(*) from campaign_recipient where campaign_id = ?").param(their.id()).query(Long.class).single()).isZero();
    assertThat(fixed(c)).as("another organization's deletion leaves this ledger").containsExactly(List.of(stays, list));
  }

  /**
   * The race the ledger's dropped foreign key used to close: the start has read a person and not yet committed when
   * their deletion commits (its cleanup cannot see the start's rows yet). A second connection holds the start after its
   * read and before its commit (a trigger on the campaign's job row waits for an advisory lock the connection holds);
   * the deletion commits meanwhile; then the start commits, and its sweep removes the row with the deleted address.
   */
  @Test
  void a_person_deleted_while_the_start_reads_them_leaves_no_ledger_row() throws Exception {
    long list = fixtures.list(org, "Readers");
    long leaving = fixtures.subscriber(org, "leaving@example.com", SubscriptionStatus.SUBSCRIBED, list);
    long stays = fixtures.subscriber(org, "stays@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign draft = campaigns.create(org.id(), fixtures.form(org, "Race " + System.nanoTime(), lists(list)));
    long gate = 7_011_000_000L + draft.id();
    jdbc.sql("""
        create or replace function test_hold_start() returns trigger language plpgsql as $$
        begin perform pg_advisory_xact_lock_shared(%d); return new; end $$""".formatted(gate)).update();
    jdbc.sql("create trigger test_hold_start before insert on campaign_send for each row when (new.id = %d) execute function test_hold_start()"
        .formatted(draft.id())).update();
    ExecutorService startNode = Executors.newSingleThreadExecutor();
    try (Connection blocker = dataSource.getConnection()) {
      blocker.setAutoCommit(false);
      blocker.createStatement().execute("select pg_advisory_xact_lock(" + gate + ")");
      campaigns.schedule(org.id(), draft.id(), null, null);
      Future<Integer> started = startNode.submit(starter::startDue);
      awaitStartHeldAtTheGate(started);
      assertThat(fixed(draft)).as("the start has read its audience and not committed").isEmpty();
      assertThat(subscribers.delete(org.id(), leaving)).isTrue();
      blocker.rollback();
      assertThat(started.get(60, TimeUnit.SECONDS)).isPositive();
    } finally {
      startNode.shutdownNow();
      jdbc.sql("drop trigger if exists test_hold_start on campaign_send").update();
    }

    assertThat(state(draft)).isEqualTo(CampaignState.SENDING);
    assertThat(fixed(draft)).containsExactly(List.of(stays, list));
    assertThat(jdbc.sql("select count(*) from campaign_recipient where address_key = 'leaving@example.com'").query(Long.class).single())
        .isZero();
  }

  /** Until the start waits at the gate (bounded: 60 s, or the start ended without reaching it). */
  private void awaitStartHeldAtTheGate(Future<Integer> started) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (!jdbc.sql("""
        select exists (select 1 from pg_stat_activity where datname = current_database() and wait_event = 'advisory'
                         and query like 'insert into campaign_send%')""").query(Boolean.class).single()) {
      if (started.isDone()) throw new AssertionError("The start ended without reaching the gate: " + started.get());
      if (System.nanoTime() > deadline) throw new AssertionError("The start never reached the gate in 60 s");
      Thread.sleep(20);
    }
  }

  @Test
  void the_ledger_is_handed_off_in_chunks_and_the_campaign_finishes_only_when_the_queue_is_done() {
    long list = fixtures.list(org, "Readers");
    for (int i = 0; i < 25; i++) fixtures.subscriber(org, "r" + i + "@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = start(lists(list));
    Leases.Lease lease = leases.claim().orElseThrow();
    assertThat(lease.jobId()).isEqualTo(c.id());

    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.MORE);
    assertThat(jdbc.sql("select rendering_fixed_at is not null from campaign where id = ?").param(c.id()).query(Boolean.class).single())
        .as("the rendering (tracking host, snippets) is fixed with the first chunk").isTrue();
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 10L).containsEntry(LedgerState.PENDING, 15L);
    assertThat(queue.states(c.messageId())).containsExactly(Map.entry(RecipientState.QUEUED, 10L));
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.MORE);
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.MORE);
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.DRAINING);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 25L).containsEntry(LedgerState.PENDING, 0L);
    everyLedgerRowQueuedOnce(c);

    assertThat(handOff.finishDrained()).isZero();
    assertThat(state(c)).isEqualTo(CampaignState.SENDING);
    jdbc.sql("update outbound_recipient set state = 'delivered' where message_id = ? and id % 2 = 0").param(c.messageId()).update();
    assertThat(handOff.finishDrained()).isZero();
    jdbc.sql("update outbound_recipient set state = 'bounced' where message_id = ? and state = 'queued'").param(c.messageId()).update();
    assertThat(handOff.finishDrained()).isEqualTo(1);
    assertThat(state(c)).isEqualTo(CampaignState.FINISHED);
    assertThat(events.stream(CampaignEvents.CampaignFinished.class))
        .containsExactly(new CampaignEvents.CampaignFinished(org.id(), c.id(), c.name(), 25, 0, clock.instant()));
    var stats = campaigns.stats(org.id(), c.id()).orElseThrow();
    assertThat(stats.recipients()).isEqualTo(25);
    assertThat(stats.ledger()).containsEntry(LedgerState.HANDED_OFF, 25L);
    assertThat(stats.queue().values().stream().mapToLong(Long::longValue).sum()).isEqualTo(25);
  }

  @Test
  void a_node_that_lost_its_lease_writes_nothing_and_the_node_that_took_over_hands_off_the_rest_skipping_nobody() {
    long list = fixtures.list(org, "Readers");
    for (int i = 0; i < 25; i++) fixtures.subscriber(org, "r" + i + "@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = start(lists(list));
    Leases.Lease first = leases.claim().orElseThrow();
    assertThat(handOff.step(first)).isEqualTo(CampaignHandOff.Step.MORE);

    // the first node stalls past its lease; a second node takes the campaign over
    clock.advance(CampaignLeases.TERM.plusSeconds(1));
    Leases other = new Leases(jdbc, clock, "node-b", "campaign_send", CampaignLeases.TERM, "organization_id");
    Leases.Lease second = other.claim().orElseThrow();
    assertThat(second.jobId()).isEqualTo(c.id());
    assertThat(handOff.step(first)).isEqualTo(CampaignHandOff.Step.LOST);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 10L);

    CampaignHandOff.Step step;
    do step = handOff.step(second); while (step == CampaignHandOff.Step.MORE);
    assertThat(step).isEqualTo(CampaignHandOff.Step.DRAINING);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 25L);
    everyLedgerRowQueuedOnce(c);
  }

  @Test
  void a_chunk_that_failed_before_commit_leaves_its_rows_pending_and_none_queued() {
    long list = fixtures.list(org, "Readers");
    for (int i = 0; i < 5; i++) fixtures.subscriber(org, "r" + i + "@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = start(lists(list));
    Leases.Lease lease = leases.claim().orElseThrow();
    // the queue refuses the chunk (its message is gone): the step's transaction rolls back as a node killed mid-chunk would
    jdbc.sql("update campaign set message_id = -1 where id = ?").param(c.id()).update();
    try {
      handOff.step(lease);
    } catch (RuntimeException expected) {
      // a step that throws leaves everything as it was
    }
    assertThat(ledger(c)).containsEntry(LedgerState.PENDING, 5L).containsEntry(LedgerState.HANDED_OFF, 0L);
    jdbc.sql("update campaign set message_id = ? where id = ?").params(c.messageId(), c.id()).update();
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.MORE);
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.DRAINING);
    everyLedgerRowQueuedOnce(c);
  }

  @Test
  void people_who_unsubscribed_or_were_suppressed_after_the_start_are_skipped_not_handed_off() {
    long list = fixtures.list(org, "Readers");
    long ann = fixtures.subscriber(org, "ann@example.com", SubscriptionStatus.SUBSCRIBED, list);
    fixtures.subscriber(org, "bob@example.com", SubscriptionStatus.SUBSCRIBED, list);
    fixtures.subscriber(org, "cat@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = start(lists(list));
    subscribers.unsubscribe(org.id(), ann, list, "no more");
    suppressions.add(org.id(), new Suppressions.NewEntry("bob@example.com", null, SuppressionReason.COMPLAINT, null, null), "test");

    Leases.Lease lease = leases.claim().orElseThrow();
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.MORE);
    assertThat(jdbc.sql("select address, state, reason from campaign_recipient where campaign_id = ? order by address").param(c.id())
        .query((rs, n) -> rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3)).list())
        .containsExactly("ann@example.com skipped unsubscribed after the campaign started",
            "bob@example.com skipped suppressed in this organization (complaint)", "cat@example.com handed_off null");
    assertThat(queue.page(c.messageId(), null, 0, 100)).extracting(BulkSends.Recipient::address).containsExactly("cat@example.com");
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.DRAINING);
    jdbc.sql("update outbound_recipient set state = 'delivered' where message_id = ?").param(c.messageId()).update();
    handOff.finishDrained();
    assertThat(events.stream(CampaignEvents.CampaignFinished.class)).extracting(CampaignEvents.CampaignFinished::skipped).containsExactly(2L);
  }

  @Test
  void the_throttle_limits_the_hand_off_per_window_and_a_change_while_sending_takes_effect() {
    long list = fixtures.list(org, "Readers");
    for (int i = 0; i < 25; i++) fixtures.subscriber(org, "r" + i + "@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = start(lists(list));
    campaigns.throttle(org.id(), c.id(), 12, "minute");
    Leases.Lease lease = leases.claim().orElseThrow();
    for (int i = 0; i < 20; i++) assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.THROTTLED);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 12L);
    clock.advance(Duration.ofSeconds(30));
    handOff.step(lease);
    assertThat(ledger(c)).as("12 in the last minute still").containsEntry(LedgerState.HANDED_OFF, 12L);
    clock.advance(Duration.ofSeconds(31));
    for (int i = 0; i < 20; i++) handOff.step(lease);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 24L);

    // the 24 queued, never tried, come back to the ledger and go out at the new pace: a sixtieth of 600 per step
    campaigns.throttle(org.id(), c.id(), 600, "hour");
    assertThat(ledger(c)).containsEntry(LedgerState.PENDING, 25L);
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.THROTTLED);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 10L);
  }

  @Test
  void a_throttle_set_once_everyone_is_queued_takes_back_the_untried_and_hands_them_off_again_at_its_pace() {
    long list = fixtures.list(org, "Readers");
    for (int i = 0; i < 25; i++) fixtures.subscriber(org, "r" + i + "@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = start(lists(list));
    Leases.Lease lease = leases.claim().orElseThrow();
    while (handOff.step(lease) != CampaignHandOff.Step.DRAINING) clock.advance(Duration.ofMillis(1));
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 25L);
    // one row claimed by a worker (in flight), one delivered, one deferred after an attempt: those stay in the queue
    List<Long> rows = queue.page(c.messageId(), null, 0, 3).stream().map(BulkSends.Recipient::id).toList();
    jdbc.sql("update outbound_recipient set state = 'sending' where id = ?").param(rows.get(0)).update();
    jdbc.sql("update outbound_recipient set state = 'delivered', attempts = 1, finished_at = ? where id = ?")
        .params(java.sql.Timestamp.from(clock.instant()), rows.get(1)).update();
    assertThat(queue.progress(c.messageId(), clock.instant().minusSeconds(60)).endedSince()).as("the live rate").isEqualTo(1);
    assertThat(queue.progress(c.messageId(), clock.instant()).endedSince()).isZero();
    jdbc.sql("update outbound_recipient set state = 'deferred', attempts = 1 where id = ?").param(rows.get(2)).update();
    clock.advance(Duration.ofMinutes(2)); // the burst is outside the throttle's window

    campaigns.throttle(org.id(), c.id(), 5, "minute");

    assertThat(queue.states(c.messageId())).containsOnly(Map.entry(RecipientState.SENDING, 1L),
        Map.entry(RecipientState.DELIVERED, 1L), Map.entry(RecipientState.DEFERRED, 1L));
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 3L).containsEntry(LedgerState.PENDING, 22L);
    Leases.Lease again = leases.claim().orElseThrow(); // the drained job is claimable again
    for (int i = 0; i < 10; i++) assertThat(handOff.step(again)).isEqualTo(CampaignHandOff.Step.THROTTLED);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 8L);
    assertThat(queue.states(c.messageId())).containsEntry(RecipientState.QUEUED, 5L);

    // paused: the held rows come back too, and the job stays held until resumed
    campaigns.pause(org.id(), c.id());
    campaigns.throttle(org.id(), c.id(), 2, "minute");
    assertThat(queue.states(c.messageId())).as("the deferred row was tried: held, not taken back")
        .containsEntry(RecipientState.HELD, 1L).doesNotContainKey(RecipientState.QUEUED);
    assertThat(ledger(c)).containsEntry(LedgerState.PENDING, 22L);
    assertThat(leases.claim()).isEmpty();
    campaigns.resume(org.id(), c.id());
    clock.advance(Duration.ofMinutes(2));
    Leases.Lease resumed = leases.claim().orElseThrow();
    for (int i = 0; i < 5; i++) handOff.step(resumed);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 5L);
  }

  @Test
  void pause_holds_the_queue_and_stops_the_hand_off_resume_goes_on_and_cancel_deletes_what_waits() {
    long list = fixtures.list(org, "Readers");
    for (int i = 0; i < 25; i++) fixtures.subscriber(org, "r" + i + "@example.com", SubscriptionStatus.SUBSCRIBED, list);
    Campaign c = start(lists(list));
    Leases.Lease lease = leases.claim().orElseThrow();
    handOff.step(lease);

    campaigns.pause(org.id(), c.id());
    assertThat(queue.states(c.messageId())).containsExactly(Map.entry(RecipientState.HELD, 10L));
    assertThat(handOff.step(lease)).isEqualTo(CampaignHandOff.Step.LOST);
    assertThat(leases.claim()).isEmpty();
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 10L);

    campaigns.resume(org.id(), c.id());
    assertThat(queue.states(c.messageId())).containsExactly(Map.entry(RecipientState.QUEUED, 10L));
    Leases.Lease again = leases.claim().orElseThrow();
    assertThat(handOff.step(again)).isEqualTo(CampaignHandOff.Step.MORE);
    assertThat(ledger(c)).containsEntry(LedgerState.HANDED_OFF, 20L);

    campaigns.cancel(org.id(), c.id());
    assertThat(queue.states(c.messageId())).containsExactly(Map.entry(RecipientState.DELETED, 20L));
    assertThat(handOff.step(again)).isEqualTo(CampaignHandOff.Step.LOST);
    assertThat(ledger(c)).containsEntry(LedgerState.PENDING, 5L);
    assertThat(handOff.finishDrained()).isZero();
    assertThat(state(c)).isEqualTo(CampaignState.CANCELLED);
  }

  private Campaign start(Campaign.Audience audience) {
    Campaign draft = campaigns.create(org.id(), fixtures.form(org, "Send " + System.nanoTime(), audience));
    campaigns.schedule(org.id(), draft.id(), null, null);
    starter.startDue();
    Campaign c = campaigns.find(org.id(), draft.id()).orElseThrow();
    assertThat(c.state()).isEqualTo(CampaignState.SENDING);
    return c;
  }

  /** The ledger's (subscriber, list) rows, by subscriber. */
  private List<List<Long>> fixed(Campaign c) {
    return jdbc.sql("select subscriber_id, list_id from campaign_recipient where campaign_id = ? order by subscriber_id").param(c.id())
        .query((rs, n) -> List.of(rs.getLong(1), rs.getLong(2))).list();
  }

  private Map<LedgerState, Long> ledger(Campaign c) {
    return campaigns.stats(org.id(), c.id()).orElseThrow().ledger();
  }

  private CampaignState state(Campaign c) {
    return campaigns.find(org.id(), c.id()).orElseThrow().state();
  }

  /** Every handed-off ledger row has exactly one queue row (its ref), and the queue has no other. */
  private void everyLedgerRowQueuedOnce(Campaign c) {
    List<Long> handed = jdbc.sql("select id from campaign_recipient where campaign_id = ? and state = 'handed_off' order by id")
        .param(c.id()).query(Long.class).list();
    List<Long> refs = new ArrayList<>(queue.page(c.messageId(), null, 0, 1000).stream().map(BulkSends.Recipient::ref).sorted().toList());
    assertThat(refs).isEqualTo(handed);
  }
}
