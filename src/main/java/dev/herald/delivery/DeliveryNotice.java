package dev.herald.delivery;

import dev.herald.tenancy.OperatorNotice;
import java.util.Optional;
import org.springframework.stereotype.Component;

/** Warns the operator's overview while real delivery is on but system mail stays in the sandbox mailbox. */
@Component
class DeliveryNotice implements OperatorNotice {
  private final DeliverySettings settings;

  DeliveryNotice(DeliverySettings settings) {
    this.settings = settings;
  }

  @Override
  public Optional<Notice> notice() {
    if (settings.status().systemMail() != DeliverySettings.SystemMailPath.SANDBOX_FALLBACK) return Optional.empty();
    return Optional.of(new Notice(DeliveryController.FALLBACK_WARNING, DeliveryController.PATH, "Set up the system sender"));
  }
}
