package dev.herald.audiences;

import dev.herald.tenancy.OrganizationContext;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * Export downloads from the panel: plain GET links and forms on the list page and the subscribers
 * page. A refusal (another organization's list, a bad format) is the error page with its status.
 */
@Controller
class ExportsController {
  private final Exports exports;

  ExportsController(Exports exports) {
    this.exports = exports;
  }

  @GetMapping("/o/{org}/lists/{id}/export")
  void list(OrganizationContext org, @PathVariable long id, @RequestParam(required = false) String format,
      @RequestParam(required = false) String status, HttpServletResponse response) throws IOException {
    ExportFormat f = ExportFormat.parse(format);
    ExportDownload.send(exports, () -> exports.start(org.id(), org.slug(), ExportScope.of(id, null, status), f), response);
  }

  @GetMapping("/o/{org}/subscribers/export")
  void all(OrganizationContext org, @RequestParam(required = false) String format, HttpServletResponse response)
      throws IOException {
    ExportFormat f = ExportFormat.parse(format);
    ExportDownload.send(exports, () -> exports.start(org.id(), org.slug(), new ExportScope.All(), f), response);
  }
}
