package dev.herald.privacy;

import dev.herald.platform.Refused;
import dev.herald.platform.personaldata.PersonalDataCategory;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.Organizations;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.time.Instant;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** The operator's breach incidents over the API (a signed-in operator only, never an API key). */
@RestController
@Tag(name = "Operator: breaches", description = "Personal-data breaches: the 72-hour clock, notices and acknowledgements")
class BreachOperatorApi {
  private final BreachIncidents incidents;

  BreachOperatorApi(BreachIncidents incidents) {
    this.incidents = incidents;
  }

  record NewIncident(String title, String description, Instant detectedAt, Boolean allOrganizations, List<Long> organizationIds,
      @Schema(implementation = PersonalDataCategory.class) List<String> categories) {}

  record AuthorityNotification(Instant notifiedAt, String reference) {}

  /** The 72-hour clock: {@code secondsLeft} negative when overdue; null once notified. */
  record ClockView(Instant deadline, boolean notified, Instant notifiedAt, Boolean notifiedInTime, boolean overdue, Long secondsLeft,
      String summary) {
    static ClockView of(BreachIncidents.AuthorityClock c) {
      return new ClockView(c.deadline(), c.notified(), c.notifiedAt(), c.notified() ? c.notifiedInTime() : null, c.overdue(),
          c.notified() ? null : c.remaining().toSeconds(), c.summary());
    }
  }

  record NoticeView(String email, String organization, Instant notifiedAt, Instant acknowledgedAt) {}

  record IncidentView(long id, String title, String description, Instant detectedAt, boolean allOrganizations, String recordedBy,
      Instant recordedAt, String authorityReference, List<PersonalDataCategory> categories, List<Organizations.Named> organizations,
      ClockView authorityClock, List<NoticeView> notices) {}

  private IncidentView view(BreachIncidents.Incident i, boolean withNotices) {
    List<NoticeView> notices = withNotices ? incidents.notices(i.id()).stream()
        .map(n -> new NoticeView(n.email(), n.organizationSlug(), n.notifiedAt(), n.acknowledgedAt())).toList() : null;
    return new IncidentView(i.id(), i.title(), i.description(), i.detectedAt(), i.allOrganizations(), i.recordedBy(), i.recordedAt(),
        i.authorityReference(), i.categories(), i.organizations(), ClockView.of(incidents.clockOf(i)), notices);
  }

  @GetMapping("/api/v1/operator/breaches")
  @Operation(summary = "Incidents, newest detection first, each with its 72-hour clock for the supervisory authority")
  List<IncidentView> list() {
    return incidents.all().stream().map(i -> view(i, false)).toList();
  }

  @PostMapping("/api/v1/operator/breaches")
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(summary = "Record an incident: every member of the affected organizations is mailed and shown a banner until they acknowledge it")
  IncidentView record(@AuthenticationPrincipal HeraldUser me, @RequestBody NewIncident body) {
    BreachIncidents.Incident i = incidents.record(new BreachIncidents.NewIncident(body.title(), body.description(), body.detectedAt(),
        Boolean.TRUE.equals(body.allOrganizations()), body.organizationIds(), body.categories()), me.email());
    return view(i, true);
  }

  @GetMapping("/api/v1/operator/breaches/{id}")
  @Operation(summary = "An incident with its clock, and everyone notified with when they acknowledged")
  IncidentView get(@PathVariable long id) {
    return view(incidents.find(id).orElseThrow(() -> Refused.notFound("Incident")), true);
  }

  @PutMapping("/api/v1/operator/breaches/{id}/authority-notification")
  @Operation(summary = "Record when the supervisory authority was notified (and its reference)")
  IncidentView authority(@PathVariable long id, @RequestBody AuthorityNotification body) {
    return view(incidents.recordAuthorityNotification(id, body == null ? null : body.notifiedAt(), body == null ? null : body.reference()),
        true);
  }

}
