package dev.herald.delivery;

import dev.herald.delivery.Route.Destination;
import dev.herald.delivery.Route.Sender;
import dev.herald.delivery.smtp.Egress;
import java.util.Objects;

/**
 * The worker's two choices for a sender's mail to a domain: which route (the installation's route today; smarthosts
 * assigned to an organization or a sending domain come here) and which egress, the source address and EHLO name a
 * connection leaves from (the system's address and the installation's host name today; IP pools come here). Each is
 * one method, so what changes them changes only this class.
 */
final class Routing {
  private final Route route;
  private final Egress egress;

  Routing(Route route, Egress egress) {
    this.route = Objects.requireNonNull(route, "route");
    this.egress = Objects.requireNonNull(egress, "egress");
  }

  /** Where the sender's mail to the domain (lower-case ASCII) goes. */
  Destination route(Sender sender, String domain) {
    return route.route(sender, domain);
  }

  /** Where the sender's connections leave from. */
  Egress egress(Sender sender) {
    return egress;
  }
}
