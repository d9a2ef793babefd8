package dev.herald.delivery;

import dev.herald.testsupport.RouteFixtures;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A pool with an address and a delivery server assigned to the organization, for the operator's routes in the walk. */
class DeliveryServersRouteFixtures implements RouteFixtures {
  private static final AtomicInteger ADDRESSES = new AtomicInteger();
  private final IpPools pools;
  private final DeliveryServers servers;

  DeliveryServersRouteFixtures(IpPools pools, DeliveryServers servers) {
    this.pools = pools;
    this.servers = servers;
  }

  @Override
  public Map<String, Long> create(Organization org) {
    IpPools.Pool pool = pools.create(org.name() + " pool");
    IpPools.Address address = pools.addAddress(pool.id(), "127.0.2." + (1 + ADDRESSES.getAndIncrement() % 250), "mta.route.test");
    pools.assign(org.slug(), pool.id());
    DeliveryServers.Server server = servers.create(new DeliveryServers.Settings(org.name() + " relay", "relay.route.test",
        587, ServerTls.STARTTLS, true, null, null, null, null));
    DeliveryServers.Assignment assignment = servers.assign(server.id(), org.slug(), null);
    return Map.of("ip-pools/{id}", pool.id(), "addresses/{addressId}", address.id(),
        "delivery-servers/{id}", server.id(), "assignments/{assignmentId}", assignment.id());
  }
}
