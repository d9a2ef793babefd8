package dev.herald.privacy;

import dev.herald.platform.Refused;
import dev.herald.tenancy.HeraldUser;
import dev.herald.tenancy.OrganizationContext;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.tags.Tag;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.core.annotation.AuthenticationPrincipal;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** REST API of account exports (account:export: owners, and API keys an owner gave that scope): start one, follow it, download its ZIP. */
@RestController
@Tag(name = "Account export", description = "An export of all of an organization's data as a ZIP of CSV, XLSX and JSON, built in the background")
class AccountExportsApi {
  private final AccountExports exports;

  AccountExportsApi(AccountExports exports) {
    this.exports = exports;
  }

  @PostMapping("/api/v1/orgs/{org}/account-exports")
  @ResponseStatus(HttpStatus.ACCEPTED)
  @Operation(summary = "Start an export of everything the organization holds; poll its status, then download it")
  @ApiResponse(responseCode = "202", description = "Queued")
  @ApiResponse(responseCode = "409", description = "Another export of this organization is under way")
  AccountExports.ExportView start(OrganizationContext org, @AuthenticationPrincipal Object principal) {
    return exports.start(org.id(), principal instanceof HeraldUser u ? u.id() : null);
  }

  @GetMapping("/api/v1/orgs/{org}/account-exports/{id}")
  @Operation(summary = "An export's status and progress (parts done of parts)")
  AccountExports.ExportView status(OrganizationContext org, @PathVariable long id) {
    return exports.get(org.id(), id).orElseThrow(() -> Refused.notFound("Export " + id));
  }

  @GetMapping("/api/v1/orgs/{org}/account-exports/{id}/download")
  @Operation(summary = "Download a finished export's ZIP")
  @ApiResponse(responseCode = "200", description = "The ZIP, as an attachment")
  @ApiResponse(responseCode = "409", description = "The export has not finished")
  void download(OrganizationContext org, @PathVariable long id, HttpServletResponse response) throws IOException {
    AccountExports.ExportView export = exports.downloadable(org.id(), id);
    response.setContentType("application/zip");
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION,
        ContentDisposition.attachment().filename(AccountExports.fileName(org.slug(), export)).build().toString());
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    response.setContentLengthLong(export.sizeBytes());
    exports.write(org.id(), id, response.getOutputStream());
  }
}
