package dev.herald.privacy;

import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The organization's staff-access log over the API. */
@RestController
@Tag(name = "Staff access", description = "The installation's operators' requests under the organization")
class StaffAccessApi {
  private final StaffAccessLog log;

  StaffAccessApi(StaffAccessLog log) {
    this.log = log;
  }

  @GetMapping("/api/v1/orgs/{org}/staff-access")
  @Operation(summary = "The operators' requests under the organization, newest first (who, when, method and path)")
  StaffAccessLog.Page list(OrganizationContext org, @RequestParam(defaultValue = "0") int page, @RequestParam(defaultValue = "50") int size) {
    return log.page(org.id(), page, size);
  }
}
