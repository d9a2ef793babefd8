package dev.herald.delivery;

import dev.herald.delivery.Route.Destination;
import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.smtp.Egress;
import java.util.Objects;

/**
 * The worker's two choices for a sender's mail to a domain: which route (the installation's route, with the delivery
 * servers assigned to organizations and sending domains first: {@link SmarthostRoute}) and which egress, the source
 * address and EHLO name a connection leaves from (the organization's IP pool, in turn: {@link IpPools}). Each is one
 * method, so what changes them changes only this class.
 */
final class Routing {
  private final Route route;
  private final DeliveryAttempt.Egresses egresses;
  private final SmarthostRoute.Assignments limits;

  Routing(Route route, DeliveryAttempt.Egresses egresses, SmarthostRoute.Assignments limits) {
    this.route = Objects.requireNonNull(route, "route");
    this.egresses = Objects.requireNonNull(egresses, "egresses");
    this.limits = Objects.requireNonNull(limits, "limits");
  }

  /** Every connection from one egress (tests); delivery servers without limits. */
  Routing(Route route, Egress egress) {
    this(route, organizationId -> egress, NO_LIMITS);
  }

  private static final SmarthostRoute.Assignments NO_LIMITS = new SmarthostRoute.Assignments() {
    @Override
    public java.util.Optional<SmarthostRoute.Smarthost> assignedTo(Sender sender) {
      return java.util.Optional.empty();
    }

    @Override
    public java.util.Optional<SmarthostRoute.Full> take(long deliveryServer) {
      return java.util.Optional.empty();
    }
  };

  /**
   * Counts one transaction against the limits of the delivery servers among these (MX hosts have none): empty when it
   * may go now, else until when it waits. Asked once per message, just before it is sent.
   */
  java.util.Optional<SmarthostRoute.Full> take(Route.Servers servers) {
    for (Route.Server server : servers.servers()) {
      if (server.relay()) {
        java.util.Optional<SmarthostRoute.Full> full = limits.take(server.deliveryServer());
        if (full.isPresent()) return full;
      }
    }
    return java.util.Optional.empty();
  }

  /** Where the sender's mail to the domain (lower-case ASCII) goes. */
  Destination route(Sender sender, String domain) {
    return route.route(sender, domain);
  }

  /** Where the sender's connections leave from. */
  Egress egress(Sender sender) {
    return egresses.forOrganization(sender.organizationId());
  }
}
