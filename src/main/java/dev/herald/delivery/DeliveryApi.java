package dev.herald.delivery;

import dev.herald.platform.TextEnum;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The operator's REST API for the delivery setting (signed-in operator only, never an API key). */
@RestController
@Tag(name = "Operator", description = "The installation's people, for its operator")
class DeliveryApi {
  private final DeliverySettings settings;

  DeliveryApi(DeliverySettings settings) {
    this.settings = settings;
  }

  /** The installation's domain of the system sender, when the operator added it. */
  record SenderDomain(long id, String name, boolean verified) {}

  record DeliveryView(
      DeliveryMode mode,
      @Schema(description = "host:port of the static test route when herald.delivery.route=static overrides the mode; null otherwise")
      String staticRoute,
      @Schema(description = "the address Herald's own mail comes from with real delivery; empty when not set")
      String systemSender,
      SenderDomain systemSenderDomain,
      @Schema(description = "where Herald's own mail goes now: sandbox (sandbox mode), queue (delivered, signed for the system "
          + "sender's verified domain) or sandbox-fallback (real delivery without a verified system sender: kept in the sandbox mailbox)")
      DeliverySettings.SystemMailPath systemMail,
      Instant updatedAt) {
    static DeliveryView of(DeliverySettings.Status s) {
      return new DeliveryView(s.mode(), s.staticRoute(), s.systemSender(),
          s.senderDomain() == null ? null : new SenderDomain(s.senderDomain().id(), s.senderDomain().unicodeName(), s.senderDomain().verified()),
          s.systemMail(), s.updatedAt());
    }
  }

  /** Each field optional: an absent one keeps its value; an empty systemSender removes the sender. */
  record DeliveryChange(@Schema(allowableValues = {"sandbox", "mx"}) String mode, String systemSender) {}

  @GetMapping("/api/v1/operator/delivery")
  @Operation(summary = "The delivery mode (sandbox or real delivery), the system sender, and where Herald's own mail goes now")
  DeliveryView get() {
    return DeliveryView.of(settings.status());
  }

  @PutMapping("/api/v1/operator/delivery")
  @Operation(summary = "Change the delivery mode or the system sender; every node follows within seconds, without a restart")
  DeliveryView put(@RequestBody DeliveryChange change) {
    return DeliveryView.of(settings.change(TextEnum.parse(DeliveryMode.class, "mode", change.mode()), change.systemSender()));
  }
}
