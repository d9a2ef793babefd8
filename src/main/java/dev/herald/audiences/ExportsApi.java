package dev.herald.audiences;

import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** REST API for exports. Errors before the first byte (format, status, list, segment) are problem+json. */
@RestController
@Tag(name = "Exports", description = "Subscriber exports (CSV, XLSX, JSON) with custom fields, subscriptions and consent records")
class ExportsApi {
  private final Exports exports;

  ExportsApi(Exports exports) {
    this.exports = exports;
  }

  @GetMapping("/api/v1/orgs/{org}/exports/subscribers")
  @Operation(summary = "Download subscribers: one list (optionally one status), one segment, or all, as CSV, XLSX or JSON, streamed")
  @ApiResponse(responseCode = "200", description = "The file, as an attachment", content = {
      @Content(mediaType = "text/csv"),
      @Content(mediaType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
      @Content(mediaType = "application/json")})
  @ApiResponse(responseCode = "404", description = "No such list or segment in this organization")
  @ApiResponse(responseCode = "422", description = "format or status is not one of the allowed values, or both list and segment")
  void subscribers(OrganizationContext org,
      @Parameter(description = "csv (default), xlsx or json") @RequestParam(required = false) String format,
      @Parameter(description = "a list's id; without list or segment, every subscriber of the organization")
      @RequestParam(required = false) Long list,
      @Parameter(description = "a segment's id: the subscribers it matches now") @RequestParam(required = false) Long segment,
      @Parameter(description = "with list: only this subscription status", schema = @Schema(implementation = SubscriptionStatus.class))
      @RequestParam(required = false) String status,
      HttpServletResponse response) throws IOException {
    ExportFormat f = ExportFormat.parse(format);
    ExportDownload.send(exports, () -> exports.start(org.id(), org.slug(), ExportScope.of(list, segment, status), f), response);
  }
}
