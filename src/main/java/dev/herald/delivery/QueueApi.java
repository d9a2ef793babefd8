package dev.herald.delivery;

import dev.herald.platform.Refused;
import dev.herald.tenancy.HeraldUser;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The operator's REST API for the outbound queue (signed-in operator only, never an API key); the panel is {@link QueueController}. */
@RestController
@Tag(name = "Operator", description = "The installation's people, for its operator")
class QueueApi {
  private final QueueView view;
  private final QueueControls controls;

  QueueApi(QueueView view, QueueControls controls) {
    this.view = view;
    this.controls = controls;
  }

  record Queue(QueueView.Totals totals, boolean paused, List<QueueView.Pause> pauses, QueueView.Page destinations) {}

  record Reason(String reason) {}

  record Paused(String domain, boolean paused) {}

  @GetMapping("/api/v1/operator/queue")
  @Operation(summary = "The queue: totals (counted at most every 5 s), pauses, and destinations by waiting recipients, largest "
      + "first; q filters by part of the domain")
  Queue queue(@RequestParam(defaultValue = "") String q, @RequestParam(defaultValue = "0") int page,
      @RequestParam(defaultValue = "50") int size) {
    Refused.checkPage(page, size);
    List<QueueView.Pause> pauses = view.pauses();
    return new Queue(view.totals(), pauses.stream().anyMatch(p -> p.domain().equals(QueueControls.WHOLE_QUEUE)), pauses,
        view.destinations(q, page, size));
  }

  @PostMapping("/api/v1/operator/queue/pause")
  @Operation(summary = "Pause the whole queue on every node: no delivery starts until it is resumed")
  Paused pauseAll(@AuthenticationPrincipal HeraldUser me) {
    controls.pause(QueueControls.WHOLE_QUEUE, me.email());
    return new Paused(QueueControls.WHOLE_QUEUE, true);
  }

  @PostMapping("/api/v1/operator/queue/resume")
  @Operation(summary = "Resume the whole queue (destinations paused one by one stay paused)")
  Paused resumeAll() {
    controls.resume(QueueControls.WHOLE_QUEUE);
    return new Paused(QueueControls.WHOLE_QUEUE, false);
  }

  @PostMapping("/api/v1/operator/queue/destinations/{domain}/pause")
  @Operation(summary = "Pause one recipient domain on every node")
  Paused pause(@AuthenticationPrincipal HeraldUser me, @PathVariable String domain) {
    String d = QueueControls.destination("domain", domain);
    controls.pause(d, me.email());
    return new Paused(d, true);
  }

  @PostMapping("/api/v1/operator/queue/destinations/{domain}/resume")
  @Operation(summary = "Resume one recipient domain")
  Paused resume(@PathVariable String domain) {
    String d = QueueControls.destination("domain", domain);
    controls.resume(d);
    return new Paused(d, false);
  }

  @PostMapping("/api/v1/operator/queue/destinations/{domain}/retry")
  @Operation(summary = "Make the domain's deferred recipients due now")
  QueueControls.Changed retry(@PathVariable String domain) {
    return controls.retryDestination(domain);
  }

  @PostMapping("/api/v1/operator/queue/destinations/{domain}/delete")
  @Operation(summary = "Delete the domain's waiting recipients (queued or deferred) with a reason, kept as their last reply; "
      + "they end in state deleted. Recipients being sent now are left to finish and counted as inFlight")
  QueueControls.Changed delete(@PathVariable String domain, @RequestBody(required = false) Reason body) {
    return controls.deleteDestination(domain, body == null ? null : body.reason());
  }

  @PostMapping("/api/v1/operator/queue/messages/{id}/retry")
  @Operation(summary = "Make the message's deferred recipients due now")
  QueueControls.Changed retryMessage(@PathVariable long id) {
    return controls.retryMessage(id);
  }

  @PostMapping("/api/v1/operator/queue/messages/{id}/delete")
  @Operation(summary = "Delete the message's waiting recipients with a reason; they end in state deleted")
  QueueControls.Changed deleteMessage(@PathVariable long id, @RequestBody(required = false) Reason body) {
    return controls.deleteMessage(id, body == null ? null : body.reason());
  }
}
