package dev.herald.delivery;

import com.fasterxml.jackson.annotation.JsonValue;
import dev.herald.platform.TextEnum;

/**
 * Where outbound mail goes, as the operator chose it (delivery_setting.mode). A smarthost mode joins with delivery
 * servers: a constant here, its text in the check constraint, and its route in {@link ModeRoute}.
 */
public enum DeliveryMode implements TextEnum {
  /** The default of a new installation: every message is kept in the sandbox mailbox; nothing leaves the machine. */
  SANDBOX("sandbox"),
  /** Real delivery: each recipient domain's MX hosts, over the internet. */
  MX("mx");

  private final String text;

  DeliveryMode(String text) {
    this.text = text;
  }

  @JsonValue
  @Override
  public String text() {
    return text;
  }

  @Override
  public String toString() {
    return text;
  }

  /** Whether mail leaves the machine in this mode (system mail then goes through the queue too). */
  public boolean real() {
    return this != SANDBOX;
  }

  /** As the panel shows it. */
  public String words() {
    return switch (this) {
      case SANDBOX -> "Sandbox: keep every message in the sandbox mailbox";
      case MX -> "Real delivery: send to each recipient's mail servers (MX)";
    };
  }
}
