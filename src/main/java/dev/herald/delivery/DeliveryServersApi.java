package dev.herald.delivery;

import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * The operator's REST API for IP pools and delivery servers (signed-in operator only), and an organization's
 * read-only view of its pool and servers. A server's password goes in and never comes out.
 */
@RestController
@Tag(name = "Operator")
class DeliveryServersApi {
  private final IpPools pools;
  private final DeliveryServers servers;

  DeliveryServersApi(IpPools pools, DeliveryServers servers) {
    this.pools = pools;
    this.servers = servers;
  }

  record NewPool(String name) {}

  record NewAddress(String address, String ehloName) {}

  record PoolAssignment(String organization) {}

  /**
   * @param tls none, starttls or implicit
   * @param password write-only: empty or absent on a change keeps the stored one
   */
  record ServerRequest(String name, String host, Integer port, String tls, Boolean verifyCertificate, String authUser,
      String password, Integer hourlyLimit, Integer dailyLimit) {

    DeliveryServers.Settings settings() {
      return new DeliveryServers.Settings(name, host, port, TextEnum.parse(ServerTls.class, "tls", tls == null ? "" : tls),
          verifyCertificate, authUser, password, hourlyLimit, dailyLimit);
    }

    @Override
    public String toString() {
      return "ServerRequest[name=" + name + ", password=(hidden)]";
    }
  }

  record ServerAssignment(String organization, String sendingDomain) {}

  // ---- IP pools ---------------------------------------------------------------------------------------------------

  @GetMapping("/api/v1/operator/ip-pools")
  @Operation(summary = "IP pools with their addresses and the organizations assigned to each; the shared pool first")
  List<IpPools.Pool> pools() {
    return pools.list();
  }

  @PostMapping("/api/v1/operator/ip-pools")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create a dedicated pool")
  IpPools.Pool createPool(@RequestBody NewPool body) {
    return pools.create(body.name());
  }

  @DeleteMapping("/api/v1/operator/ip-pools/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a pool no organization uses (not the shared one)")
  void deletePool(@PathVariable long id) {
    pools.delete(id);
  }

  @PostMapping("/api/v1/operator/ip-pools/{id}/addresses")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Add a source address of this machine with its EHLO name (a host name)")
  IpPools.Address addAddress(@PathVariable long id, @RequestBody NewAddress body) {
    return pools.addAddress(id, body.address(), body.ehloName());
  }

  @DeleteMapping("/api/v1/operator/ip-pools/{id}/addresses/{addressId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove an address from a pool")
  void removeAddress(@PathVariable long id, @PathVariable long addressId) {
    pools.removeAddress(id, addressId);
  }

  @PostMapping("/api/v1/operator/ip-pools/{id}/organizations")
  @Operation(summary = "Make this the pool an organization (by slug) sends from; the shared pool removes its dedicated one")
  IpPools.Pool assignPool(@PathVariable long id, @RequestBody PoolAssignment body) {
    pools.assign(body.organization(), id);
    return pools.get(id);
  }

  // ---- delivery servers -------------------------------------------------------------------------------------------

  @GetMapping("/api/v1/operator/delivery-servers")
  @Operation(summary = "Delivery servers with their limits, this hour's and today's counts and assignments; never passwords")
  List<DeliveryServers.Server> servers() {
    return servers.list();
  }

  @PostMapping("/api/v1/operator/delivery-servers")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Add a delivery server; the password is stored encrypted and never returned")
  DeliveryServers.Server createServer(@RequestBody ServerRequest body) {
    return servers.create(body.settings());
  }

  @GetMapping("/api/v1/operator/delivery-servers/{id}")
  @Operation(summary = "One delivery server")
  DeliveryServers.Server server(@PathVariable long id) {
    return servers.get(id);
  }

  @PutMapping("/api/v1/operator/delivery-servers/{id}")
  @Operation(summary = "Change a delivery server; an empty or absent password keeps the stored one")
  DeliveryServers.Server updateServer(@PathVariable long id, @RequestBody ServerRequest body) {
    return servers.update(id, body.settings());
  }

  @DeleteMapping("/api/v1/operator/delivery-servers/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a delivery server; what was assigned to it goes by MX again")
  void deleteServer(@PathVariable long id) {
    servers.delete(id);
  }

  @PostMapping("/api/v1/operator/delivery-servers/{id}/assignments")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Send an organization's mail (by slug), or one of its sending domains', through this server")
  DeliveryServers.Assignment assign(@PathVariable long id, @RequestBody ServerAssignment body) {
    return servers.assign(id, body.organization(), body.sendingDomain());
  }

  @DeleteMapping("/api/v1/operator/delivery-servers/{id}/assignments/{assignmentId}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Remove an assignment")
  void unassign(@PathVariable long id, @PathVariable long assignmentId) {
    servers.unassign(id, assignmentId);
  }

  // ---- an organization's view -------------------------------------------------------------------------------------

  record Sending(String ipPool, boolean sharedPool, List<IpPools.Address> addresses,
      List<DeliveryServers.UsedServer> deliveryServers) {}

  @GetMapping("/api/v1/orgs/{org}/sending")
  @Tag(name = "Domains")
  @Operation(summary = "The IP pool this organization's mail leaves from and the delivery servers it goes through")
  Sending sending(OrganizationContext org) {
    IpPools.Pool pool = pools.poolOf(org.id());
    return new Sending(pool.name(), pool.shared(), pool.addresses(), servers.usedBy(org.id()));
  }
}
