package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.security.test.web.servlet.request.SecurityMockMvcRequestPostProcessors.csrf;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import dev.herald.domains.SendingDomains;
import dev.herald.messages.ReturnPath;
import dev.herald.privacy.RequestChannel;
import dev.herald.privacy.RequestCompletion;
import dev.herald.suppression.RestrictionKind;
import dev.herald.suppression.Restrictions;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import dev.herald.testsupport.VerifiedSenders;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.RequestPostProcessor;

/**
 * The operator's pause with the worker running (delivery role, static route to Postfix's smtp-sink): a paused
 * destination gets nothing while others are delivered, and everything once resumed; the whole queue's pause holds
 * every claim; a lane holding a batch gives the rest back once it sees the pause. And the queue's metrics after real
 * deliveries: results counted, latency measured, gauges equal to the queue.
 */
@SpringBootTest(properties = {"herald.roles=web,delivery,worker", "herald.delivery.worker.poll=50ms", "herald.delivery.route=static"})
@AutoConfigureMockMvc
@Import(TestOrganizations.class)
class QueuePauseDeliveryTest {
  static SmtpSink sink;

  @DynamicPropertySource
  static void staticRoute(DynamicPropertyRegistry registry) throws Exception {
    sink = SmtpSink.forStaticRoute(registry);
  }

  @AfterAll
  static void stopSink() throws Exception {
    sink.close();
  }

  @Autowired MockMvc mvc;
  @Autowired TestOrganizations organizations;
  @Autowired SendingDomains sendingDomains;
  @Autowired OutboundMessages outbound;
  @Autowired DeliveryQueue queue;
  @Autowired QueueView view;
  @Autowired MeterRegistry meters;
  @Autowired JdbcClient jdbc;
  @Autowired List<MessageSource> sources;
  @Autowired ReturnPath returnPath;
  @Autowired Routing routing;
  @Autowired DeliveryAttempt attempt;
  @Autowired SandboxMailbox sandbox;
  @Autowired Destinations destinations;
  @Autowired ShapingRules shaping;
  @Autowired RetrySchedule retry;
  @Autowired Clock clock;
  @Autowired Restrictions restrictions;
  @Autowired RequestCompletion completion;

  static int counter;

  record Sender(TestOrganizations.Created org, String from) {}

  Sender sender() {
    counter++;
    TestOrganizations.Created org = organizations.create("Pause " + counter, "send");
    String domain = "pause-" + counter + ".example";
    return new Sender(org, new VerifiedSenders(sendingDomains, jdbc).organization(org.id(), domain).from());
  }

  long send(Sender s, String... to) {
    return outbound.accept(s.org().id(), new SendRequest(s.from(), null, List.of(to), null, null, null, "Pause test", null, "Hi",
        null, null, null, null), null).id();
  }

  String state(String address) {
    return jdbc.sql("select state from outbound_recipient where address = ?").param(address).query(String.class).single();
  }

  RequestPostProcessor operator() {
    return organizations.asNewOperator("operator-" + (++counter) + "@pause.test");
  }

  void api(String path, RequestPostProcessor operator) throws Exception {
    assertThat(mvc.perform(post(path).with(operator).with(csrf())).andReturn().getResponse().getStatus()).isEqualTo(200);
  }

  static void waitFor(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as("waited 20 s for " + what).isLessThan(deadline);
      Thread.sleep(20);
    }
  }

  @Test
  void a_paused_destination_gets_nothing_while_others_are_delivered_and_everything_once_resumed() throws Exception {
    Sender s = sender();
    RequestPostProcessor operator = operator();
    api("/api/v1/operator/queue/destinations/paused.example/pause", operator);
    send(s, "ann@paused.example", "bob@paused.example");
    send(s, "cy@open.example");
    waitFor("the open destination delivered", () -> state("cy@open.example").equals("delivered"));
    assertThat(state("ann@paused.example")).isEqualTo("queued");
    assertThat(state("bob@paused.example")).isEqualTo("queued");
    assertThat(queue.claim("paused.example", 10, Set.of())).as("the claim holds them back").isEmpty();
    assertThat(queue.dueDomains(Set.of(), 500)).extracting(DeliveryQueue.DueDomain::domain).doesNotContain("paused.example");

    api("/api/v1/operator/queue/destinations/paused.example/resume", operator);
    waitFor("the resumed destination delivered", () -> state("ann@paused.example").equals("delivered")
        && state("bob@paused.example").equals("delivered"));
  }

  @Test
  void the_whole_queues_pause_holds_every_claim_until_resumed() throws Exception {
    Sender s = sender();
    RequestPostProcessor operator = operator();
    api("/api/v1/operator/queue/pause", operator);
    try {
      send(s, "dan@anywhere.example");
      assertThat(queue.claim("anywhere.example", 10, Set.of())).isEmpty();
      assertThat(queue.dueDomains(Set.of(), 500)).isEmpty();
      assertThat(state("dan@anywhere.example")).isEqualTo("queued");
    } finally {
      api("/api/v1/operator/queue/resume", operator);
    }
    waitFor("delivered after the resumption", () -> state("dan@anywhere.example").equals("delivered"));
  }

  @Test
  void a_lane_holding_a_batch_gives_the_rest_back_once_its_destination_is_paused() throws Exception {
    Sender s = sender();
    // Suspended, so the running worker leaves these recipients alone and this test claims them itself.
    jdbc.sql("update organization set suspended_at = now(), suspended_reason = 'test' where id = ?").param(s.org().id()).update();
    send(s, "eve@batch.example", "fay@batch.example", "gil@batch.example");
    List<DeliveryQueue.Claimed> batch = queue.claim("batch.example", 10, Set.of());
    assertThat(batch).hasSize(3);
    api("/api/v1/operator/queue/destinations/batch.example/pause", operator());
    waitFor("this node sees the pause", () -> queue.paused("batch.example"));

    DeliveryWorker.LaneParts parts = new DeliveryWorker.LaneParts(queue, DeliveryWorker.LaneParts.byKind(sources),
        new Signers(sendingDomains, clock), returnPath, routing, attempt, sandbox, destinations, shaping, retry, clock,
        new ConcurrentHashMap<>(), new SessionCache(clock, 4));
    new DeliveryLane(parts, "batch.example", 10, Set::of, () -> false).deliver(batch);
    assertThat(List.of(state("eve@batch.example"), state("fay@batch.example"), state("gil@batch.example")))
        .containsOnly("queued");
    assertThat(jdbc.sql("select count(*) from outbound_attempt a join outbound_recipient r on r.id = a.recipient_id "
        + "where r.domain = 'batch.example'").query(Long.class).single()).isZero();
  }

  double counted(String result) {
    return meters.get("herald.deliveries").tag("result", result).counter().count();
  }

  @Test
  void deliveries_are_counted_by_result_with_their_latency_and_the_gauges_show_the_queue() throws Exception {
    Sender s = sender();
    double delivered = counted("delivered");
    long latencies = meters.get("herald.delivery.latency").timer().count();

    send(s, "hal@metrics.example", "ida@metrics.example");
    waitFor("both delivered", () -> state("hal@metrics.example").equals("delivered") && state("ida@metrics.example").equals("delivered"));
    assertThat(counted("delivered") - delivered).isEqualTo(2.0);
    assertThat(meters.get("herald.delivery.latency").timer().count() - latencies).isEqualTo(2);

    // Waiting mail, held back by a pause, is what the gauges count.
    RequestPostProcessor operator = operator();
    api("/api/v1/operator/queue/destinations/gauges.example/pause", operator);
    send(s, "jo@gauges.example", "kit@gauges.example", "lu@gauges.example");
    view.forgetTotals();
    long queued = jdbc.sql("select count(*) from outbound_recipient where state = 'queued'").query(Long.class).single();
    assertThat(queued).isGreaterThanOrEqualTo(3);
    assertThat(meters.get("herald.queue.recipients").tag("state", "queued").gauge().value()).isEqualTo((double) queued);

    String scraped = mvc.perform(get("/actuator/prometheus")).andReturn().getResponse().getContentAsString();
    assertThat(scraped).contains("herald_queue_recipients{state=\"queued\"} " + (double) queued)
        .contains("herald_deliveries_total{result=\"delivered\"}")
        .contains("herald_delivery_latency_seconds_count")
        .contains("herald_delivery_latency_seconds_bucket");
    api("/api/v1/operator/queue/destinations/gauges.example/resume", operator);
  }
  /**
   * Send-API mail is screened again when the worker takes it, not only when accepted: accepted while the people were
   * free and held by a paused destination, then one restricted (GDPR art. 18) and one erased, it goes only to the third
   * once resumed; the restricted one ends "Not sent" with the reason on the message page and in the API, the erased one
   * ends deleted with a reason that names nobody.
   */
  @Test
  void queued_send_api_mail_is_screened_again_at_delivery_and_a_person_restricted_or_erased_since_gets_nothing() throws Exception {
    Sender s = sender();
    RequestPostProcessor operator = operator();
    String free = "free@recheck.example", restricted = "kept@recheck.example", erased = "gone@recheck.example";
    api("/api/v1/operator/queue/destinations/recheck.example/pause", operator);
    long id = send(s, free, restricted, erased);
    assertThat(List.of(state(free), state(restricted), state(erased))).as("accepted while they were free").containsOnly("queued");

    restrictions.restrict(s.org().id(), restricted, RestrictionKind.RESTRICTION, "contests the data's accuracy");
    completion.eraseNow(s.org().id(), erased, RequestChannel.API, "test");
    api("/api/v1/operator/queue/destinations/recheck.example/resume", operator);

    waitFor("the free person's mail delivered", () -> state(free).equals("delivered"));
    waitFor("the restricted person's row ended", () -> state(restricted).equals("failed"));
    assertThat(jdbc.sql("select last_reply from outbound_recipient where address = ?").param(restricted).query(String.class).single())
        .isEqualTo("Not sent: processing restricted at the person's request");
    assertThat(jdbc.sql("select count(*) from outbound_attempt a join outbound_recipient r on r.id = a.recipient_id where r.address = ?")
        .param(restricted).query(Long.class).single()).as("never tried").isZero();
    record Row(String state, String lastReply) {}
    assertThat(jdbc.sql("select state, last_reply from outbound_recipient where message_id = ? and address = ''").param(id)
        .query((rs, i) -> new Row(rs.getString(1), rs.getString(2))).single())
        .isEqualTo(new Row("deleted", DeliveryPersonalData.ERASED_UNSENT));
    assertThat(sink.capturedFor(free)).hasSize(1);
    assertThat(sink.capturedFor(restricted)).isEmpty();
    assertThat(sink.capturedFor(erased)).isEmpty();

    String api = mvc.perform(get("/api/v1/orgs/" + s.org().slug() + "/messages/" + id).header("Authorization", "Bearer " + s.org().apiKey()))
        .andReturn().getResponse().getContentAsString();
    assertThat(api).contains("\"lastReply\":\"Not sent: processing restricted at the person's request\"")
        .contains("\"lastReply\":\"" + DeliveryPersonalData.ERASED_UNSENT + "\"").doesNotContain(erased);
    String page = mvc.perform(get("/o/" + s.org().slug() + "/messages/" + id).with(organizations.asOwner(s.org()))).andReturn().getResponse()
        .getContentAsString();
    assertThat(page).contains("Not sent: processing restricted at the person&#39;s request", "Not sent", "Deleted");
  }
}
