package dev.herald.campaigns;

import dev.herald.platform.Refused;
import dev.herald.platform.TextEnum;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.LocalDateTime;
import java.time.format.DateTimeParseException;
import java.util.OptionalLong;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/**
 * REST API for campaigns: drafts, scheduling and the moves of a send, and its progress. A move the campaign's state
 * does not allow answers 409 saying why; a bad field 422 naming it. {org} is the organization's slug.
 */
@RestController
@Tag(name = "Campaigns", description = "Write campaigns, send them to lists and segments now or at a time, pause, resume, cancel, "
    + "throttle, and follow their progress")
class CampaignsApi {
  private final Campaigns campaigns;
  private final AudienceEstimates estimates;

  CampaignsApi(Campaigns campaigns, AudienceEstimates estimates) {
    this.campaigns = campaigns;
    this.estimates = estimates;
  }

  record AudienceEstimate(@Schema(description = "the subscribed, unsuppressed, distinct people of the campaign's audience now: "
      + "what a start would fix; null when counting took longer than 5 seconds") Long recipients) {}

  record ScheduleRequest(
      @Schema(description = "a local date and time, e.g. 2026-12-24T09:00, in timeZone; absent to send now") String sendAt,
      @Schema(description = "an IANA time zone, e.g. Europe/Paris; UTC when absent") String timeZone) {}

  record ThrottleRequest(@Schema(description = "messages per window, 1 to 10,000,000; absent to remove the throttle") Integer limit,
      @Schema(implementation = ThrottleUnit.class) String per) {}

  @GetMapping("/api/v1/orgs/{org}/campaigns")
  @Operation(summary = "The organization's campaigns, newest first, optionally in one state")
  Campaigns.Page list(OrganizationContext org,
      @Parameter(schema = @Schema(implementation = CampaignState.class)) @RequestParam(defaultValue = "") String state,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    return campaigns.list(org.id(), TextEnum.parse(CampaignState.class, "state", state), page, size);
  }

  @PostMapping("/api/v1/orgs/{org}/campaigns")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Create a draft; it need not be complete until it is scheduled")
  Campaign create(OrganizationContext org, @RequestBody(required = false) CampaignForm body) {
    return campaigns.create(org.id(), body);
  }

  @GetMapping("/api/v1/orgs/{org}/campaigns/{id}")
  @Operation(summary = "A campaign")
  Campaign get(OrganizationContext org, @PathVariable long id) {
    return campaigns.get(org.id(), id);
  }

  @PutMapping("/api/v1/orgs/{org}/campaigns/{id}")
  @Operation(summary = "Replace a draft's or a scheduled campaign's content, sender, audience and settings")
  Campaign update(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) CampaignForm body) {
    return campaigns.update(org.id(), id, body);
  }

  @DeleteMapping("/api/v1/orgs/{org}/campaigns/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  @Operation(summary = "Delete a campaign that is not sending or paused (cancel it first)")
  void delete(OrganizationContext org, @PathVariable long id) {
    campaigns.delete(org.id(), id);
  }

  @PostMapping("/api/v1/orgs/{org}/campaigns/{id}/schedule")
  @Operation(summary = "Schedule a complete draft now or at a local time in a time zone (or move a scheduled one's time); a worker "
      + "node starts it then, fixing its audience")
  Campaign schedule(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) ScheduleRequest body) {
    String at = body == null ? null : body.sendAt();
    LocalDateTime local = null;
    if (at != null && !at.isBlank()) {
      try {
        local = LocalDateTime.parse(at.strip());
      } catch (DateTimeParseException e) {
        throw Refused.invalid("sendAt", "sendAt is a local date and time like 2026-12-24T09:00.");
      }
    }
    return campaigns.schedule(org.id(), id, local, body == null ? null : body.timeZone());
  }

  @PostMapping("/api/v1/orgs/{org}/campaigns/{id}/unschedule")
  @Operation(summary = "Take a scheduled campaign back to draft")
  Campaign unschedule(OrganizationContext org, @PathVariable long id) {
    return campaigns.unschedule(org.id(), id);
  }

  @PostMapping("/api/v1/orgs/{org}/campaigns/{id}/pause")
  @Operation(summary = "Pause a sending campaign: nothing more is handed to the queue, and its waiting messages are held")
  Campaign pause(OrganizationContext org, @PathVariable long id) {
    return campaigns.pause(org.id(), id);
  }

  @PostMapping("/api/v1/orgs/{org}/campaigns/{id}/resume")
  @Operation(summary = "Resume a paused campaign")
  Campaign resume(OrganizationContext org, @PathVariable long id) {
    return campaigns.resume(org.id(), id);
  }

  @PostMapping("/api/v1/orgs/{org}/campaigns/{id}/cancel")
  @Operation(summary = "Cancel a scheduled, sending or paused campaign: nothing more is sent, waiting messages are deleted")
  Campaign cancel(OrganizationContext org, @PathVariable long id) {
    return campaigns.cancel(org.id(), id);
  }

  @PostMapping("/api/v1/orgs/{org}/campaigns/{id}/duplicate")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "A new draft with the campaign's content, audience and settings")
  Campaign duplicate(OrganizationContext org, @PathVariable long id) {
    return campaigns.duplicate(org.id(), id);
  }

  @PutMapping("/api/v1/orgs/{org}/campaigns/{id}/throttle")
  @Operation(summary = "Set (or remove, without limit) the most messages sent per minute or hour; takes effect while it "
      + "sends, also for messages queued but not yet tried")
  Campaign throttle(OrganizationContext org, @PathVariable long id, @RequestBody(required = false) ThrottleRequest body) {
    return campaigns.throttle(org.id(), id, body == null ? null : body.limit(), body == null ? null : body.per());
  }

  @GetMapping("/api/v1/orgs/{org}/campaigns/{id}/audience-estimate")
  @Operation(summary = "How many people the campaign's lists and segments hold now, minus its exclusions and suppressed addresses, each "
      + "once: the audience a start would fix (a started campaign's fixed number is recipients in its stats)")
  AudienceEstimate audienceEstimate(OrganizationContext org, @PathVariable long id) {
    OptionalLong n = estimates.count(org.id(), campaigns.get(org.id(), id).audience());
    return new AudienceEstimate(n.isPresent() ? n.getAsLong() : null);
  }

  @GetMapping("/api/v1/orgs/{org}/campaigns/{id}/stats")
  @Operation(summary = "Progress: the ledger by state (pending, handed off, skipped), the queue's messages by delivery state, and "
      + "how many were handed off in the last minute")
  Campaigns.Stats stats(OrganizationContext org, @PathVariable long id) {
    return campaigns.stats(org.id(), id).orElseThrow(() -> Refused.notFound("Campaign"));
  }
}
