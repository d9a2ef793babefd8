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

  Routing(Route route, DeliveryAttempt.Egresses egresses) {
    this.route = Objects.requireNonNull(route, "route");
    this.egresses = Objects.requireNonNull(egresses, "egresses");
  }

  /** Every connection from one egress (tests). */
  Routing(Route route, Egress egress) {
    this(route, organizationId -> egress);
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
