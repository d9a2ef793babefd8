package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.herald.delivery.Route.Destination;
import dev.herald.delivery.Route.Server;
import dev.herald.delivery.Route.Servers;
import dev.herald.delivery.smtp.TlsPolicy;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.platform.HeraldProperties;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.TestClock;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What a lane makes of each kind of answer, against real smtp-sinks: delivered, bounced with the reply, deferred and
 * tried again once the clock passes the retry, expired at the give-up age, a throttling reply pausing the whole
 * destination, the sandbox capturing, and a lease taken over by another node after it ran out. The scheduled worker
 * is off here (no delivery role): each test runs a lane itself and moves the clock.
 */
@SpringBootTest(properties = "herald.roles=web,worker")
@Import({TestOrganizations.class, TestClock.class, DeliveryLaneTest.Routes.class})
class DeliveryLaneTest {

  /** Domains routed to a test's sinks; every other domain goes the installation's way (the sandbox). */
  @TestConfiguration
  static class Routes {
    final Map<String, Destination> byDomain = new ConcurrentHashMap<>();

    @Bean
    @Primary
    Route testRoute(@Qualifier("route") Route installation) {
      return (sender, domain) -> byDomain.getOrDefault(domain, installation.route(sender, domain));
    }
  }

  @Autowired Routes routes;
  @Autowired DeliveryWorker worker;
  @Autowired OutboundMessages outbound;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired MutableClock clock;
  @Autowired JdbcClient jdbc;
  @Autowired Destinations destinations;
  @Autowired HeraldProperties properties;
  @Autowired DeliveryServers deliveryServers;
  @Autowired IpPools pools;
  @TempDir Path dumps;

  TestOrganizations.Created org;
  SmtpSink sink;
  static int counter;

  @BeforeEach
  void organization() {
    counter++;
    org = organizations.create("Lane " + counter, "send");
    new TestSendingDomains(sendingDomains, jdbc).verified(org.id(), "lane-" + counter + ".example");
  }

  @AfterEach
  void stopSink() throws Exception {
    if (sink != null) sink.close();
    routes.byDomain.clear();
  }

  /** Routes the domain to a new smtp-sink with these options, as server {@code host}. */
  void sinkFor(String domain, String host, String... options) throws Exception {
    if (sink != null) sink.close();
    sink = SmtpSink.start(dumps, options);
    routes.byDomain.put(domain, new Servers(List.of(new Server(host, List.of(InetAddress.getLoopbackAddress()),
        sink.address.getPort(), TlsPolicy.OPPORTUNISTIC))));
  }

  long send(String... to) {
    return outbound.accept(org.id(), new SendRequest("news@lane-" + counter + ".example", null, List.of(to), null, null, null,
        "Lane test", null, "Hello", null, null, null, null), null).id();
  }

  /** Runs one lane of the domain to its end on this thread, the clock first caught up with the database's. */
  void lane(String domain) {
    lane(worker.parts(), domain);
  }

  void lane(DeliveryWorker.LaneParts parts, String domain) {
    Instant real = Instant.now();
    if (clock.instant().isBefore(real)) clock.advance(Duration.between(clock.instant(), real).plusSeconds(1));
    new DeliveryLane(parts, domain, 50, Set::of, () -> false).run();
  }

  record Row(String state, int attempts, String lastReply, Instant nextAttemptAt) {}

  List<Row> rows(long messageId) {
    return jdbc.sql("select state, attempts, last_reply, next_attempt_at from outbound_recipient where message_id = ? order by id")
        .param(messageId).query((rs, i) -> new Row(rs.getString(1), rs.getInt(2), rs.getString(3), rs.getTimestamp(4).toInstant())).list();
  }

  List<String> attempts(long messageId) {
    return jdbc.sql("select outcome || ' ' || coalesce(reply_code::text, '-') from outbound_attempt where message_id = ? order by id")
        .param(messageId).query(String.class).list();
  }

  @Test
  void a_delivery_server_at_its_hourly_limit_holds_the_rest_without_an_attempt_until_the_next_hour() throws Exception {
    sinkFor("limit.example", "relay.limit.example");
    long server = deliveryServers.create(new DeliveryServers.Settings("Lane relay " + counter, "127.0.0.1",
        sink.address.getPort(), ServerTls.NONE, true, null, null, 2, null)).id();
    routes.byDomain.put("limit.example", new Servers(List.of(new Server("relay.limit.example",
        List.of(InetAddress.getLoopbackAddress()), sink.address.getPort(), TlsPolicy.NONE, null, server))));
    long id = send("a@limit.example", "b@limit.example", "c@limit.example");
    lane("limit.example");
    List<Row> first = rows(id);
    assertThat(first).extracting(Row::state).containsExactly("delivered", "delivered", "queued");
    Instant nextHour = clock.instant().truncatedTo(java.time.temporal.ChronoUnit.HOURS).plus(Duration.ofHours(1));
    assertThat(first.get(2).attempts()).isZero();
    assertThat(first.get(2).nextAttemptAt()).isEqualTo(nextHour);

    clock.advance(Duration.between(clock.instant(), nextHour).plusSeconds(1));
    new DeliveryLane(worker.parts(), "limit.example", 50, Set::of, () -> false).run();
    assertThat(rows(id)).extracting(Row::state).containsExactly("delivered", "delivered", "delivered");
    assertThat(sink.messages(3)).hasSize(3);
  }

  @Test
  void the_worker_binds_the_organizations_ip_pool_and_greets_with_its_ehlo_name() throws Exception {
    IpPools.Pool pool = pools.create("Lane pool " + counter);
    pools.addAddress(pool.id(), "127.0.0.3", "mta3.lane.test");
    pools.assign(org.slug(), pool.id());
    sinkFor("pooled.example", "mx.pooled.example");
    long id = send("ann@pooled.example");
    lane("pooled.example");
    assertThat(rows(id)).extracting(Row::state).containsExactly("delivered");
    assertThat(sink.messages(1)).singleElement().asString().contains("X-Client-Addr: 127.0.0.3", "X-Helo-Args: mta3.lane.test");
    assertThat(jdbc.sql("select source_ip from outbound_attempt where message_id = ?").param(id).query(String.class).list())
        .containsExactly("127.0.0.3");
  }

  @Test
  void a_batch_keeps_one_address_of_a_pool_of_two_so_its_session_carries_every_message() throws Exception {
    IpPools.Pool pool = pools.create("Lane pool of two " + counter);
    pools.addAddress(pool.id(), "127.0.0.5", "mta5.lane.test");
    pools.addAddress(pool.id(), "127.0.0.6", "mta6.lane.test");
    pools.assign(org.slug(), pool.id());
    sinkFor("two.example", "mx.two.example");
    long id = send("a@two.example", "b@two.example", "c@two.example", "d@two.example");
    lane("two.example");
    assertThat(rows(id)).extracting(Row::state).containsOnly("delivered").hasSize(4);
    // The pool's round robin asked per message alternated the address, and a new address closes the session.
    assertThat(jdbc.sql("select distinct source_ip from outbound_attempt where message_id = ?").param(id).query(String.class).list())
        .singleElement().isIn("127.0.0.5", "127.0.0.6");
  }

  @Test
  void a_5xx_bounces_the_recipient_with_the_remote_reply() throws Exception {
    sinkFor("bounce.example", "mx.bounce.example", "-B", "550 5.1.1 No such user here", "-f", "rcpt");
    long id = send("nobody@bounce.example");
    lane("bounce.example");
    assertThat(rows(id)).singleElement().satisfies(r -> {
      assertThat(r.state()).isEqualTo("bounced");
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.lastReply()).isEqualTo("550 5.1.1 No such user here (in reply to RCPT TO)");
    });
    assertThat(attempts(id)).containsExactly("bounced 550");
    assertThat(sink.messages(0)).isEmpty();
  }

  @Test
  void a_deferred_recipient_waits_for_its_retry_and_is_delivered_then() throws Exception {
    sinkFor("later.example", "mx.later.example", "-r", "rcpt");
    long id = send("ann@later.example");
    lane("later.example");
    Row deferred = rows(id).getFirst();
    assertThat(deferred.state()).isEqualTo("deferred");
    assertThat(deferred.lastReply()).isEqualTo("450 4.3.0 Error: command failed (in reply to RCPT TO)");
    Duration first = properties.delivery().retry().first();
    assertThat(deferred.nextAttemptAt()).isAfter(clock.instant().plus(first.multipliedBy(8).dividedBy(10)));

    lane("later.example"); // not due yet: nothing is claimed
    assertThat(rows(id).getFirst().attempts()).isEqualTo(1);

    sinkFor("later.example", "mx.later.example"); // the server takes mail again
    clock.advance(first.multipliedBy(2));
    lane("later.example");
    assertThat(rows(id).getFirst().state()).isEqualTo("delivered");
    assertThat(rows(id).getFirst().attempts()).isEqualTo(2);
    assertThat(attempts(id)).containsExactly("deferred 450", "delivered 250");
    assertThat(sink.messages(1)).hasSize(1);
  }

  @Test
  void a_recipient_still_deferred_at_the_give_up_age_expires() throws Exception {
    sinkFor("never.example", "mx.never.example", "-r", "rcpt");
    long id = send("ann@never.example");
    lane("never.example");
    assertThat(rows(id).getFirst().state()).isEqualTo("deferred");
    clock.advance(properties.delivery().retry().giveUp().plusHours(1));
    lane("never.example");
    assertThat(rows(id).getFirst().state()).isEqualTo("expired");
    assertThat(attempts(id)).containsExactly("deferred 450", "expired 450");
  }

  @Test
  void mail_of_a_domain_no_longer_verified_is_held_not_sent_unsigned_and_goes_signed_once_it_is_verified_again() throws Exception {
    sinkFor("held.example", "mx.held.example");
    long id = send("ann@held.example");
    String sending = "lane-" + counter + ".example";
    jdbc.sql("update sending_domain set verified = false where name = ?").param(sending).update();
    lane("held.example");
    Row held = rows(id).getFirst();
    assertThat(held.state()).isEqualTo("deferred");
    assertThat(held.attempts()).isEqualTo(1);
    assertThat(held.lastReply()).isEqualTo(DeliveryLane.HELD_UNSIGNED.formatted(sending));
    assertThat(held.nextAttemptAt()).isAfter(clock.instant());
    assertThat(attempts(id)).containsExactly("deferred -");
    assertThat(sink.messages(0)).isEmpty();

    jdbc.sql("update sending_domain set verified = true where name = ?").param(sending).update();
    clock.advance(properties.delivery().retry().first().multipliedBy(2)); // past the retry and the signers' memory
    lane("held.example");
    assertThat(rows(id).getFirst().state()).isEqualTo("delivered");
    assertThat(attempts(id)).containsExactly("deferred -", "delivered 250");
    assertThat(sink.messages(1)).singleElement().asString().contains("DKIM-Signature: v=1;").contains(" d=" + sending + ";");
  }

  @Test
  void the_recipients_of_one_message_in_a_batch_share_one_signature() throws Exception {
    sinkFor("many.example", "mx.many.example");
    long id = send("a@many.example", "b@many.example", "c@many.example");
    // A clock a second later at each reading: a message signed per recipient would carry three different t= tags.
    java.util.concurrent.atomic.AtomicLong readings = new java.util.concurrent.atomic.AtomicLong();
    java.time.Clock ticking = new java.time.Clock() {
      @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
      @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public Instant instant() { return clock.instant().plusSeconds(readings.incrementAndGet()); }
    };
    DeliveryWorker.LaneParts p = worker.parts();
    lane(new DeliveryWorker.LaneParts(p.queue(), p.sources(), new Signers(sendingDomains, ticking), p.returnPath(), p.routing(), p.attempt(),
        p.sandbox(), p.destinations(), p.shaping(), p.retry(), p.clock(), p.sites(), p.sessions()), "many.example");
    assertThat(rows(id)).extracting(Row::state).containsExactly("delivered", "delivered", "delivered");
    List<String> captured = sink.messages(3);
    assertThat(captured).hasSize(3);
    java.util.regex.Pattern t = java.util.regex.Pattern.compile("\\bt=(\\d+);");
    List<String> times = captured.stream().map(m -> t.matcher(m).results().map(r -> r.group(1)).toList().toString()).distinct().toList();
    assertThat(times).singleElement().asString().matches("\\[\\d+, \\d+\\]"); // both keys' t=, the same in every copy
    assertThat(readings.get()).isPositive();
  }

  @Test
  void mail_held_for_a_domain_without_an_active_key_expires_at_the_give_up_age() throws Exception {
    sinkFor("keyless.example", "mx.keyless.example");
    long id = send("ann@keyless.example");
    jdbc.sql("delete from domain_record_check where record like 'dkim:%' and domain_id = (select id from sending_domain where name = ?)")
        .param("lane-" + counter + ".example").update(); // its keys' records no longer check: no active key signs
    lane("keyless.example");
    assertThat(rows(id).getFirst().state()).isEqualTo("deferred");
    // Aged in the database rather than by the clock, which the other tests share: queued past the give-up age, due now.
    jdbc.sql("update outbound_recipient set created_at = created_at - make_interval(secs => ?), next_attempt_at = now() - interval '1 minute'"
        + " where message_id = ?").params(properties.delivery().retry().giveUp().plusHours(1).toSeconds(), id).update();
    lane("keyless.example");
    Row expired = rows(id).getFirst();
    assertThat(expired.state()).isEqualTo("expired");
    assertThat(expired.lastReply()).isEqualTo(DeliveryLane.HELD_UNSIGNED.formatted("lane-" + counter + ".example"));
    assertThat(attempts(id)).containsExactly("deferred -", "expired -");
    assertThat(sink.messages(0)).isEmpty();
  }

  @Test
  void a_throttling_reply_pauses_the_whole_destination() throws Exception {
    sinkFor("busy.example", "mx.busy.example", "-b", "450 4.7.0 Rate limited, too many messages", "-r", "rcpt");
    long first = send("a@busy.example");
    long second = send("b@busy.example");
    long third = send("c@busy.example");
    lane("busy.example");
    Site site = worker.parts().shaping().site(List.of("mx.busy.example"));
    Instant pausedUntil = destinations.suspendedUntil(site).orElseThrow();
    assertThat(rows(first).getFirst().state()).isEqualTo("deferred");
    assertThat(rows(first).getFirst().lastReply()).contains("Rate limited");
    // The others were not tried: given back, due when the pause ends.
    for (long id : List.of(second, third)) {
      assertThat(rows(id).getFirst().state()).isEqualTo("queued");
      assertThat(rows(id).getFirst().attempts()).isZero();
      // (the database keeps microseconds)
      assertThat(rows(id).getFirst().nextAttemptAt()).isBetween(pausedUntil.minusMillis(1), pausedUntil.plusMillis(1));
      assertThat(attempts(id)).isEmpty();
    }

    sinkFor("busy.example", "mx.busy.example");
    clock.advance(Duration.between(clock.instant(), pausedUntil).plusSeconds(1));
    lane("busy.example");
    assertThat(rows(second).getFirst().state()).isEqualTo("delivered");
    assertThat(rows(third).getFirst().state()).isEqualTo("delivered");
  }

  /** The key a lane of this test's organization parks its sessions to these servers under. */
  SessionCache.Key sessionKey(Servers servers) {
    return new SessionCache.Key(servers, worker.parts().routing().egress(new Route.Sender(org.id(), "lane-" + counter + ".example")));
  }

  /** Waits (at most 5 s) until the sink has seen this many sessions end. */
  void sinkSessionsEnded(int expected) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    while (sink.sessions() < expected && System.nanoTime() < deadline) Thread.sleep(20);
    assertThat(sink.sessions()).isEqualTo(expected);
  }

  @Test
  void a_lane_of_another_domain_routed_to_the_same_server_takes_the_session_the_first_lane_left_open() throws Exception {
    sinkFor("shared-a.example", "mx.shared.example", "-c");
    Servers servers = (Servers) routes.byDomain.get("shared-a.example");
    routes.byDomain.put("shared-b.example", servers);
    long a = send("ann@shared-a.example", "amy@shared-a.example");
    long b = send("bob@shared-b.example");
    SessionCache sessions = worker.parts().sessions();
    long opened = sessions.openedCount();
    long reused = sessions.reusedCount();
    lane("shared-a.example");
    // Straight on, the clock not moved: the session is parked for SessionCache.IDLE by the test's clock.
    new DeliveryLane(worker.parts(), "shared-b.example", 50, Set::of, () -> false).run();

    assertThat(rows(a)).extracting(Row::state).containsExactly("delivered", "delivered");
    assertThat(rows(b)).extracting(Row::state).containsExactly("delivered");
    assertThat(SmtpSink.perRecipient(sink.captured())).containsOnly(
        Map.entry("ann@shared-a.example", 1), Map.entry("amy@shared-a.example", 1), Map.entry("bob@shared-b.example", 1));
    assertThat(sessions.openedCount() - opened).as("sessions opened").isEqualTo(1);
    assertThat(sessions.reusedCount() - reused).as("parked sessions taken").isEqualTo(1);
    assertThat(sink.sessions()).as("sessions ended at the sink").isZero();
    // Still open, parked for the next lane; closed, it ends at the sink as the one session of both domains.
    SessionCache.Parked parked = sessions.take(sessionKey(servers)).orElseThrow();
    assertThat(parked.permit().delivered()).isEqualTo(3);
    parked.session().connection().close();
    parked.permit().close();
    sinkSessionsEnded(1);
  }

  @Test
  void a_session_whose_server_answered_421_is_closed_and_not_left_for_another_lane() throws Exception {
    sinkFor("refusing.example", "mx.refusing.example", "-c", "-b", "421 4.7.0 Try again later", "-r", "rcpt");
    Servers servers = (Servers) routes.byDomain.get("refusing.example");
    long id = send("ann@refusing.example");
    long opened = worker.parts().sessions().openedCount();
    lane("refusing.example");
    assertThat(rows(id).getFirst().state()).isEqualTo("deferred");
    assertThat(rows(id).getFirst().lastReply()).contains("421");
    assertThat(worker.parts().sessions().openedCount() - opened).isEqualTo(1);
    assertThat(worker.parts().sessions().take(sessionKey(servers))).isEmpty();
    sinkSessionsEnded(1);
    // The throttling reply still pauses the whole destination, as without the cache.
    assertThat(destinations.suspendedUntil(worker.parts().shaping().site(List.of("mx.refusing.example")))).isPresent();
  }

  @Test
  void under_the_sandbox_route_the_worker_delivers_into_the_sandbox_mailbox() {
    long id = send("reader@captured.example");
    lane("captured.example");
    assertThat(rows(id).getFirst().state()).isEqualTo("delivered");
    assertThat(rows(id).getFirst().lastReply()).isEqualTo("250 2.0.0 kept in the sandbox mailbox");
    String captured = jdbc.sql("select body_text from sandbox_message where recipient = 'reader@captured.example' and purpose = 'delivery'")
        .query(String.class).single();
    assertThat(captured).contains("Subject: Lane test").contains("Hello");
  }

  @Test
  void another_node_takes_over_a_lease_that_ran_out_and_the_first_nodes_late_write_changes_nothing() throws Exception {
    sinkFor("takeover.example", "mx.takeover.example");
    long id = send("ann@takeover.example");
    Instant real = Instant.now();
    if (clock.instant().isBefore(real)) clock.advance(Duration.between(clock.instant(), real).plusSeconds(1));
    Duration term = properties.delivery().worker().leaseTerm();
    DeliveryQueue first = new DeliveryQueue(jdbc, clock, "node-a", term);
    List<DeliveryQueue.Claimed> claimed = first.claim("takeover.example", 10, Set.of());
    assertThat(claimed).hasSize(1);
    assertThat(first.claim("takeover.example", 10, Set.of())).as("held while the lease runs").isEmpty();

    clock.advance(term.plusSeconds(1)); // node-a stalled past its lease
    DeliveryQueue second = new DeliveryQueue(jdbc, clock, "node-b", term);
    lane(worker.parts().withQueue(second), "takeover.example");
    assertThat(rows(id).getFirst().state()).isEqualTo("delivered");

    DeliveryQueue.Claimed late = claimed.getFirst();
    int written = first.record(List.of(new DeliveryQueue.Result(late, RecipientState.BOUNCED, null, clock.instant(), null, null, null,
        550, "5.0.0", "late", 1)));
    assertThat(written).isZero();
    assertThat(first.release(claimed, clock.instant())).isZero();
    assertThat(first.renew(claimed)).as("a lease taken over is not renewed").isEmpty();
    assertThat(rows(id).getFirst().state()).isEqualTo("delivered");
    assertThat(attempts(id)).containsExactly("delivered 250");
    assertThat(jdbc.sql("select lease_owner from outbound_recipient where message_id = ?").param(id).query(String.class).single())
        .isEqualTo("node-b");
  }

  /** The clock caught up with the database's (rows are due by its now()). */
  void catchUp() {
    Instant real = Instant.now();
    if (clock.instant().isBefore(real)) clock.advance(Duration.between(clock.instant(), real).plusSeconds(1));
  }

  long claims(long messageId) {
    return jdbc.sql("select coalesce(sum(lease_attempt), 0) from outbound_recipient where message_id = ?").param(messageId).query(Long.class).single();
  }

  @Test
  void a_rate_limited_lane_claims_no_more_than_the_rate_lets_go_now_and_gives_nothing_back() throws Exception {
    sinkFor("rated.example", "mx.rated.example");
    DeliveryWorker.LaneParts p = worker.parts();
    // 3 a minute: a burst of 3, then one every 20 s (longer than a lane waits for its rate).
    ShapingRules threeAMinute = new ShapingRules(ShapingRules.KUMOMTA_DEFAULT,
        List.of(new ShapingRules.Override("mx.rated.example", null, null, Rate.parse("3/min"))));
    DeliveryWorker.LaneParts rated = new DeliveryWorker.LaneParts(p.queue(), p.sources(), p.signers(), p.returnPath(), p.routing(),
        p.attempt(), p.sandbox(), p.destinations(), threeAMinute, p.retry(), p.clock(), p.sites(), p.sessions());
    long learn = send("first@rated.example"); // the lane learns the domain's site (one of the 3 goes)
    lane(rated, "rated.example");
    assertThat(rows(learn)).extracting(Row::state).containsExactly("delivered");

    long id = send("b@rated.example", "c@rated.example", "d@rated.example", "e@rated.example", "f@rated.example", "g@rated.example");
    lane(rated, "rated.example");
    assertThat(rows(id)).extracting(Row::state).containsExactly("delivered", "delivered", "queued", "queued", "queued", "queued");
    // Two claimed and sent; the rest never claimed (a claim of all six would have given four back: released rows count here).
    assertThat(claims(id)).isEqualTo(2);
    assertThat(rows(id).subList(2, 6)).allSatisfy(r -> assertThat(r.attempts()).isZero());

    clock.advance(Duration.ofMinutes(1)); // the bucket is full again: 3
    lane(rated, "rated.example");
    assertThat(rows(id)).extracting(Row::state).containsExactly("delivered", "delivered", "delivered", "delivered", "delivered", "queued");
    assertThat(claims(id)).isEqualTo(5);
    assertThat(attempts(id)).hasSize(5).allMatch(a -> a.equals("delivered 250"));
    assertThat(sink.messages(6)).hasSize(6);
  }

  @Test
  void a_batch_that_outlasts_its_lease_renews_it_and_no_other_node_takes_its_recipients_meanwhile() throws Exception {
    sinkFor("slow.example", "mx.slow.example");
    String[] to = java.util.stream.IntStream.rangeClosed(1, 8).mapToObj(i -> "r" + i + "@slow.example").toArray(String[]::new);
    long id = send(to);
    catchUp();
    Duration term = properties.delivery().worker().leaseTerm();
    DeliveryQueue other = new DeliveryQueue(jdbc, clock, "node-b", term);
    List<DeliveryQueue.Claimed> takenOver = new java.util.concurrent.CopyOnWriteArrayList<>();
    // A slow peer: every reading of the lane's clock finds a fifth of the term gone, so the eight messages take more
    // than the term. Once the first claim's lease would have run out, another node tries to claim the domain.
    java.time.Clock slow = new java.time.Clock() {
      Instant start;
      boolean tried;

      @Override public java.time.ZoneId getZone() { return java.time.ZoneOffset.UTC; }
      @Override public java.time.Clock withZone(java.time.ZoneId zone) { return this; }
      @Override public synchronized Instant instant() {
        clock.advance(term.dividedBy(5));
        Instant now = clock.instant();
        if (start == null) start = now;
        if (!tried && now.isAfter(start.plus(term).plusSeconds(1))) {
          tried = true;
          takenOver.addAll(other.claim("slow.example", 10, Set.of()));
        }
        return now;
      }
    };
    DeliveryWorker.LaneParts p = worker.parts();
    DeliveryQueue mine = new DeliveryQueue(jdbc, slow, "node-a", term);
    new DeliveryLane(new DeliveryWorker.LaneParts(mine, p.sources(), p.signers(), p.returnPath(), p.routing(), p.attempt(), p.sandbox(),
        p.destinations(), p.shaping(), p.retry(), slow, p.sites(), p.sessions()), "slow.example", 50, Set::of, () -> false).run();

    assertThat(takenOver).as("recipients claimed by another node while still being sent").isEmpty();
    assertThat(rows(id)).extracting(Row::state).containsOnly("delivered").hasSize(8);
    assertThat(claims(id)).as("each claimed once").isEqualTo(8);
    assertThat(sink.messages(8)).hasSize(8);
  }

  @Test
  void a_failed_pause_look_up_gives_the_recipient_back_unsent_and_it_goes_later() throws Exception {
    sinkFor("pauses.example", "mx.pauses.example");
    long id = send("ann@pauses.example");
    catchUp();
    // A queue of its own: it has not read the pauses yet, so the lane's look-up goes to the table.
    DeliveryQueue queue = new DeliveryQueue(jdbc, clock, "node-p", properties.delivery().worker().leaseTerm());
    List<DeliveryQueue.Claimed> batch = queue.claim("pauses.example", 10, Set.of());
    assertThat(batch).hasSize(1);
    jdbc.sql("alter table queue_pause rename to queue_pause_away").update();
    try {
      new DeliveryLane(worker.parts().withQueue(queue), "pauses.example", 50, Set::of, () -> false).deliver(batch);
    } finally {
      jdbc.sql("alter table queue_pause_away rename to queue_pause").update();
    }
    Row back = rows(id).getFirst();
    assertThat(back.state()).isEqualTo("queued");
    assertThat(back.attempts()).isZero();
    assertThat(attempts(id)).isEmpty();
    assertThat(sink.messages(0)).isEmpty();

    lane("pauses.example");
    assertThat(rows(id)).extracting(Row::state).containsExactly("delivered");
    assertThat(sink.messages(1)).hasSize(1);
  }
}
