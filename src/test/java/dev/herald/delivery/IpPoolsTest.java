package dev.herald.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.smtp.Envelope;
import dev.herald.delivery.smtp.RecipientResult.Accepted;
import dev.herald.platform.HeraldProperties;
import dev.herald.platform.Refusal;
import dev.herald.platform.Refused;
import dev.herald.tenancy.TestOrganizations;
import dev.herald.testsupport.SmtpSink;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * IP pools: an organization's connections leave from its pool's addresses in turn, each greeting with the address's
 * EHLO name, as smtp-sink sees them (its X-Client-Addr and X-Helo-Args); organizations without a pool send from the
 * system's address and the base URL's host; addresses and names are checked.
 */
@SpringBootTest
@Import(TestOrganizations.class)
class IpPoolsTest {
  @Autowired IpPools pools;
  @Autowired TestOrganizations organizations;
  @Autowired JdbcClient jdbc;
  @Autowired HeraldProperties properties;
  @TempDir Path dumps;

  static int counter;
  TestOrganizations.Created acme;

  @BeforeEach
  void organization() {
    counter++;
    acme = organizations.create("Pooled " + counter, "send");
  }

  /** Each captured message's client address and EHLO argument, in arrival order. */
  static List<String> clients(List<String> dumps) {
    Pattern addr = Pattern.compile("X-Client-Addr: (\\S+)");
    Pattern helo = Pattern.compile("X-Helo-Args: (\\S+)");
    return dumps.stream().map(d -> {
      Matcher a = addr.matcher(d);
      Matcher h = helo.matcher(d);
      return (a.find() ? a.group(1) : "?") + " " + (h.find() ? h.group(1) : "?");
    }).sorted().toList();
  }

  @Test
  void an_organizations_pool_binds_its_addresses_in_turn_with_their_ehlo_names() throws Exception {
    IpPools.Pool pool = pools.create("Dedicated " + counter);
    pools.addAddress(pool.id(), "127.0.0.2", "MTA2.pool.test.");
    pools.addAddress(pool.id(), "127.0.0.3", "mta3.pool.test");
    pools.assign(acme.slug(), pool.id());
    TestOrganizations.Created shared = organizations.create("Shared " + counter, "send");

    try (SmtpSink sink = SmtpSink.start(dumps)) {
      DeliveryAttempt attempt = new DeliveryAttempt(StaticRoute.of(sink.address.getHostString() + ":" + sink.address.getPort()),
          SinkRouteContract.CLIENT, pools::egressFor, null, 100);
      for (int i = 0; i < 2; i++) {
        assertThat(attempt.deliver(new Sender(acme.id(), "pooled.test"), "example.net",
            new Envelope("b@pooled.test", List.of("a" + i + "@example.net")), RouteContract.message("pooled " + i)))
            .singleElement().isInstanceOf(Accepted.class);
      }
      assertThat(attempt.deliver(new Sender(shared.id(), "shared.test"), "example.net",
          new Envelope("b@shared.test", List.of("s@example.net")), RouteContract.message("shared")))
          .singleElement().isInstanceOf(Accepted.class);
      assertThat(clients(sink.messages(3))).containsExactly(
          "127.0.0.1 " + properties.baseHost(), "127.0.0.2 mta2.pool.test", "127.0.0.3 mta3.pool.test");
    }
  }

  @Test
  void the_shared_pool_is_everyones_default_and_its_addresses_are_used_once_it_has_some() {
    IpPools.Pool shared = pools.list().getFirst();
    assertThat(shared.shared()).isTrue();
    assertThat(pools.poolOf(acme.id()).id()).isEqualTo(shared.id());
    assertThat(pools.egressFor(acme.id()).source()).isNull(); // no addresses: the system's choice
    assertThat(pools.egressFor(acme.id()).ehloName()).isEqualTo(properties.baseHost());
    IpPools.Address added = pools.addAddress(shared.id(), "127.0.0.4", "mta4.shared.test");
    try {
      assertThat(pools.egressFor(acme.id()).source().getHostAddress()).isEqualTo("127.0.0.4");
      assertThat(pools.egressFor(acme.id()).ehloName()).isEqualTo("mta4.shared.test");
    } finally {
      pools.removeAddress(shared.id(), added.id());
    }
    assertThat(pools.egressFor(acme.id()).source()).isNull();
  }

  @Test
  void an_address_must_be_this_machines_and_the_ehlo_name_a_host_name() {
    IpPools.Pool pool = pools.create("Checked " + counter);
    assertThatThrownBy(() -> pools.addAddress(pool.id(), "192.0.2.77", "mta.pool.test"))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.refusal()).isInstanceOfSatisfying(Refusal.Invalid.class, i -> {
          assertThat(i.field()).isEqualTo("address");
          assertThat(i.message()).startsWith("192.0.2.77 is not an address of this machine");
        }));
    assertThat(invalidField(() -> pools.addAddress(pool.id(), "mta.pool.test", "mta.pool.test"))).isEqualTo("address");
    assertThat(invalidField(() -> pools.addAddress(pool.id(), "0.0.0.0", "mta.pool.test"))).isEqualTo("address");
    for (String bad : List.of("", "localhost", "127.0.0.5", "under_score.test", "space name.test", "-lead.test")) {
      assertThat(invalidField(() -> pools.addAddress(pool.id(), "127.0.0.5", bad))).as(bad).isEqualTo("ehloName");
    }
    pools.addAddress(pool.id(), "127.0.0.5", "mta5.pool.test");
    IpPools.Pool other = pools.create("Other " + counter);
    assertThatThrownBy(() -> pools.addAddress(other.id(), "127.0.0.5", "mta5.pool.test"))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.refusal()).isInstanceOf(Refusal.Conflict.class));
    assertThatThrownBy(() -> pools.create("checked " + counter))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.refusal()).isInstanceOf(Refusal.Conflict.class));
  }

  static String invalidField(Runnable action) {
    return DeliveryServersTest.field(action);
  }

  @Test
  void a_pool_in_use_cannot_be_deleted_and_every_change_is_audited() {
    IpPools.Pool pool = pools.create("Audited " + counter);
    IpPools.Address address = pools.addAddress(pool.id(), "127.0.0.6", "mta6.pool.test");
    pools.assign(acme.slug(), pool.id());
    assertThat(pools.poolOf(acme.id()).name()).isEqualTo("Audited " + counter);
    assertThat(pools.get(pool.id()).organizations()).extracting(o -> o.slug()).containsExactly(acme.slug());
    assertThatThrownBy(() -> pools.delete(pool.id()))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.refusal()).isInstanceOf(Refusal.Conflict.class));
    assertThatThrownBy(() -> pools.delete(pools.list().getFirst().id()))
        .isInstanceOfSatisfying(Refused.class, r -> assertThat(r.refusal()).isInstanceOf(Refusal.Conflict.class));

    pools.assign(acme.slug(), pools.list().getFirst().id()); // back to the shared pool
    pools.removeAddress(pool.id(), address.id());
    pools.delete(pool.id());
    assertThat(jdbc.sql("select action from audit_event where organization_id is null and object_type in ('ip_pool', 'organization') "
            + "and (object_id = ? or object_id = ?) order by id")
        .params(Long.toString(pool.id()), Long.toString(acme.id())).query(String.class).list())
        .containsExactly("ip-pool.created", "ip-pool.address-added", "ip-pool.assigned", "ip-pool.assigned",
            "ip-pool.address-removed", "ip-pool.deleted");
  }
}
