package dev.herald.delivery;

/** The default of a new installation: every message stays in the sandbox mailbox, whatever its domain. */
final class SandboxRoute implements Route {
  private static final Destination CAPTURE = new Capture();

  @Override
  public Destination route(Sender sender, String domain) {
    return CAPTURE;
  }
}
