package dev.herald.audiences;

import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** The figures of the overview page for programs. {org} is the organization's slug. */
@RestController
@Tag(name = "Audiences")
class AudienceSummaryApi {
  private final AudienceSummaries summaries;

  AudienceSummaryApi(AudienceSummaries summaries) {
    this.summaries = summaries;
  }

  @GetMapping("/api/v1/orgs/{org}/audience/summary")
  @Operation(summary = "The audience at a glance", description = """
      Subscribers (people), subscriptions by status over all lists and on each list (a person on two lists counts \
      on both), new subscribers and unsubscribes on each of the last 30 days in the organization's time zone (UTC; \
      days without change are 0), and the 5 most recent imports.""")
  AudienceSummaries.Summary summary(OrganizationContext org) {
    return summaries.summary(org.id());
  }
}
