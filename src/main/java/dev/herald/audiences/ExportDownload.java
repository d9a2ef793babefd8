package dev.herald.audiences;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;

/**
 * Sends an export as a download, for the API and the panel alike. The response is written straight
 * from the database cursor on the request's (virtual) thread rather than as an async
 * StreamingResponseBody: no async timeout can cut a long export short, and the security context and
 * the request (which the audit log reads) are the ones the request started with. The body is
 * chunked, never buffered whole.
 */
final class ExportDownload {
  private ExportDownload() {}

  /** {@code start} checks and audits the export ({@link Exports#start}); it runs only once a slot is free. */
  static void send(Exports exports, java.util.function.Supplier<Exports.Export> start, HttpServletResponse response) throws IOException {
    // No free slot is a Refusal.Unavailable; the web layer answers 503 with its Retry-After.
    exports.withSlot(() -> {
      Exports.Export export = start.get();
      response.setContentType(export.format().contentType());
      response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(export.fileName()).build().toString());
      // Personal data: no copy in a shared or browser cache.
      response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
      return exports.write(export, response.getOutputStream());
    });
  }
}
