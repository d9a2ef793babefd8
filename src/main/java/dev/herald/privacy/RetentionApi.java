package dev.herald.privacy;

import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** Retention schedules and the record of processing activities over the API: the operator's, and an organization's. */
@RestController
@Tag(name = "Privacy: retention", description = "How long personal data is kept, and the record of processing activities")
class RetentionApi {
  private static final int RUNS_SHOWN = 20;
  private final RetentionSchedules schedules;
  private final RetentionEngine engine;
  private final ProcessingRecord record;

  RetentionApi(RetentionSchedules schedules, RetentionEngine engine, ProcessingRecord record) {
    this.schedules = schedules;
    this.engine = engine;
    this.record = record;
  }

  /** A schedule to set: a category's text and a period ("30 days", "P1Y"); for an organization, blank goes back to the installation's. */
  record ScheduleChange(String category, String period) {}

  /** The installation's schedules and its latest runs. */
  record OperatorRetention(List<RetentionSchedules.Schedule> schedules, List<RetentionEngine.Run> runs) {}

  /** An organization's schedules as they apply to it, and when the schedules were last enforced (the installation's counts are not its). */
  record OrganizationRetention(List<RetentionSchedules.OrganizationSchedule> schedules, LastRun lastRun) {}

  record LastRun(RetentionRunStatus status, java.time.Instant startedAt, java.time.Instant finishedAt) {}

  @GetMapping("/api/v1/operator/processing-record")
  @Operation(summary = "The record of processing activities: every table of every capability, its personal columns and how they are kept")
  ProcessingRecord.Record processingRecord() {
    return record.record();
  }

  @GetMapping("/api/v1/operator/retention")
  @Operation(summary = "The installation's retention schedule per category, and the latest retention runs with what they purged")
  OperatorRetention operatorRetention() {
    return new OperatorRetention(schedules.operatorSchedules(), engine.recent(RUNS_SHOWN));
  }

  @PutMapping("/api/v1/operator/retention")
  @Operation(summary = "Set the installation's schedule of one retention category (422 naming the field when it is not one)")
  RetentionSchedules.Schedule setOperator(@RequestBody ScheduleChange change) {
    return schedules.setOperator(change.category(), change.period());
  }

  @PostMapping("/api/v1/operator/retention/runs")
  @Operation(summary = "Queue a retention run now; 409 when one is queued or running already")
  OperatorRetention runNow() {
    if (!engine.queueNow()) throw dev.herald.platform.Refused.conflict("run", "A retention run is queued or running already.");
    return operatorRetention();
  }

  @GetMapping("/api/v1/orgs/{org}/privacy/retention")
  @Operation(summary = "The retention schedules that apply to the organization: the installation's, or its own shorter one")
  OrganizationRetention organizationRetention(OrganizationContext org) {
    return new OrganizationRetention(schedules.forOrganization(org.id()), engine.recent(1).stream().findFirst()
        .map(r -> new LastRun(r.status(), r.startedAt(), r.finishedAt())).orElse(null));
  }

  @PutMapping("/api/v1/orgs/{org}/privacy/retention")
  @Operation(summary = "Shorten a retention category for the organization (a blank period goes back to the installation's); a period"
      + " not shorter than the installation's is refused")
  OrganizationRetention setForOrganization(OrganizationContext org, @RequestBody ScheduleChange change) {
    schedules.setForOrganization(org.id(), change.category(), change.period());
    return organizationRetention(org);
  }
}
