package dev.herald.delivery;

import dev.herald.platform.OnRefused;
import dev.herald.platform.PanelController;
import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * The operator's pages for IP pools ({@code /operator/ip-pools}) and delivery servers ({@code
 * /operator/delivery-servers}), and an organization's read-only view of what its mail goes through ({@code
 * /o/{org}/sending}). Every change is audited by the services.
 */
@PanelController
class DeliveryServersController {
  private static final String POOLS = "/operator/ip-pools";
  private static final String SERVERS = "/operator/delivery-servers";

  private final IpPools pools;
  private final DeliveryServers servers;

  DeliveryServersController(IpPools pools, DeliveryServers servers) {
    this.pools = pools;
    this.servers = servers;
  }

  // ---- IP pools ---------------------------------------------------------------------------------------------------

  @GetMapping(POOLS)
  String pools(Model model) {
    model.addAttribute("pools", pools.list());
    return "delivery/ip-pools";
  }

  @PostMapping(POOLS)
  @OnRefused(POOLS + "#new-pool")
  String createPool(@RequestParam(defaultValue = "") String name, RedirectAttributes flash) {
    IpPools.Pool pool = pools.create(name);
    flash.addFlashAttribute("notice", "Pool " + pool.name() + " created. Add its addresses below.");
    return "redirect:" + POOLS + "#pool-" + pool.id();
  }

  @PostMapping(POOLS + "/{id}/addresses")
  @OnRefused(value = POOLS + "#pool-{id}", errorKey = "pool-{id}")
  String addAddress(@PathVariable long id, @RequestParam(defaultValue = "") String address,
      @RequestParam(defaultValue = "") String ehloName, RedirectAttributes flash) {
    IpPools.Address added = pools.addAddress(id, address, ehloName);
    flash.addFlashAttribute("notice", added.address() + " added as " + added.ehloName() + ".");
    return "redirect:" + POOLS + "#pool-" + id;
  }

  @PostMapping(POOLS + "/{id}/addresses/{addressId}/delete")
  String removeAddress(@PathVariable long id, @PathVariable long addressId, RedirectAttributes flash) {
    pools.removeAddress(id, addressId);
    flash.addFlashAttribute("notice", "Address removed.");
    return "redirect:" + POOLS + "#pool-" + id;
  }

  @PostMapping(POOLS + "/{id}/delete")
  @OnRefused(value = POOLS + "#pool-{id}", errorKey = "pool-{id}")
  String deletePool(@PathVariable long id, RedirectAttributes flash) {
    pools.delete(id);
    flash.addFlashAttribute("notice", "Pool deleted.");
    return "redirect:" + POOLS;
  }

  @PostMapping(POOLS + "/assignments")
  @OnRefused(POOLS + "#assign")
  String assignPool(@RequestParam(defaultValue = "") String organization, @RequestParam(defaultValue = "0") long pool,
      RedirectAttributes flash) {
    pools.assign(organization, pool);
    flash.addFlashAttribute("notice", organization.strip() + " now sends from " + pools.get(pool).name() + ".");
    return "redirect:" + POOLS;
  }

  // ---- delivery servers -------------------------------------------------------------------------------------------

  /** The server form as posted: every field text, numbers checked here with the field they came from. */
  record ServerForm(String name, String host, String port, String tls, String verifyCertificate, String authUser,
      String password, String hourlyLimit, String dailyLimit) {

    DeliveryServers.Settings settings() {
      return new DeliveryServers.Settings(name, host, number("port", port),
          TextEnum.parse(ServerTls.class, "tls", tls == null ? "" : tls), verifyCertificate != null, authUser, password,
          number("hourlyLimit", hourlyLimit), number("dailyLimit", dailyLimit));
    }

    private static Integer number(String field, String text) {
      if (text == null || text.isBlank()) return null;
      try {
        return Integer.valueOf(text.strip());
      } catch (NumberFormatException e) {
        throw Refused.invalid(field, "Enter a whole number, or leave it empty.");
      }
    }

    @Override
    public String toString() {
      return "ServerForm[name=" + name + ", password=(hidden)]";
    }
  }

  @GetMapping(SERVERS)
  String servers(Model model) {
    model.addAttribute("servers", servers.list());
    model.addAttribute("modes", ServerTls.values());
    return "delivery/delivery-servers";
  }

  @PostMapping(SERVERS)
  @OnRefused(SERVERS + "#new-server")
  String createServer(ServerForm form, RedirectAttributes flash) {
    DeliveryServers.Server server = servers.create(form.settings());
    flash.addFlashAttribute("notice", "Delivery server " + server.name() + " added. Assign it to organizations below.");
    return "redirect:" + SERVERS + "/" + server.id();
  }

  @GetMapping(SERVERS + "/{id}")
  String server(@PathVariable long id, Model model) {
    model.addAttribute("server", servers.get(id));
    model.addAttribute("modes", ServerTls.values());
    return "delivery/delivery-server";
  }

  @PostMapping(SERVERS + "/{id}")
  @OnRefused(SERVERS + "/{id}")
  String updateServer(@PathVariable long id, ServerForm form, RedirectAttributes flash) {
    DeliveryServers.Server server = servers.update(id, form.settings());
    flash.addFlashAttribute("notice", "Delivery server " + server.name() + " saved.");
    return "redirect:" + SERVERS + "/" + id;
  }

  @PostMapping(SERVERS + "/{id}/delete")
  String deleteServer(@PathVariable long id, RedirectAttributes flash) {
    servers.delete(id);
    flash.addFlashAttribute("notice", "Delivery server deleted; the mail of what it served goes by MX again.");
    return "redirect:" + SERVERS;
  }

  @PostMapping(SERVERS + "/{id}/assignments")
  @OnRefused(SERVERS + "/{id}#assign")
  String assignServer(@PathVariable long id, @RequestParam(defaultValue = "") String organization,
      @RequestParam(defaultValue = "") String sendingDomain, RedirectAttributes flash) {
    DeliveryServers.Assignment a = servers.assign(id, organization, sendingDomain);
    flash.addFlashAttribute("notice", "Mail of " + (a.sendingDomain() == null ? a.organizationName() : a.sendingDomain())
        + " now goes through " + a.serverName() + ".");
    return "redirect:" + SERVERS + "/" + id;
  }

  @PostMapping(SERVERS + "/{id}/assignments/{assignmentId}/delete")
  String unassignServer(@PathVariable long id, @PathVariable long assignmentId, RedirectAttributes flash) {
    servers.unassign(id, assignmentId);
    flash.addFlashAttribute("notice", "Assignment removed.");
    return "redirect:" + SERVERS + "/" + id;
  }

  // ---- an organization's view -------------------------------------------------------------------------------------

  @GetMapping("/o/{org}/sending")
  String sending(OrganizationContext org, Model model) {
    IpPools.Pool pool = pools.poolOf(org.id());
    model.addAttribute("poolName", pool.name());
    model.addAttribute("poolShared", pool.shared());
    model.addAttribute("addresses", pool.addresses());
    model.addAttribute("servers", servers.usedBy(org.id()));
    return "delivery/sending";
  }
}
