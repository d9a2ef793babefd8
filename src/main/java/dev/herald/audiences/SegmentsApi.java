package dev.herald.audiences;

import dev.herald.platform.Refused;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
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

/** REST API for segments: saved conditions, their live count and their members. */
@RestController
@Tag(name = "Segments", description = "Dynamic audiences: conditions over fields, list membership, status, dates and tags")
class SegmentsApi {
  private final Segments segments;
  private final Subscribers subscribers;

  SegmentsApi(Segments segments, Subscribers subscribers) {
    this.segments = segments;
    this.subscribers = subscribers;
  }

  record SegmentRequest(String name, ConditionsRequest conditions) {}

  /** The match is text here, not the enum, so that a wrong one is refused naming {@code match}, as a wrong rule is. */
  record ConditionsRequest(@Schema(implementation = SegmentMatch.class, description = "all when absent") String match,
      List<Segments.Rule> rules) {
    static Segments.Conditions parsed(ConditionsRequest request) {
      return request == null ? null : Segments.Conditions.of(request.match(), request.rules());
    }
  }

  record Count(long count) {}

  @GetMapping("/api/v1/orgs/{org}/segments")
  @Operation(summary = "List the organization's segments")
  List<Segments.Segment> list(OrganizationContext org) {
    return segments.list(org.id());
  }

  @PostMapping("/api/v1/orgs/{org}/segments")
  @Operation(summary = "Create a segment from conditions")
  @ResponseStatus(HttpStatus.CREATED)
  Segments.Segment create(OrganizationContext org, @RequestBody SegmentRequest body) {
    return segments.create(org.id(), body.name(), ConditionsRequest.parsed(body.conditions()));
  }

  @GetMapping("/api/v1/orgs/{org}/segments/{id}")
  @Operation(summary = "Get a segment and its conditions")
  Segments.Segment get(OrganizationContext org, @PathVariable long id) {
    return segments.find(org.id(), id).orElseThrow(() -> Refused.notFound("Segment " + id));
  }

  @PutMapping("/api/v1/orgs/{org}/segments/{id}")
  @Operation(summary = "Replace a segment's name and conditions")
  Segments.Segment update(OrganizationContext org, @PathVariable long id, @RequestBody SegmentRequest body) {
    return segments.update(org.id(), id, body.name(), ConditionsRequest.parsed(body.conditions())).orElseThrow(() -> Refused.notFound("Segment " + id));
  }

  @DeleteMapping("/api/v1/orgs/{org}/segments/{id}")
  @Operation(summary = "Delete a segment")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(OrganizationContext org, @PathVariable long id) {
    if (!segments.delete(org.id(), id)) throw Refused.notFound("Segment " + id);
  }

  @GetMapping("/api/v1/orgs/{org}/segments/{id}/count")
  @Operation(summary = "How many subscribers the segment matches now")
  Count count(OrganizationContext org, @PathVariable long id) {
    return new Count(segments.count(org.id(), get(org, id).conditions()));
  }

  @PostMapping("/api/v1/orgs/{org}/segments/count")
  @Operation(summary = "Count for conditions not saved yet (the editor's live count)")
  Count preview(OrganizationContext org, @RequestBody ConditionsRequest conditions) {
    return new Count(segments.count(org.id(), ConditionsRequest.parsed(conditions)));
  }

  @GetMapping("/api/v1/orgs/{org}/segments/{id}/subscribers")
  @Operation(summary = "The segment's subscribers, newest first")
  List<Subscribers.Subscriber> members(OrganizationContext org, @PathVariable long id,
      @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    Refused.checkPage(page, size);
    return subscribers.byIds(org.id(), segments.members(org.id(), get(org, id).conditions(), page, size));
  }
}
