package dev.herald.delivery;

/**
 * The route of an installation without the static test route: the one the operator's stored {@link DeliveryMode}
 * names, looked up on every call (cached a few seconds by {@link DeliverySettings}), so switching the mode in the panel
 * changes where the next message goes on every node, without a restart. A smarthost mode adds its route here.
 */
final class ModeRoute implements Route {
  private final DeliverySettings settings;
  private final Route sandbox;
  private final Route mx;

  ModeRoute(DeliverySettings settings, Route sandbox, Route mx) {
    this.settings = settings;
    this.sandbox = sandbox;
    this.mx = mx;
  }

  /** The route of real delivery (for tests of the wiring). */
  Route mx() {
    return mx;
  }

  @Override
  public Destination route(Sender sender, String domain) {
    return switch (settings.current().mode()) {
      case SANDBOX -> sandbox.route(sender, domain);
      case MX -> mx.route(sender, domain);
    };
  }
}
