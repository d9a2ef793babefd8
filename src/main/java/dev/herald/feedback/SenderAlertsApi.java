package dev.herald.feedback;

import dev.herald.platform.Refused;
import dev.herald.tenancy.HeraldUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.security.Principal;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/** The operator's sender alerts over the API: the open ones, and lifting one (audited as in the panel). */
@RestController
@Tag(name = "Operator: sender protection", description = "Organizations paused or warned for their complaint or bounce rates")
class SenderAlertsApi {
  private final SenderAlertViews views;
  private final SenderProtection protection;

  SenderAlertsApi(SenderAlertViews views, SenderProtection protection) {
    this.views = views;
    this.protection = protection;
  }

  @GetMapping("/api/v1/operator/sender-alerts")
  @Operation(summary = "Open alerts, pauses first: each organization's rate, the threshold it passed, messages counted and sent")
  List<SenderAlertViews.View> open() {
    return views.open();
  }

  @PostMapping("/api/v1/operator/sender-alerts/{id}/lift")
  @Operation(summary = "Lift a pause (the organization's queued mail goes out again) or dismiss a warning; 409 when lifted already")
  SenderAlertViews.View lift(@PathVariable long id, Principal caller) {
    protection.find(id).orElseThrow(() -> Refused.notFound("Sender alert " + id));
    String by = caller instanceof HeraldUser u ? u.email() : caller == null ? "unknown" : caller.getName();
    if (!protection.lift(id, by)) throw Refused.conflict("id", "This alert was lifted already.");
    return views.view(protection.find(id).orElseThrow());
  }
}
