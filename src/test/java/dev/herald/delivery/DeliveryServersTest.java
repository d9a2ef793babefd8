package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.Route.Unroutable;
import dev.herald.delivery.smtp.Envelope;
import dev.herald.delivery.smtp.RecipientResult.Deferred;
import dev.herald.delivery.smtp.TlsPolicy;
import dev.herald.domains.SendingDomains;
import dev.herald.domains.TestSendingDomains;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.platform.Secrets;
import dev.herald.tenancy.AuditLog;
import dev.herald.tenancy.Organizations;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.MutableClock;
import dev.herald.testsupport.SmtpSink;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.transaction.PlatformTransactionManager;

/**
 * Stored delivery servers: the route over them passes the route contract (smtp-sink plays the relay), a sending
 * domain's server wins over its organization's, the password lives only in Secrets, the limits are counted durably
 * and shared by nodes, and a relay's refusals defer.
 */
@SpringBootTest
@Import(TestOrganizations.class)
class DeliveryServersTest extends SinkRouteContract {
  @Autowired TestOrganizations organizations;
  @Autowired DeliveryServers servers;
  @Autowired SendingDomains sendingDomains;
  @Autowired JdbcClient jdbc;
  @Autowired Secrets secrets;
  @Autowired AuditLog audit;
  @Autowired Organizations orgs;
  @Autowired PlatformTransactionManager transactions;

  static int counter;
  TestOrganizations.Created acme;
  String domain;

  @BeforeEach
  void organization() {
    counter++;
    acme = organizations.create("Relay " + counter, "send");
    domain = "relay-" + counter + ".example";
    new TestSendingDomains(sendingDomains, jdbc).verified(acme.id(), domain);
  }

  @Override
  Sender sender() {
    return new Sender(acme.id(), domain);
  }

  static DeliveryServers.Settings settings(String name, String host, int port, ServerTls tls) {
    return new DeliveryServers.Settings(name, host, port, tls, true, null, null, null, null);
  }

  @Override
  Route routeTo(SmtpSink sink, String recipientDomain) {
    DeliveryServers.Server relay = servers.create(settings("Sink " + counter, "127.0.0.1", sink.address.getPort(), ServerTls.NONE));
    servers.assign(relay.id(), acme.slug(), domain);
    return new SmarthostRoute(servers, SmarthostRouteTest.NOWHERE, null);
  }

  DeliveryServers node(MutableClock clock) {
    return new DeliveryServers(jdbc, secrets, audit, orgs, sendingDomains, clock, transactions);
  }

  @Test
  void a_sending_domains_server_wins_over_its_organizations_and_others_take_the_fallback() {
    var forOrg = servers.create(settings("Org relay " + counter, "relay.example.net", 587, ServerTls.STARTTLS));
    var forDomain = servers.create(settings("Domain relay " + counter, "127.0.0.9", 465, ServerTls.IMPLICIT));
    servers.assign(forOrg.id(), acme.slug(), null);
    servers.assign(forDomain.id(), acme.slug(), domain.toUpperCase());

    assertThat(servers.assignedTo(new Sender(acme.id(), domain))).get().satisfies(s -> {
      assertThat(s.id()).isEqualTo(forDomain.id());
      assertThat(s.tls()).isEqualTo(TlsPolicy.IMPLICIT_VERIFIED);
    });
    assertThat(servers.assignedTo(new Sender(acme.id(), "other." + domain))).get()
        .satisfies(s -> assertThat(s.tls()).isEqualTo(TlsPolicy.VERIFIED));
    TestOrganizations.Created other = organizations.create("No relay " + counter, "send");
    assertThat(servers.assignedTo(new Sender(other.id(), domain))).isEmpty();
    assertThat(servers.forOrganization(acme.id())).extracting(DeliveryServers.Assignment::sendingDomain)
        .containsExactly(null, domain);
    assertThat(servers.forOrganization(other.id())).isEmpty();
  }

  @Test
  void the_password_is_kept_encrypted_in_secrets_and_never_shown_or_audited() {
    var created = servers.create(new DeliveryServers.Settings("Authed " + counter, "smtp.example.net", null,
        ServerTls.STARTTLS, true, "herald@example.net", "pa55-word-xyz", 100, 1000));
    assertThat(created.port()).isEqualTo(587);
    assertThat(created.hasPassword()).isTrue();
    assertThat(created.toString()).doesNotContain("pa55-word-xyz");
    assertThat(new String(secrets.get(DeliveryServers.secretName(created.id())).orElseThrow(), StandardCharsets.UTF_8))
        .isEqualTo("pa55-word-xyz");
    byte[] stored = jdbc.sql("select ciphertext from secret where name = ?").param(DeliveryServers.secretName(created.id()))
        .query(byte[].class).single();
    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("pa55-word-xyz");
    assertThat(jdbc.sql("select detail from audit_event where object_type = 'delivery_server' and object_id = ?")
        .param(Long.toString(created.id())).query(String.class).list())
        .singleElement().asString().contains("AUTH as herald@example.net (password set)").doesNotContain("pa55");

    servers.assign(created.id(), acme.slug(), null);
    assertThat(servers.assignedTo(sender())).get().satisfies(s -> {
      assertThat(s.credentials().user()).isEqualTo("herald@example.net");
      assertThat(s.credentials().password()).isEqualTo("pa55-word-xyz");
    });

    // a change without a password keeps it; removing the user removes it
    servers.update(created.id(), new DeliveryServers.Settings("Authed " + counter, "smtp.example.net", 587,
        ServerTls.STARTTLS, true, "herald@example.net", "", 100, 1000));
    assertThat(secrets.get(DeliveryServers.secretName(created.id()))).isPresent();
    servers.update(created.id(), settings("Authed " + counter, "smtp.example.net", 587, ServerTls.STARTTLS));
    assertThat(secrets.get(DeliveryServers.secretName(created.id()))).isEmpty();
    assertThat(servers.get(created.id()).hasPassword()).isFalse();
  }

  @Test
  void settings_are_checked_each_with_its_field() {
    assertThat(field(() -> servers.create(settings("", "h.example", 25, ServerTls.NONE)))).isEqualTo("name");
    assertThat(field(() -> servers.create(settings("x" + counter, "not a host", 25, ServerTls.NONE)))).isEqualTo("host");
    assertThat(field(() -> servers.create(settings("x" + counter, "h.example", 70000, ServerTls.NONE)))).isEqualTo("port");
    // a password is never sent in clear over a network
    assertThat(field(() -> servers.create(new DeliveryServers.Settings("x" + counter, "relay.example.net", 25,
        ServerTls.NONE, true, "user", "secret", null, null)))).isEqualTo("tls");
    assertThat(field(() -> servers.create(new DeliveryServers.Settings("x" + counter, "relay.example.net", 587,
        ServerTls.STARTTLS, true, "user", "", null, null)))).isEqualTo("password");
    assertThat(field(() -> servers.create(new DeliveryServers.Settings("x" + counter, "relay.example.net", 587,
        ServerTls.STARTTLS, true, null, null, 0, null)))).isEqualTo("hourlyLimit");
    var ok = servers.create(settings("Dup " + counter, "relay.example.net", 587, ServerTls.STARTTLS));
    assertThatThrownBy(() -> servers.create(settings("dup " + counter, "relay.example.net", 587, ServerTls.STARTTLS)))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.refusal()).isInstanceOf(Refusal.Conflict.class));
    assertThat(field(() -> servers.assign(ok.id(), acme.slug(), "not-theirs.example"))).isEqualTo("sendingDomain");
    assertThat(field(() -> servers.assign(ok.id(), "no-such-org-" + counter, null))).isEqualTo("organization");
  }

  static String field(Runnable action) {
    try {
      action.run();
    } catch (Refused r) {
      if (r.refusal() instanceof Refusal.Invalid invalid) return invalid.field();
      throw r;
    }
    throw new AssertionError("not refused");
  }

  @Test
  void limits_count_per_hour_and_day_across_nodes_and_free_with_the_window() {
    var limited = servers.create(new DeliveryServers.Settings("Limited " + counter, "127.0.0.1", 2525, ServerTls.NONE,
        true, null, null, 2, 3));
    long relay = limited.id();
    MutableClock clock = new MutableClock(Instant.parse("2031-03-04T10:15:00Z"));
    DeliveryServers nodeA = node(clock);
    DeliveryServers nodeB = node(clock);

    assertThat(nodeA.take(relay)).isEmpty();
    assertThat(nodeB.take(relay)).isEmpty();
    assertThat(nodeA.take(relay)).contains(new SmarthostRoute.Full(
        "the delivery server Limited " + counter + " has taken its 2 messages this hour; the next hour starts at 11:00 UTC",
        Instant.parse("2031-03-04T11:00:00Z")));
    clock.advance(Duration.ofHours(1));
    assertThat(nodeB.take(relay)).isEmpty();
    assertThat(nodeA.take(relay)).contains(new SmarthostRoute.Full(
        "the delivery server Limited " + counter + " has taken its 3 messages today; the next day starts at 00:00 UTC",
        Instant.parse("2031-03-05T00:00:00Z")));
    clock.advance(Duration.ofHours(14)); // 01:15 the next day
    assertThat(nodeB.take(relay)).isEmpty();
    assertThat(jdbc.sql("select sum(messages) from delivery_server_usage where server_id = ?").param(limited.id())
        .query(Long.class).single()).isEqualTo(4);
  }

  @Test
  void nodes_counting_at_once_never_pass_a_limit_together() throws Exception {
    var limited = servers.create(new DeliveryServers.Settings("Busy " + counter, "127.0.0.1", 2525, ServerTls.NONE,
        true, null, null, 5, null));
    long relay = limited.id();
    List<Callable<Boolean>> takes = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      DeliveryServers node = node(new MutableClock(Instant.parse("2031-03-04T10:15:00Z")));
      takes.add(() -> node.take(relay).isEmpty());
    }
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      long granted = 0;
      for (Future<Boolean> f : pool.invokeAll(takes)) if (f.get()) granted++;
      assertThat(granted).isEqualTo(5);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void the_worker_counts_each_message_to_a_delivery_server_and_mx_hosts_count_nothing() {
    var limited = servers.create(new DeliveryServers.Settings("Full " + counter, "127.0.0.1", 2525, ServerTls.NONE,
        true, null, null, 1, null));
    servers.assign(limited.id(), acme.slug(), null);
    Routing routing = new Routing(new SmarthostRoute(servers, SmarthostRouteTest.NOWHERE, null), o -> EGRESS, servers);
    Route.Servers relay = (Route.Servers) routing.route(sender(), "example.net");
    assertThat(routing.take(relay)).isEmpty(); // the hour's one message
    assertThat(routing.take(relay)).get().satisfies(full -> assertThat(full.reason()).contains("has taken its 1 messages this hour"));
    Route.Servers mx = new Route.Servers(List.of(new Route.Server("mx.example.net",
        List.of(java.net.InetAddress.getLoopbackAddress()), 25, TlsPolicy.OPPORTUNISTIC)));
    assertThat(routing.take(mx)).isEmpty();
    assertThat(routing.take(mx)).isEmpty();
  }

  @Test
  void a_relay_refusing_the_session_with_a_5xx_defers_never_bounces() throws Exception {
    try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.2"));
        ServerSocket refusing = DeliveryAttemptTest.greeter(new InetSocketAddress("127.0.0.3", probe.getLocalPort()),
            "554 5.7.1 relay access denied")) {
      var relay = servers.create(settings("Refusing " + counter, "127.0.0.3", probe.getLocalPort(), ServerTls.NONE));
      servers.assign(relay.id(), acme.slug(), null);
      DeliveryAttempt attempt = new DeliveryAttempt(new SmarthostRoute(servers, SmarthostRouteTest.NOWHERE, null),
          SinkRouteContract.CLIENT, SinkRouteContract.EGRESS, null);
      var results = attempt.deliver(sender(), "example.net", new Envelope("b@" + domain, List.of("a@example.net")),
          RouteContract.message("refused"));
      assertThat(results).singleElement().isInstanceOfSatisfying(Deferred.class,
          d -> assertThat(d.reason()).contains("554 5.7.1 relay access denied"));
    }
  }

  @Test
  void deleting_a_server_removes_its_assignments_and_password_and_is_audited() {
    var relay = servers.create(new DeliveryServers.Settings("Gone " + counter, "smtp.example.net", 587,
        ServerTls.STARTTLS, false, "u", "p", null, null));
    servers.assign(relay.id(), acme.slug(), null);
    assertThat(servers.assignedTo(sender())).isPresent();
    servers.delete(relay.id());
    assertThat(servers.assignedTo(sender())).isEmpty();
    assertThat(secrets.get(DeliveryServers.secretName(relay.id()))).isEmpty();
    assertThat(jdbc.sql("select action from audit_event where object_type = 'delivery_server' and object_id = ? order by id")
        .param(Long.toString(relay.id())).query(String.class).list())
        .containsExactly("delivery-server.created", "delivery-server.assigned", "delivery-server.deleted");
    assertThat(new SmarthostRoute(servers, SmarthostRouteTest.NOWHERE, null).route(sender(), "example.net"))
        .isInstanceOfSatisfying(Unroutable.class, u -> assertThat(u.reason()).isEqualTo("fallback"));
  }
}
