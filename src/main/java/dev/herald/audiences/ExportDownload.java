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

  static void send(Exports exports, Exports.Export export, HttpServletResponse response) throws IOException {
    response.setContentType(export.format().contentType());
    response.setHeader(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment().filename(export.fileName()).build().toString());
    // Personal data: no copy in a shared or browser cache.
    response.setHeader(HttpHeaders.CACHE_CONTROL, "no-store");
    exports.write(export, response.getOutputStream());
  }
}
